"""How fast the suite gives a verdict, and where the time goes.

``python scripts/benchmark.py [--plugin-path DIR] [--repeats N] [--gauntlet]``
times, as wall clock over fresh processes (median of N runs, ``time.perf_counter``):
the interpreter alone; the interpreter plus the suite's imports; the floor
(imports and pytest collection, ``pytest conformance --collect-only -q``); a full
verdict on the reference and on ``livekit.plugins.anam`` found on
``--plugin-path`` (e.g. an unpacked ``livekit-plugins-anam`` wheel), serial and
with ``-n 2``; with ``--npm VERSION``, a verdict on that release of the Node
plugin through its driver (installed into the suite's cache first, so the
timing is the judging, not the install); the cost per property-test example
(in-process and through the driver) and per cassette interaction where the
suite has them; and, with ``--gauntlet``, the whole mutation gauntlet on 1 and
2 workers. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


@dataclass(frozen=True)
class Timing:
    what: str
    command: str
    seconds: float
    output: str


IMPORTS = "import livekit.agents, anam_conformance.pytest_plugin, anam_conformance.plugin_under_test"


def timed(what: str, argv: Sequence[str], repeats: int, env: dict[str, str] | None = None) -> Timing:
    runs, output = [], ""
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        runs.append(time.perf_counter() - start)
        output = done.stdout + done.stderr
    shown = " ".join(a if " " not in a else repr(a) for a in argv).replace(PY, "python")
    return Timing(what, shown, statistics.median(runs), output)


def pytest_argv(*args: str) -> list[str]:
    return [PY, "-m", "pytest", "-p", "no:randomly", *args]


def per_example(output: str) -> str:
    """The suite's own hypothesis summary line, if the suite has property tests."""
    found = re.search(r"(\d+) examples? in .*?\(([\d.]+) ms per example\)", output)
    return f"{found.group(2)} ms/example over {found.group(1)} examples" if found else "n/a"


def cassette_interactions() -> int:
    """Recorded interactions in the suite's vcrpy cassettes (JSON or YAML), 0 if it has none."""
    count = 0
    for path in ROOT.glob("cassettes/**/*"):
        if path.suffix == ".json":
            count += len(json.loads(path.read_text()).get("interactions", []))
        elif path.suffix in (".yaml", ".yml"):
            count += path.read_text(errors="replace").count("- request:")
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/benchmark.py", description=__doc__)
    parser.add_argument("--plugin-path", type=Path, help="directory holding livekit/plugins/anam to time too")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--npm", metavar="VERSION", help="also time @livekit/agents-plugin-anam@VERSION")
    parser.add_argument("--gauntlet", action="store_true", help="also time the whole gauntlet (slow)")
    args = parser.parse_args(argv)
    r = args.repeats
    rows = [
        timed("interpreter", [PY, "-c", "pass"], r),
        timed("imports", [PY, "-c", IMPORTS], r),
    ]
    floor = timed("floor: imports + collection", pytest_argv("conformance", "--collect-only", "-q"), r)
    rows.append(floor)
    reference = timed("verdict: reference", pytest_argv("conformance", "-q"), r)
    rows += [reference, timed("verdict: reference, -n 2", pytest_argv("conformance", "-q", "-n", "2"), r)]
    if args.plugin_path:
        env = {**os.environ, "PYTHONPATH": str(args.plugin_path.resolve())}
        plugin = ["conformance", "-q", "--anam-plugin=livekit.plugins.anam"]
        rows += [
            timed("verdict: livekit.plugins.anam (--plugin-path)", pytest_argv(*plugin), r, env),
            timed("verdict: livekit.plugins.anam, -n 2", pytest_argv(*plugin, "-n", "2"), r, env),
        ]
    properties = ROOT / "conformance/suite/test_properties.py"
    notes = [
        f"property tests: {per_example(reference.output)}" if properties.exists() else "property tests: none"
    ]
    if args.npm:
        node = ["conformance", "-q", f"--anam-plugin=npm:@livekit/agents-plugin-anam@{args.npm}"]
        timed("install into the cache", pytest_argv(*node, "--collect-only"), 1)
        driven = timed(f"verdict: npm {args.npm}, through the Node driver", pytest_argv(*node), r)
        rows.append(driven)
        notes.append(f"property tests through the Node driver: {per_example(driven.output)}")
    replay = ROOT / "conformance/suite/test_replay.py"
    interactions = cassette_interactions()
    if replay.exists() and interactions:
        module = str(replay.relative_to(ROOT))
        replay_floor = timed(
            "cassette replay tests, collection only", pytest_argv(module, "--collect-only", "-q"), r
        )
        replayed = timed("cassette replay tests", pytest_argv(module, "-q"), r)
        rows += [replay_floor, replayed]
        cost = max(replayed.seconds - replay_floor.seconds, 0.0) / interactions
        notes.append(f"cassette replay: ~{cost * 1000:.1f} ms per interaction ({interactions} interactions)")
    else:
        notes.append("cassette replay: no cassettes")
    if args.gauntlet:
        for jobs in (2, 1):
            rows.append(timed(f"gauntlet, {jobs} worker(s)", [PY, "tests/gauntlet.py", "-j", str(jobs)], 1))
    print(f"| measurement (median of {r}) | wall | x floor | command |")
    print("|---|---|---|---|")
    for row in rows:
        ratio = row.seconds / floor.seconds
        print(f"| {row.what} | {row.seconds:.2f} s | {ratio:.1f} | `{row.command}` |")
    for note in notes:
        print(f"\n{note}", end="")
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
