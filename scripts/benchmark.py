"""How fast the suite gives a verdict, in multiples of the imports a verdict needs.

``python scripts/benchmark.py [--repeats N] [--npm VERSION] [--plugin-path DIR] [--gauntlet] [--mechanisms]``
times fresh processes as wall clock (``time.perf_counter``), round-robin: each
repeat runs every command once, in turn, so a machine whose speed drifts moves
every figure alike and the ratios hold. It prints the medians and the ratios:

- the bare imports a verdict needs (livekit.agents, the reference plugin,
  hypothesis, vcrpy, syrupy, aiohttp, jwt, the suite's harness and loader): the unit;
- collection, ``pytest conformance --collect-only``, and ``anam-conformance``'s
  own collection (no assert rewriting);
- the reference's verdict, ``pytest conformance`` (the default isolation: the sandbox where
  bubblewrap works) and through ``anam-conformance``, side by side with the same verdict in a
  plain process (``--anam-isolation=process``) and in the judge's own process
  (``--anam-isolation=in-process``, how every Python verdict was judged before isolation);
- with ``--npm VERSION``, the verdict on that Node release through its driver
  (installed into the cache first: the timing is the judging, not the install);
- with ``--plugin-path DIR``, ``livekit.plugins.anam`` found there;
- the cost per property example, in-process and through the driver;
- with ``--gauntlet``, the whole mutation gauntlet on 2 workers;
- with ``--mechanisms``, what each speed mechanism saves: the reference's verdict without it
  (:data:`MECHANISMS`), against the same verdict as it is, in the same round;
- the host tax: what the installed suite costs a project's own pytest run that does not
  use it (two plain tests, with the suite's entry point and with ``-p no:anam_conformance``,
  alternated), and what importing the entry point costs over importing pytest
  (``-X importtime``); ``--host-python PYTHON`` measures them in another environment (e.g. a
  venv with the suite's wheel and ``livekit-plugins-anam``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
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


#: The libraries a verdict needs, the reference plugin and the suite's own harness and loader; not
#: the suite's pytest plugin, which also loads what the other pytest plugins load (plain_imports.py),
#: so that the unit stays the same whatever the plugin chooses to import early.
IMPORTS = (
    "import livekit.agents, hypothesis, vcr, syrupy, aiohttp, jwt, anam_conformance.plugin_under_test, "
    "anam_conformance.harness.start, anam_conformance.implementations.loading"
)
TOOL = str(Path(PY).parent / "anam-conformance")


@dataclass(frozen=True)
class Command:
    what: str
    argv: Sequence[str]
    env: dict[str, str] | None = None
    cwd: Path = ROOT

    def shown(self) -> str:
        return (
            " ".join(a if " " not in a else repr(a) for a in self.argv)
            .replace(PY, "python")
            .replace(TOOL, "anam-conformance")
        )


def once(command: Command) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        command.argv, cwd=command.cwd, env=command.env, capture_output=True, text=True, check=False
    )
    return time.perf_counter() - start, done.stdout + done.stderr


def round_robin(commands: Sequence[Command], repeats: int) -> list[Timing]:
    """Each command ``repeats`` times, alternated, as medians."""
    runs: dict[str, list[float]] = {c.what: [] for c in commands}
    outputs: dict[str, str] = {}
    for _ in range(repeats):
        for command in commands:
            seconds, outputs[command.what] = once(command)
            runs[command.what].append(seconds)
    return [Timing(c.what, c.shown(), statistics.median(runs[c.what]), outputs[c.what]) for c in commands]


def timed(what: str, argv: Sequence[str], repeats: int, env: dict[str, str] | None = None) -> Timing:
    return round_robin([Command(what, argv, env)], repeats)[0]


def pytest_argv(*args: str) -> list[str]:
    return [PY, "-m", "pytest", "-p", "no:randomly", *args]


def per_example(output: str) -> str:
    """The suite's own hypothesis summary line, if the suite has property tests."""
    found = re.search(r"(\d+) examples? in .*?\(([\d.]+) ms per example\)", output)
    return f"{found.group(2)} ms/example over {found.group(1)} examples" if found else "n/a"


def isolation(output: str) -> str:
    """How the default run was isolated, as its verdict line says (nothing said: the sandbox)."""
    found = re.search(r"^verdict: .*\[(.*)\]$", output, re.MULTILINE)
    return found.group(1) if found else "sandbox"


def cassette_interactions() -> int:
    """Recorded interactions in the suite's vcrpy cassettes (JSON or YAML), 0 if it has none."""
    count = 0
    for path in ROOT.glob("cassettes/**/*"):
        if path.suffix == ".json":
            count += len(json.loads(path.read_text()).get("interactions", []))
        elif path.suffix in (".yaml", ".yml"):
            count += path.read_text(errors="replace").count("- request:")
    return count


#: A project's own tests, which know nothing of the suite.
HOST_TESTS = """
def test_addition():
    assert 1 + 1 == 2


def test_upper():
    assert "ab".upper() == "AB"
"""
#: The suite's entry point, as the ``pytest11`` entry point names it.
ENTRY_POINT = "anam_conformance.pytest_plugin"
HOSTED, BARE = "host tax: a project's two tests", "host tax: the same, -p no:anam_conformance"


def host_project() -> Path:
    """A project of its own in a temporary folder: two plain tests and an empty configuration."""
    folder = Path(tempfile.mkdtemp(prefix="anam-conformance-host-"))
    (folder / "pytest.ini").write_text("[pytest]\n")
    (folder / "test_project.py").write_text(HOST_TESTS)
    return folder


def host_commands(python: str) -> list[Command]:
    """The project's run with the suite's entry point loaded, and without it."""
    folder = host_project()
    run = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return [
        Command(HOSTED, run, cwd=folder),
        Command(BARE, [*run, "-p", "no:anam_conformance"], cwd=folder),
    ]


def entry_point_import(python: str, repeats: int) -> float:
    """Milliseconds importing the entry point costs once pytest is imported (``-X importtime``), median."""
    found: list[float] = []
    for _ in range(repeats):
        done = subprocess.run(
            [python, "-X", "importtime", "-c", f"import pytest; import {ENTRY_POINT}"],
            capture_output=True,
            text=True,
            check=True,
        )
        lines = [line.split("|") for line in done.stderr.splitlines() if line.startswith("import time:")]
        found += [int(cumulative) / 1000 for _, cumulative, name in lines if name.strip() == ENTRY_POINT]
    return statistics.median(found)


#: Each speed mechanism of the suite, and how a run goes without it (a patch made before pytest
#: starts, so the suite's code is the same): what it saves is the reference verdict's time
#: without it, against the same verdict as it is, alternated in one round.
MECHANISMS = {
    "as it is": "",
    "without the frozen heap (heap.py)": "import gc; gc.freeze = lambda: None",
    "without plain imports (plain_imports.py)": (
        "import anam_conformance.plain_imports as p; p.import_libraries = lambda: None"
    ),
    "without the early driver start (implementations/early.py)": (
        "import anam_conformance.implementations.early as e; e.start_named_driver = lambda *a, **k: None"
    ),
    "without starts made together (port/implementation.py TOGETHER)": (
        # Before any module takes the figure (``from ... import TOGETHER``).
        "import anam_conformance.port.implementation as i; i.TOGETHER = 1"
    ),
}
MECHANISM_ARGS = ("conformance", "-q", "-p", "no:randomly", "--anam-plugin=plugin_under_test")


def mechanism_commands() -> list[Command]:
    """The reference's verdict as it is and without each mechanism, each through ``pytest.main``
    with the command line a ``pytest`` run has (the early start reads it)."""
    commands = []
    for what, patch in MECHANISMS.items():
        code = (
            f"import sys, pytest\n{patch}\nsys.argv = ['pytest', *{MECHANISM_ARGS!r}]\n"
            f"sys.exit(pytest.main({list(MECHANISM_ARGS)!r}))"
        )
        commands.append(Command(f"mechanisms: {what}", [PY, "-c", code]))
    return commands


def mechanism_notes(rows: Sequence[Timing]) -> list[str]:
    by_name = {row.what.removeprefix("mechanisms: "): row for row in rows}
    base = by_name.pop("as it is").seconds
    return [
        f"{what}: {(row.seconds / base - 1) * 100:+.1f}% on the reference verdict"
        for what, row in by_name.items()
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/benchmark.py", description=__doc__)
    parser.add_argument("--plugin-path", type=Path, help="directory holding livekit/plugins/anam to time too")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--npm", metavar="VERSION", help="also time @livekit/agents-plugin-anam@VERSION")
    parser.add_argument("--gauntlet", action="store_true", help="also time the whole gauntlet (slow)")
    parser.add_argument(
        "--mechanisms",
        action="store_true",
        help="also time the reference's verdict without each speed mechanism",
    )
    parser.add_argument(
        "--host-python", default=PY, metavar="PYTHON", help="the interpreter of the host-tax runs"
    )
    args = parser.parse_args(argv)
    r = args.repeats
    commands = [
        Command("imports", [PY, "-c", IMPORTS]),
        Command(
            "collection: pytest conformance --collect-only",
            pytest_argv("conformance", "--collect-only", "-q"),
        ),
        Command(
            "collection: anam-conformance --collect-only",
            [TOOL, "--anam-plugin=plugin_under_test", "--collect-only"],
        ),
        Command("verdict: reference, pytest conformance", pytest_argv("conformance", "-q")),
        Command(
            "verdict: reference, --anam-isolation=process",
            pytest_argv("conformance", "-q", "--anam-isolation=process"),
        ),
        Command(
            "verdict: reference, --anam-isolation=in-process",
            pytest_argv("conformance", "-q", "--anam-isolation=in-process"),
        ),
        Command("verdict: reference, anam-conformance", [TOOL, "--anam-plugin=plugin_under_test"]),
    ]
    # Alternated with each other only, before any verdict: a verdict's driver, still ending while
    # the next command starts, would weigh on whichever of the two came right after it.
    host = round_robin(host_commands(args.host_python), r)
    if args.plugin_path:
        env = {**os.environ, "PYTHONPATH": str(args.plugin_path.resolve())}
        plugin = ["conformance", "-q", "--anam-plugin=livekit.plugins.anam"]
        commands.append(Command("verdict: livekit.plugins.anam (--plugin-path)", pytest_argv(*plugin), env))
    if args.npm:
        node = ["conformance", "-q", f"--anam-plugin=npm:@livekit/agents-plugin-anam@{args.npm}"]
        once(Command("install into the cache", pytest_argv(*node, "--collect-only")))
        commands.append(Command(f"verdict: npm {args.npm}, through the Node driver", pytest_argv(*node)))
    if args.mechanisms:
        commands += mechanism_commands()
    rows = [*round_robin(commands, r), *host]
    by_name = {row.what: row for row in rows}
    imports = by_name["imports"]
    floor = by_name["collection: pytest conformance --collect-only"]
    reference = by_name["verdict: reference, pytest conformance"]
    properties = ROOT / "conformance/suite/test_properties.py"
    notes = [
        f"property tests: {per_example(reference.output)}" if properties.exists() else "property tests: none",
        f"collection / imports: {floor.seconds / imports.seconds:.2f}",
        f"reference verdict / imports: {reference.seconds / imports.seconds:.2f}",
        f"isolation: {isolation(reference.output)}",
    ]
    hosted, bare = by_name[HOSTED], by_name[BARE]
    notes.append(
        f"host tax: {(hosted.seconds / bare.seconds - 1) * 100:+.1f}% on a project's own run "
        f"({hosted.seconds:.3f} s with the suite's entry point, {bare.seconds:.3f} s without); "
        f"importing {ENTRY_POINT}: {entry_point_import(args.host_python, r):.1f} ms over pytest"
    )
    in_process = by_name["verdict: reference, --anam-isolation=in-process"]
    for level in ("pytest conformance", "--anam-isolation=process"):
        isolated = by_name[f"verdict: reference, {level}"]
        notes.append(f"reference verdict, {level} / in-process: {isolated.seconds / in_process.seconds:.2f}")
    if args.npm:
        driven = by_name[f"verdict: npm {args.npm}, through the Node driver"]
        notes.append(f"property tests through the Node driver: {per_example(driven.output)}")
        notes.append(f"Node verdict / reference verdict: {driven.seconds / reference.seconds:.2f}")
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
    if args.mechanisms:
        notes += mechanism_notes([row for row in rows if row.what.startswith("mechanisms: ")])
    if args.gauntlet:
        rows.append(timed("gauntlet, 2 workers", [PY, "tests/gauntlet.py", "-j", "2"], 1))
    print(f"| measurement (median of {r}, alternated) | wall | x imports | command |")
    print("|---|---|---|---|")
    for row in rows:
        ratio = row.seconds / imports.seconds
        print(f"| {row.what} | {row.seconds:.2f} s | {ratio:.2f} | `{row.command}` |")
    for note in notes:
        print(f"\n{note}", end="")
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
