"""The mutation gauntlet: the suite against every broken plugin, killed or survived, and how fast.

``python tests/gauntlet.py [-j N]`` prints one row per mutant: whether the
suite killed it exactly (the clauses that failed are exactly those the mutant
declares in ``BREAKS``; every other clause passed, was blocked by one of them
or is unimplemented), the clauses that failed and those that were blocked, and
the time to its verdict. The reference plugin runs first and must pass every
clause. A survivor, or a kill that blames a clause the mutant does not break,
is a gap in the suite, so it fails the command. Each worker process imports the
suite once and runs pytest in-process for each of its mutants, so a verdict
costs the tests, not the imports.
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


#: Outcomes a clause the mutant does not break may have: it is not blamed for the fault.
NOT_BLAMED = ("pass", "blocked", "unimplemented")


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    exit_code: int
    verdict: str | None
    failed: tuple[str, ...]
    seconds: float
    blocked: tuple[str, ...] = ()
    #: Clauses with an outcome that is neither a failure nor one of NOT_BLAMED (error, skip).
    unjudged: tuple[str, ...] = ()
    #: The first line of each failed or unjudged clause's detail, to show why a kill is not exact.
    details: tuple[tuple[str, str], ...] = ()

    @property
    def missed(self) -> tuple[str, ...]:
        """Declared clauses the suite did not fail: each one a gap in the suite."""
        return tuple(c for c in self.mutant.breaks if c not in self.failed)

    @property
    def overblamed(self) -> tuple[str, ...]:
        """Clauses the suite failed that the mutant does not break: a fault blamed on the wrong clause."""
        return tuple(c for c in self.failed if c not in self.mutant.breaks)

    @property
    def killed(self) -> bool:
        """Exactly the declared clauses failed; nothing else failed, errored or went unjudged."""
        return self.verdict is not None and not self.missed and not self.overblamed and not self.unjudged


def _ensure_importable() -> None:
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))


def catalogue() -> list[Mutant]:
    """Every module of ``broken_plugins`` that declares what it breaks.

    Helpers start with ``_``; a module with an empty ``BREAKS`` (a plugin that
    differs from the reference only where the contract leaves it open) is not a
    mutant and has tests of its own.
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
    if report is None:
        return Verdict(mutant, exit_code, None, (), seconds)
    clauses = report["clauses"]

    def having(*outcomes: str) -> tuple[str, ...]:
        return tuple(c["id"] for c in clauses if c["outcome"] in outcomes)

    unjudged = tuple(c["id"] for c in clauses if c["outcome"] not in ("fail", *NOT_BLAMED))
    details = tuple(
        (c["id"], (c.get("detail") or c["outcome"]).splitlines()[0])
        for c in clauses
        if c["id"] in unjudged or (c["outcome"] == "fail" and c["id"] not in mutant.breaks)
    )
    return Verdict(
        mutant, exit_code, report["verdict"], having("fail"), seconds, having("blocked"), unjudged, details
    )


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
                # --tb=no: the output is discarded, so no traceback is worth formatting.
                pytest.main(
                    suite_args(mutant.module, report_path, "-q", "--tb=no", "-p", "no:cacheprovider", *extra)
                )
            )
        seconds = time.perf_counter() - start
        report = json.loads(report_path.read_text()) if report_path.exists() else None
    return judge(mutant, exit_code, report, seconds)


def _warm() -> None:
    """Import what every run needs once, before workers fork, so no worker pays for it."""
    _ensure_importable()
    import anam_conformance.plugin_under_test
    import anam_conformance.session.plugin  # noqa: F401
    import livekit.agents  # noqa: F401


def run_all(mutants: Sequence[Mutant], jobs: int, profile: str = MUTANT_PROFILE) -> Iterable[Verdict]:
    _warm()
    profiles = [profile] * len(mutants)
    if jobs <= 1:
        yield from map(run, mutants, profiles)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(run, mutants, profiles)


def reference_passes(verdict: Verdict) -> bool:
    return (
        verdict.verdict == "conforming"
        and not verdict.failed
        and not verdict.blocked
        and not verdict.unjudged
    )


def state(verdict: Verdict) -> str:
    if verdict.mutant.name == REFERENCE:
        return "conforms" if reference_passes(verdict) else "DOES NOT CONFORM"
    if verdict.verdict is None:
        return f"NO VERDICT (exit {verdict.exit_code})"
    if verdict.killed:
        return "killed"
    problems = [
        f"missed {', '.join(verdict.missed)}" if verdict.missed else "",
        f"also blamed {', '.join(verdict.overblamed)}" if verdict.overblamed else "",
        f"unjudged {', '.join(verdict.unjudged)}" if verdict.unjudged else "",
    ]
    return "NOT EXACT (" + "; ".join(p for p in problems if p) + ")"


def row(verdict: Verdict) -> str:
    failed = ", ".join(verdict.failed) or "-"
    blocked = ", ".join(verdict.blocked) or "-"
    return f"| {verdict.mutant.name} | {state(verdict)} | {failed} | {blocked} | {verdict.seconds:.2f} s |"


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
    print("| mutant | verdict | failed clauses | blocked clauses | time to verdict |")
    print("|---|---|---|---|---|")
    verdicts = []
    for verdict in run_all([reference, *chosen], args.jobs, args.profile):
        verdicts.append(verdict)
        print(row(verdict), flush=True)
    total = time.perf_counter() - start
    mutants = verdicts[1:]
    killed = sum(v.killed for v in mutants)
    for verdict in verdicts:
        for clause_id, detail in verdict.details:
            print(f"{verdict.mutant.name}: {clause_id}: {detail}")
    reference_ok = reference_passes(verdicts[0])
    reference_state = "conforms" if reference_ok else "FAILS"
    print(
        f"\n{killed}/{len(mutants)} mutants killed exactly; reference {reference_state}; "
        f"{total:.1f} s wall on {args.jobs} worker(s)"
    )
    return 0 if reference_ok and killed == len(mutants) else 1


if __name__ == "__main__":
    sys.exit(main())
