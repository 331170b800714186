"""``python -m anam_conformance.matrix REPORT...``: several JSON reports, judged against expectations.

Each report is labelled by its file name (``reports/1.8.9.json`` is ``1.8.9``)
and compared with ``expectations/<label>.toml``, which must exist: a report
without one is refused, since nothing says what it should do. Prints the
clause x release table; exits 0 when every outcome is as expected, 1 when one
differs (listing regressions and expectations that no longer hold), 2 on
unreadable input, a missing expectation file or an output path that cannot be
written (checked before anything is read). ``--no-expectations`` renders
the reports without judging them (exit 0).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import evidence
from .assertions import EvidenceError
from .expectations import ExpectationError, Mismatch, MissingExpectation, compare, for_label
from .renderers.matrix import Column, matrix_html, matrix_markdown
from .report import unwritable

PROG = "python -m anam_conformance.matrix"
#: The prefix of this command's one-line errors.
NAME = "anam_conformance.matrix"


class InputError(ValueError):
    """A report path that does not give a readable clause report."""


def report_paths(arguments: Sequence[str]) -> list[Path]:
    """Files as given; a directory stands for the ``*.json`` reports in it."""
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            found = sorted(path.glob("*.json"))
            if not found:
                raise InputError(f"{path}: no *.json report in this directory")
            paths += found
        elif path.is_file():
            paths.append(path)
        else:
            raise InputError(f"{path}: no such report (did the run for it stop before judging?)")
    return paths


def read_report(path: Path) -> dict[str, Any]:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a JSON clause report: {error}") from None
    if not isinstance(report, dict) or "clauses" not in report or "verdict" not in report:
        raise InputError(f"{path}: not a clause report (no 'clauses' and 'verdict')")
    return report


def load_column(path: Path, expectations: Path | None) -> Column:
    """The report at ``path``, with its expectation unless ``expectations`` is None (not judged)."""
    report = read_report(path)
    return Column(path.stem, report, None if expectations is None else for_label(expectations, path.stem))


def load_columns(paths: Sequence[Path], expectations: Path | None) -> list[Column]:
    """Every report with its expectation; every label without an expectation file named in one error."""
    if expectations is not None and not expectations.is_dir():
        raise InputError(f"{expectations}: no such expectations directory")
    columns: list[Column] = []
    missing: list[MissingExpectation] = []
    for path in paths:
        try:
            columns.append(load_column(path, expectations))
        except MissingExpectation as error:
            missing.append(error)
    if missing:
        labels = ", ".join(repr(m.label) for m in missing)
        where = missing[0].path if len(missing) == 1 else Path(expectations or ".", "<label>.toml")
        raise InputError(
            f"no expectations for {labels} (expected {where}); add the release's file, "
            "or pass --no-expectations to render without judging"
        )
    return columns


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("reports", nargs="+", help="JSON clause reports, or directories of them")
    judging = parser.add_mutually_exclusive_group()
    judging.add_argument(
        "--expectations",
        type=Path,
        default=None,
        metavar="DIR",
        help="expected outcomes per release, DIR/<label>.toml (default: the ones installed with the suite)",
    )
    judging.add_argument(
        "--no-expectations",
        action="store_true",
        help="render the reports without judging them against expectations (always exits 0)",
    )
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="also write the table here")
    parser.add_argument("--html", type=Path, metavar="PATH", help="write a static HTML page here")
    args = parser.parse_args(argv)
    for option, target in (("--markdown", args.markdown), ("--html", args.html)):
        problem = unwritable(target) if target is not None else None
        if problem:
            print(f"{NAME}: {option}={target}: {problem}", file=sys.stderr)
            return 2
    try:
        expectations = None if args.no_expectations else args.expectations or evidence.expectation_dir()
        columns = load_columns(report_paths(args.reports), expectations)
    except (InputError, ExpectationError, EvidenceError) as error:
        print(f"{NAME}: {error}", file=sys.stderr)
        return 2
    table = matrix_markdown(columns)
    print(table, end="")
    for target, text in ((args.markdown, table), (args.html, matrix_html(columns) if args.html else "")):
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    if expectations is None:
        print(f"{len(columns)} report(s) rendered without expectations: nothing judged", file=sys.stderr)
        return 0
    mismatches: list[Mismatch] = [
        m for column in columns if column.expectation for m in compare(column.expectation, column.report)
    ]
    for mismatch in mismatches:
        print(mismatch, file=sys.stderr)
    if mismatches:
        print(f"{len(mismatches)} outcome(s) differ from their expectations", file=sys.stderr)
        return 1
    print(f"every outcome of {len(columns)} report(s) is as expected", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
