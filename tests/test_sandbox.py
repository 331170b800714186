"""The sandbox's walls, each tried from inside it, and how a run chooses its isolation."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from anam_conformance.implementations import sandbox
from anam_conformance.implementations.loading import TargetError, load_target
from anam_conformance.implementations.specs import Placement

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def box() -> sandbox.Sandbox:
    problem = sandbox.why_unavailable()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs bubblewrap, and the sandbox must work there: {problem}")
        pytest.skip(f"no sandbox on this machine: {problem}")
    chosen = sandbox.choose("sandbox", lambda _: None)
    assert chosen is not None
    return chosen


def inside(box: sandbox.Sandbox, code: str, environ: dict[str, str] | None = None) -> str:
    argv = box.command(
        [sys.executable, "-c", code], ROOT, environ if environ is not None else dict(os.environ)
    )
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_suites_files_are_read_only_and_scratch_is_not(box: sandbox.Sandbox) -> None:
    said = inside(
        box,
        "import pathlib, errno\n"
        "def tried(p):\n"
        "    try:\n"
        "        pathlib.Path(p).write_text('x')\n"
        "        return 'written'\n"
        "    except OSError as e:\n"
        "        return errno.errorcode[e.errno]\n"
        f"print(tried({str(ROOT / 'snapshots' / 'no-options.json')!r}), tried({str(box.scratch / 'f')!r}))",
    )
    assert said == "EROFS written"


def test_the_judges_environment_stays_out(box: sandbox.Sandbox) -> None:
    environ = {**os.environ, "JUDGE_SECRET": "s3cret", "PYTHONPATH": "/somewhere", "ANAM_DRIVER_X": "1"}
    said = inside(
        box,
        "import os; print(sorted(k for k in os.environ if k in ('JUDGE_SECRET', 'PYTHONPATH', 'ANAM_DRIVER_X')))",  # noqa: E501
        environ,
    )
    assert said == "['ANAM_DRIVER_X', 'PYTHONPATH']"


def test_the_judge_is_not_among_the_processes_it_sees(box: sandbox.Sandbox) -> None:
    said = inside(box, "import os; print(len([p for p in os.listdir('/proc') if p.isdigit()]))")
    assert int(said) <= 3, said  # bwrap's own init, the relay, and this process: never the judge


def test_the_only_way_out_is_to_the_ports_the_suite_named(box: sandbox.Sandbox) -> None:
    named, other = socket.create_server(("127.0.0.1", 0)), socket.create_server(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in (named, other)]
    code = (
        "import socket, sys\n"
        "def tried(port):\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', port), timeout=2).close()\n"
        "        return 'connected'\n"
        "    except OSError as error:\n"
        "        return type(error).__name__\n"
        "sys.stdin.readline()\n"
        f"print(tried({ports[0]}), tried({ports[1]}), flush=True)\n"
    )
    command = {"id": 1, "command": "start", "api_url": f"http://127.0.0.1:{ports[0]}/start-1"}
    box.allow(command)
    argv = box.command([sys.executable, "-c", code], ROOT, dict(os.environ))
    done = subprocess.run(argv, input=json.dumps(command) + "\n", capture_output=True, text=True, timeout=30)
    named.close()
    other.close()
    assert done.stdout.split() == ["connected", "ConnectionRefusedError"], done.stderr


def test_in_process_judges_only_a_python_module() -> None:
    with pytest.raises(TargetError, match="only a Python module can be imported into the judge"):
        load_target("npm:@livekit/agents-plugin-anam@1.5.0", placement=Placement(isolation="in-process"))


def test_a_required_sandbox_that_cannot_run_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        sandbox, "why_unavailable", lambda: "bwrap does not work here: setting up uid map: Permission denied"
    )
    with pytest.raises(TargetError, match="--anam-isolation=sandbox: bwrap does not work here"):
        load_target("plugin_under_test", placement=Placement(isolation="sandbox"))
    said: list[str] = []
    assert sandbox.choose("auto", said.append) is None
    assert said == [
        "no sandbox: bwrap does not work here: setting up uid map: Permission denied; "
        "the plugin runs in a plain process (--anam-isolation=sandbox requires one)"
    ]
