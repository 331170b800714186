"""Where a verdict's time goes, by owner: profile before optimising.

``python scripts/profile_verdict.py [run|imports] [--top N] [--save FILE] [-- PYTEST ARGS]``

- ``run`` (the default) profiles one pytest run in this process with cProfile
  (``conformance -q -p no:randomly`` unless pytest arguments follow ``--``; add
  ``--collect-only`` for collection, ``--assert=plain`` for the tool's own run)
  and prints the own time of each owner (a site-packages distribution, the
  suite, the standard library, a builtin such as ``compile`` or ``epoll.poll``),
  then the functions with the most own time. ``--save`` keeps the profile for
  ``snakeviz`` or ``pstats``.
- ``imports`` runs the bare imports a verdict needs (the benchmark's unit) under
  ``python -X importtime`` and prints the import time each top-level package
  costs on its own.

Own time, not cumulative time, is what adds up to the whole: the owners' table is
where the seconds are, the functions are what to read first.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import subprocess
import sys
import sysconfig
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import IMPORTS, ROOT

STDLIB = str(Path(sysconfig.get_paths()["stdlib"]).resolve())
DEFAULT_RUN: tuple[str, ...] = ("conformance", "-q", "-p", "no:randomly")


def owner(filename: str, function: str) -> str:
    """Who a profiled function belongs to: what a reader would have to change to save its time."""
    if filename == "~":  # a builtin: named by what it is, since that is what costs
        return "builtin " + re.sub(r"^<(built-in )?(method|function) ", "", function).rstrip(">")
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if str(path).startswith(str(ROOT)):
        return "anam-conformance " + "/".join(path.relative_to(ROOT).parts[:2])
    if filename.startswith("<frozen"):
        return "stdlib importlib"
    if filename.startswith(STDLIB):
        return "stdlib " + path.relative_to(STDLIB).parts[0].removesuffix(".py")
    return filename


def profile_run(pytest_args: Sequence[str], top: int, save: Path | None) -> int:
    import pytest

    profiler = cProfile.Profile()
    profiler.enable()
    code = pytest.main(list(pytest_args))
    profiler.disable()
    if save:
        profiler.dump_stats(save)
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    by_owner: Counter[str] = Counter()
    total = 0.0
    for (filename, _line, function), (_cc, _nc, own, _cum, _callers) in entries.items():
        by_owner[owner(filename, function)] += own
        total += own
    print(f"\nown time by owner ({total:.2f} s profiled, pytest exit {int(code)}):")
    for name, seconds in by_owner.most_common(top):
        print(f"  {seconds:6.2f} s {seconds / total:6.1%}  {name}")
    print(f"\nfunctions with the most own time (top {top}):")
    stats.sort_stats("tottime").print_stats(top)
    return 0


def profile_imports(top: int) -> int:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", IMPORTS], capture_output=True, text=True, check=True
    )
    own: dict[str, float] = {}
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S+)", line)
        if found:
            package = found.group(2).split(".")[0]
            own[package] = own.get(package, 0.0) + int(found.group(1)) / 1e6
    total = sum(own.values())
    print(f"own import time by top-level package ({total:.2f} s in all):")
    for name, seconds in sorted(own.items(), key=lambda item: -item[1])[:top]:
        print(f"  {seconds:6.2f} s {seconds / total:6.1%}  {name}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pytest_args = DEFAULT_RUN
    if "--" in argv:
        pytest_args = tuple(argv[argv.index("--") + 1 :])
        argv = argv[: argv.index("--")]
    summary = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="python scripts/profile_verdict.py", description=summary)
    parser.add_argument("what", nargs="?", choices=("run", "imports"), default="run")
    parser.add_argument("--top", type=int, default=20, help="rows in each table (default: 20)")
    parser.add_argument("--save", type=Path, help="keep the run's profile here (pstats format)")
    args = parser.parse_args(argv)
    if args.what == "imports":
        return profile_imports(args.top)
    return profile_run(pytest_args, args.top, args.save)


if __name__ == "__main__":
    raise SystemExit(main())
