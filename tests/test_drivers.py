"""A driver that crashes, hangs or prints garbage ends in the suite's named error, within seconds.

Never a pass, and never a plugin ``fail``: the report's verdict is ``error``
(exit code 3) and the clause's detail names the driver and quotes what it
printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from anam_conformance.implementations.process import (
    CHECK_REQUESTS_ENV,
    SCHEMA_PATH,
    DriverProcess,
    DriverProtocolError,
    RequestOutsideProtocol,
    request_problem,
    schema_problem,
)

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "fake_drivers" / "broken_driver.py"
ONE_TEST = "conformance/suite/test_session.py::test_start_sends_one_session_request"


ONE_CHECK = "test_start_sends_one_session_request"


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("crash", "exited with code 3"),
        ("hang", "did not answer 'start' within 2 s"),
        ("garbage", "not JSON"),
        ("off-schema", "outside the protocol"),
        ("wrong-id", "with id"),
        ("refuses", "failed to carry out 'start'"),
    ],
)
def test_a_misbehaving_driver_is_the_suites_error(
    run_suite: Any, monkeypatch: pytest.MonkeyPatch, mode: str, said: str
) -> None:
    monkeypatch.setenv("ANAM_DRIVER_TIMEOUT", "2")
    started = time.monotonic()
    run = run_suite(f"driver:{sys.executable} {BROKEN} {mode}", "-k", ONE_CHECK)
    took = time.monotonic() - started
    code, report, output = run.exit_code, run.report, run.output
    assert code == 3, output
    assert report is not None and report["verdict"] == "error", output
    clause = next(c for c in report["clauses"] if c["id"] == "session.one-request")
    assert clause["outcome"] == "error"
    assert "broken_driver.py" in clause["detail"] and said in clause["detail"], clause["detail"]
    assert took < 20, took  # the hang is cut at the 2 s command timeout
    if mode == "crash":
        assert "the plugin blew up" in clause["detail"]
        # What it printed is quoted, but never a credential in it.
        assert "<jwt>" in clause["detail"] and "Bearer <redacted>" in clause["detail"], clause["detail"]
        for text in (clause["detail"], output):
            assert "eyJhbGciOiJIUzI1NiJ9" not in text and "sk-live-0123456789" not in text
    if mode == "garbage":
        assert "Hello from console.log" in clause["detail"]


def test_a_driver_that_hangs_costs_the_whole_run_one_timeout(
    run_suite: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every later command fails at once with the first hang: not one timeout per test."""
    monkeypatch.setenv("ANAM_DRIVER_TIMEOUT", "2")
    started = time.monotonic()
    run = run_suite(f"driver:{sys.executable} {BROKEN} hang")
    took = time.monotonic() - started
    assert run.exit_code == 3 and run.report is not None and run.report["verdict"] == "error", run.output
    assert took < 60, took  # 100-odd checks: a timeout each would be minutes
    errors = [c for c in run.report["clauses"] if c["outcome"] == "error"]
    assert errors and all("did not answer 'start' within 2 s" in c["detail"] for c in errors), errors
    # The hang is the suite's error, never blamed on a clause of the plugin it could not reach (the
    # fake driver's describe offers no surface at all: the surface clauses fail on what it said).
    assert all(c["outcome"] != "fail" or c["id"].startswith("surface.") for c in run.report["clauses"])


def test_the_protocol_schema_is_a_valid_json_schema() -> None:
    """Checked here once, so a driven run does not pay for it each time."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema).check_schema(schema)


def test_in_these_tests_a_command_outside_the_protocol_is_the_suites_error_before_it_is_sent() -> None:
    assert os.environ.get(CHECK_REQUESTS_ENV)  # set by conftest.py for every test here
    never_started = DriverProcess("never started", [sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(RequestOutsideProtocol, match="outside the protocol"):
        never_started.request("start", {"persona": 5})
    assert never_started.pid is None


def test_every_answer_is_checked_against_the_schema() -> None:
    assert schema_problem({"id": 1, "ok": True, "result": {"closed": True}}, "close") is None
    assert schema_problem({"id": 1, "ok": True, "result": {}}, "close") is not None
    assert schema_problem({"id": 1, "ok": True, "result": {"stage": None}}, "start") is not None
    bad_kind = {
        "stage": "start",
        "failure": {"kind": "ValueError", "type_name": "E", "message": ""},
        "audio": None,
        "avatar_identity": None,
    }
    assert schema_problem({"id": 1, "ok": True, "result": bad_kind}, "start") is not None


START_CALL: dict[str, Any] = {
    "persona": {"name": "n", "avatar_id": "a", "avatar_model": None, "director_notes": None},
    "session_options": None,
    "api_url": "http://127.0.0.1:1",
    "api_key": "k",
    "livekit": {"url": "wss://x", "api_key": "k", "api_secret": "s"},
    "room": {"name": "r", "local_identity": "a"},
    "avatar_identity": None,
    "conn_options": {"max_retry": 2, "retry_interval": 0.0, "timeout": 5.0},
}
STARTED: dict[str, Any] = {"stage": None, "failure": None, "audio": None, "avatar_identity": None}
BUILT: dict[str, Any] = {"fields": {"video_width": {"repr": "None", "value": None}}, "error": None}


def test_the_optional_pieces_are_in_the_protocol_both_ways() -> None:
    """client-faults, the premise a start broke, python-types: all optional, none required of a driver."""
    assert (
        request_problem({"id": 1, "command": "start", **START_CALL, "client_fault": "reset"}, "start") is None
    )
    batch = {"id": 1, "command": "start-batch", "starts": [{**START_CALL, "client_fault": "timeout"}]}
    assert request_problem(batch, "start-batch") is None
    assert request_problem({"id": 1, "command": "start", **START_CALL, "client_fault": "slow"}, "start")
    probe = {"id": 1, "command": "probe-types", "persona_config": {"name": "n"}, "session_options": {}}
    assert request_problem(probe, "probe-types") is None
    assert request_problem({"id": 1, "command": "probe-types"}, "probe-types") is not None

    faulted = {"method": "POST", "path": "/v1/x", "headers": {"A": "b"}, "text": "", "json": {"k": 1}}
    premise = {"clause": "surface.session-options", "expected_actual": "SessionOptions() to be taken"}
    for result in (
        {**STARTED, "stage": "options", "premise": premise},
        {**STARTED, "stage": "persona", "premise": None, "faulted_requests": [faulted]},
    ):
        assert schema_problem({"id": 1, "ok": True, "result": result}, "start") is None, result
    for wrong in (
        {**STARTED, "premise": {"clause": "avatar.joins", "expected_actual": "x"}},  # no premise of its own
        {**STARTED, "faulted_requests": [{"method": "POST"}]},
        {**STARTED, "stage": "wait_for_join"},
    ):
        assert schema_problem({"id": 1, "ok": True, "result": wrong}, "start") is not None, wrong

    types = {"persona_config": BUILT, "session_options_default": None, "session_options_given": BUILT}
    assert schema_problem({"id": 1, "ok": True, "result": types}, "probe-types") is None
    refused = {**BUILT, "fields": {}, "error": {"kind": "other", "type_name": "TypeError", "message": "m"}}
    assert (
        schema_problem({"id": 1, "ok": True, "result": {**types, "persona_config": refused}}, "probe-types")
        is None
    )
    opaque = {**BUILT, "fields": {"name": {"repr": "<object>", "value": {"not": "plain"}}}}
    assert schema_problem({"id": 1, "ok": True, "result": {**types, "persona_config": opaque}}, "probe-types")


def test_a_driver_without_capabilities_offers_none() -> None:
    """The Node driver and older drivers say nothing of capabilities: every one is off."""
    from anam_conformance.drivers.python import driver
    from anam_conformance.implementations.driven import description_of

    offered: dict[str, Any] = driver.describe(*driver.load_plugin("plugin_under_test"))
    described = {k: v for k, v in offered.items() if k not in ("capabilities", "commands")}
    for result in (offered, described):
        assert schema_problem({"id": 1, "ok": True, "result": result}, "describe") is None
    plain = description_of("x", "d", described).capabilities  # type: ignore[arg-type]
    assert not (plain.client_faults or plain.python_types or plain.shared_http_client)
    full = description_of("x", "d", offered).capabilities  # type: ignore[arg-type]
    assert full.client_faults and full.python_types and not full.shared_http_client


def _one_check(plugin: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", ONE_TEST, "-p", "no:randomly", "-q", f"--anam-plugin={plugin}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_a_driver_that_cannot_describe_itself_stops_the_run(tmp_path: Path) -> None:
    script = tmp_path / "silent.py"
    script.write_text("import sys\nprint('usage: nothing', flush=True)\n")
    done = _one_check(f"driver:{sys.executable} {script}")
    assert done.returncode == 4, done.stdout + done.stderr
    assert "usage: nothing" in done.stderr + done.stdout


def test_protocol_errors_name_the_driver() -> None:
    process = DriverProcess(
        "echo-driver", [sys.executable, "-c", "import sys\nfor l in sys.stdin: print('x')"]
    )
    try:
        with pytest.raises(DriverProtocolError, match="driver echo-driver: answered 'describe'"):
            process.request("describe")
    finally:
        process.close()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_missing_node_is_a_usage_error_saying_how_to_get_it(tmp_path: Path) -> None:
    done = _one_check("npm:@livekit/agents-plugin-anam@1.5.0", env={**os.environ, "PATH": str(tmp_path)})
    assert done.returncode == 4, done.stdout + done.stderr
    assert "nodejs.org" in done.stderr + done.stdout
