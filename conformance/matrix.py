"""``python -m conformance.matrix REPORT...``: several JSON reports, judged against expectations.

Each report is labelled by its file name (``reports/1.8.9.json`` is ``1.8.9``)
and compared with ``expectations/<label>.toml``. Prints the clause x release
table; exits 0 when every outcome is as expected, 1 when one differs (listing
regressions and expectations that no longer hold), 2 on unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import evidence
from .expect import EvidenceError
from .expectations import ExpectationError, Mismatch, compare, for_label
from .renderers.matrix import Column, matrix_html, matrix_markdown


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


def load_column(path: Path, expectations: Path) -> Column:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a JSON clause report: {error}") from None
    if not isinstance(report, dict) or "clauses" not in report or "verdict" not in report:
        raise InputError(f"{path}: not a clause report (no 'clauses' and 'verdict')")
    return Column(path.stem, report, for_label(expectations, path.stem))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.matrix", description=__doc__)
    parser.add_argument("reports", nargs="+", help="JSON clause reports, or directories of them")
    parser.add_argument(
        "--expectations",
        type=Path,
        default=None,
        metavar="DIR",
        help="expected outcomes per release (default: the ones installed with the suite)",
    )
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="also write the table here")
    parser.add_argument("--html", type=Path, metavar="PATH", help="write a static HTML page here")
    args = parser.parse_args(argv)
    try:
        expectations = args.expectations or evidence.expectation_dir()
        columns = [load_column(path, expectations) for path in report_paths(args.reports)]
    except (InputError, ExpectationError, EvidenceError) as error:
        print(f"conformance.matrix: {error}", file=sys.stderr)
        return 2
    table = matrix_markdown(columns)
    print(table, end="")
    for target, text in ((args.markdown, table), (args.html, matrix_html(columns) if args.html else "")):
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    mismatches: list[Mismatch] = [m for column in columns for m in compare(column.expectation, column.report)]
    for mismatch in mismatches:
        print(mismatch, file=sys.stderr)
    if mismatches:
        print(f"{len(mismatches)} outcome(s) differ from their expectations", file=sys.stderr)
        return 1
    print(f"every outcome of {len(columns)} report(s) is as expected", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
