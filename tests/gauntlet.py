"""The mutation gauntlet: the suite against every broken plugin, killed or survived, and how fast.

``python tests/gauntlet.py [-j N]`` prints one row per mutant: whether the
suite killed it (every clause the mutant declares in ``BREAKS`` failed), the
clauses that caught it, and the time to its verdict. The reference plugin runs
first and must conform. A survivor is a gap in the suite, so it fails the
command. Each worker process imports the suite once and runs pytest in-process
for each of its mutants, so a verdict costs the tests, not the imports.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import os
import pkgutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SUITE = HERE.parent / "conformance"
PACKAGE = "broken_plugins"
REFERENCE = "plugin_under_test"


@dataclass(frozen=True)
class Mutant:
    name: str
    module: str
    breaks: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    exit_code: int
    verdict: str | None
    failed: tuple[str, ...]
    seconds: float

    @property
    def missed(self) -> tuple[str, ...]:
        """Declared clauses the suite did not fail: each one a gap in the suite."""
        return tuple(c for c in self.mutant.breaks if c not in self.failed)

    @property
    def killed(self) -> bool:
        return self.verdict is not None and not self.missed


def _ensure_importable() -> None:
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))


def catalogue() -> list[Mutant]:
    """Every module of ``broken_plugins`` that declares what it breaks.

    Helpers start with ``_``; a module with an empty ``BREAKS`` (a plugin from
    before the feature) is not a mutant and has tests of its own.
    """
    _ensure_importable()
    package = importlib.import_module(PACKAGE)
    mutants = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{PACKAGE}.{info.name}")
        summary = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        if module.BREAKS:
            mutants.append(Mutant(info.name, module.__name__, tuple(module.BREAKS), summary))
    return mutants


def suite_args(module: str, report: Path, *extra: str) -> list[str]:
    return [
        str(SUITE),
        f"--anam-plugin={module}",
        f"--conformance-report={report}",
        "-p",
        "no:randomly",
        *extra,
    ]


def judge(mutant: Mutant, exit_code: int, report: dict[str, Any] | None, seconds: float) -> Verdict:
    failed = tuple(c["id"] for c in report["clauses"] if c["outcome"] == "fail") if report else ()
    return Verdict(mutant, exit_code, report["verdict"] if report else None, failed, seconds)


#: The property tests' profile for mutants: the gauntlet asks each one only whether the
#: suite fails it, so it needs no shrunk counterexample (see conformance/hypothesis_profiles.py).
MUTANT_PROFILE = "quick"


def run(mutant: Mutant, profile: str = MUTANT_PROFILE) -> Verdict:
    """One verdict, in this process: pytest's own output is discarded, the JSON report is read.

    The reference is always judged with the ``ci`` profile, as a plugin's verdict is.
    """
    extra = [f"--conformance-profile={'ci' if mutant.module == REFERENCE else profile}"]
    import pytest

    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        out = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exit_code = int(
                pytest.main(suite_args(mutant.module, report_path, "-q", "-p", "no:cacheprovider", *extra))
            )
        seconds = time.perf_counter() - start
        report = json.loads(report_path.read_text()) if report_path.exists() else None
    return judge(mutant, exit_code, report, seconds)


def _warm() -> None:
    """Import what every run needs once, before workers fork, so no worker pays for it."""
    _ensure_importable()
    import livekit.agents  # noqa: F401

    import conformance.pytest_plugin  # noqa: F401
    import plugin_under_test  # noqa: F401


def run_all(mutants: Sequence[Mutant], jobs: int, profile: str = MUTANT_PROFILE) -> Iterable[Verdict]:
    _warm()
    profiles = [profile] * len(mutants)
    if jobs <= 1:
        yield from map(run, mutants, profiles)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(run, mutants, profiles)


def row(verdict: Verdict) -> str:
    if verdict.mutant.name == REFERENCE:
        state = "conforms" if verdict.verdict == "conforming" and not verdict.failed else "DOES NOT CONFORM"
    else:
        state = "killed" if verdict.killed else f"SURVIVED (missed {', '.join(verdict.missed)})"
    caught = ", ".join(verdict.failed) or "-"
    return f"| {verdict.mutant.name} | {state} | {caught} | {verdict.seconds:.2f} s |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tests/gauntlet.py", description=__doc__)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument(
        "--profile",
        default=MUTANT_PROFILE,
        help=f"hypothesis profile for the mutants' property tests (default: {MUTANT_PROFILE})",
    )
    parser.add_argument("mutants", nargs="*", help="names of broken plugins (default: all)")
    args = parser.parse_args(argv)
    everything = catalogue()
    known = {m.name: m for m in everything}
    unknown = [name for name in args.mutants if name not in known]
    if unknown:
        parser.error(f"no such broken plugin: {', '.join(unknown)} (known: {', '.join(known)})")
    chosen = [known[name] for name in args.mutants] if args.mutants else everything
    reference = Mutant(REFERENCE, REFERENCE, (), "the reference plugin")
    start = time.perf_counter()
    print("| mutant | verdict | clauses that caught it | time to verdict |")
    print("|---|---|---|---|")
    verdicts = []
    for verdict in run_all([reference, *chosen], args.jobs, args.profile):
        verdicts.append(verdict)
        print(row(verdict), flush=True)
    total = time.perf_counter() - start
    mutants = verdicts[1:]
    killed = sum(v.killed for v in mutants)
    reference_ok = verdicts[0].verdict == "conforming" and not verdicts[0].failed
    print(
        f"\n{killed}/{len(mutants)} mutants killed; reference {'conforms' if reference_ok else 'FAILS'}; "
        f"{total:.1f} s wall on {args.jobs} worker(s)"
    )
    return 0 if reference_ok and killed == len(mutants) else 1


if __name__ == "__main__":
    sys.exit(main())
