"""The product Python driver (``drivers/python/driver.py``): a module judged through it is judged
as it is in-process, clause by clause and check by check.

The driver and the in-process adapter run the same code (the adapter imports the
driver's doubles, fact readers and start), so what these tests pin is the
protocol between them: every fact crosses it whole, the premises the public types
break come back as the same ``blocked``, and the capabilities only Python offers
(faults at the plugin's own HTTP client, its own types) run through the driver too.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from anam_conformance.assertions import Blocked
from anam_conformance.drivers.python import driver
from anam_conformance.harness.start import start_avatar
from anam_conformance.implementations.driven import DrivenImplementation
from anam_conformance.implementations.in_process import PythonModule
from anam_conformance.implementations.loading import TargetError, load_target
from anam_conformance.implementations.protocol import OutsideProtocol, start_answer
from anam_conformance.port import Implementation, UnmetPremise
from anam_conformance.suite.test_surface import GIVEN_OPTIONS, KEPT_PERSONA

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "drivers" / "python" / "driver.py"
#: The checks that need what only a Python plugin offers, skipped for every other driver.
PYTHON_TYPES_CHECKS = (
    "test_persona_config_keeps_the_released_fields",
    "test_session_options_defaults_to_no_dimensions",
    "test_session_options_keeps_what_it_is_given",
)
CLIENT_FAULT_CHECKS = (
    "test_a_connection_fault_is_an_api_connection_error",
    "test_a_timeout_is_an_api_timeout_error",
)


def through_the_driver(module: str) -> str:
    return f"driver:{sys.executable} {DRIVER} {module}"


def driven(module: str) -> DrivenImplementation:
    target = load_target(through_the_driver(module))
    assert isinstance(target, DrivenImplementation)
    return target


def in_process(module: str) -> PythonModule:
    """The in-process adapter, built here from the driver's own loader (as the loader builds it)."""
    loaded, types = driver.load_plugin(module)
    return PythonModule(loaded.__name__, driver.version_of(loaded), types)


def checks_of(report: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {t["nodeid"]: (t["outcome"], t["detail"]) for c in report["clauses"] for t in c["tests"]}


def test_the_reference_through_the_driver_has_every_outcome_it_has_in_process(run_suite: Any) -> None:
    through = run_suite(through_the_driver("plugin_under_test"), "-n", "2")
    inside = run_suite("plugin_under_test", "--anam-isolation=in-process", "-n", "2")
    assert through.exit_code == inside.exit_code == 0, through.output
    assert through.report is not None and through.report["verdict"] == "conforming", through.output
    assert through.outcomes() == inside.outcomes()
    assert checks_of(through.report) == checks_of(inside.report)  # check by check, message by message
    plugin = through.report["plugin"]
    assert (plugin["language"], plugin["name"]) == ("python", "anam_conformance.plugin_under_test")
    # The checks of Python's own objects and of faults at the plugin's client ran through it.
    ran = {
        nodeid.split("::")[1].split("[")[0]: outcome
        for nodeid, (outcome, _) in checks_of(through.report).items()
    }
    assert all(ran[name] == "pass" for name in (*PYTHON_TYPES_CHECKS, *CLIENT_FAULT_CHECKS)), ran


def test_it_offers_the_capabilities_only_python_has() -> None:
    target = driven("plugin_under_test")
    try:
        described = target.describe()
        assert described.capabilities.client_faults and described.capabilities.python_types
        assert not described.capabilities.shared_http_client  # vcrpy replays only the judge's client
        assert described.driver is not None and described.runtime is not None
        assert described.runtime.startswith("python ")
        assert described.framework["livekit-agents"]
    finally:
        target.close()


@pytest.mark.parametrize("module", ["plugin_under_test", "broken_plugins.session_options_without_defaults"])
def test_the_types_probe_reads_the_same_through_the_driver(module: str) -> None:
    target = driven(module)
    try:
        through = target.probe_types(KEPT_PERSONA, GIVEN_OPTIONS)
    finally:
        target.close()
    inside = in_process(module).probe_types(KEPT_PERSONA, GIVEN_OPTIONS)
    for built in ("persona_config", "session_options_default", "session_options_given"):
        a, b = getattr(through, built), getattr(inside, built)
        assert a is not None and b is not None
        assert a.error == b.error
        assert {k: repr(v) for k, v in a.fields.items()} == {k: repr(v) for k, v in b.fields.items()}
        assert dict(a.fields) == {k: v.value for k, v in b.fields.items()}
    if module == "plugin_under_test":
        assert through.session_options_default is not None
        assert (
            through.session_options_default.fields["video_width"],
            through.persona_config.fields["name"],
        ) == (
            None,
            "n",
        )
    else:  # SessionOptions() needs both dimensions there
        assert through.session_options_default is not None
        assert through.session_options_default.error is not None
        assert through.session_options_default.error.type_name == "TypeError"


def _both(module: str, **start: Any) -> tuple[Any, Any]:
    """The same start through the driver and in-process: its outcome's facts, side by side."""
    targets: list[Implementation] = [driven(module), in_process(module)]
    outcomes = []
    for target in targets:
        try:
            outcomes.append(asyncio.run(start_avatar(target, premise_raised=False, **start)))
        finally:
            target.close()
    return outcomes[0], outcomes[1]


def _unported(failure: Any) -> tuple[str, str, str]:
    """Each start has an Anam double on a port of its own."""
    return failure.kind, failure.type_name, re.sub(r":\d+/", ":PORT/", failure.message)


@pytest.mark.parametrize("fault", ["refused", "reset", "timeout", "read-timeout"])
def test_a_client_fault_is_raised_in_the_driver_and_its_requests_claimed(fault: str) -> None:
    through, inside = _both("plugin_under_test", client_fault=fault)
    assert through.failure is not None and inside.failure is not None
    assert _unported(through.failure) == _unported(inside.failure)
    assert through.failure.kind == ("api-timeout" if "timeout" in fault else "api-connection")
    assert [(r.method, r.path, r.header("Authorization") is not None) for r in through.requests] == [
        (r.method, r.path, r.header("Authorization") is not None) for r in inside.requests
    ]
    assert len(through.session_requests) == 3  # max_retry + 1, each failed at the client


@pytest.mark.parametrize(
    ("module", "session_options", "clause"),
    [
        ("broken_plugins.renamed_persona_keyword", None, "surface.drop-in"),
        ("broken_plugins.snake_case_persona_fields", None, "surface.drop-in"),
        ("broken_plugins.session_options_without_defaults", {"video_width": 1152}, "surface.session-options"),
        ("broken_plugins.default_landscape_options", {}, "surface.session-options"),
    ],
)
def test_a_premise_the_types_break_crosses_the_protocol_as_the_same_blocked(
    module: str, session_options: dict[str, object] | None, clause: str
) -> None:
    start: dict[str, Any] = {} if session_options is None else {"session_options": session_options}
    through, inside = _both(module, **start)
    assert isinstance(through.premise, UnmetPremise) and through.premise == inside.premise
    assert through.premise.clause == clause
    blocked = []
    for outcome in (through, inside):
        with pytest.raises(Blocked) as raised:
            outcome.require_premise()
        blocked.append((raised.value.by, str(raised.value)))
    assert blocked[0] == blocked[1] == (clause, f"blocked by {clause}: {through.premise.expected_actual}")
    assert (through.error_during, through.failure) == (inside.error_during, inside.failure)


def test_a_driver_may_claim_only_the_premises_of_the_public_types() -> None:
    result: dict[str, Any] = {"stage": "construct", "failure": None, "audio": None, "avatar_identity": None}
    assert start_answer({**result, "premise": None}).premise is None  # type: ignore[typeddict-item]
    with pytest.raises(OutsideProtocol, match=r"avatar\.joins"):
        start_answer({**result, "premise": {"clause": "avatar.joins", "expected_actual": "x"}})  # type: ignore[typeddict-item]


def _answers(module: str, cwd: Path, *lines: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The driver run as a user's interpreter runs it, from ``cwd``: its answers, and its stderr."""
    done = subprocess.run(
        [sys.executable, str(DRIVER), module],
        input="".join(json.dumps(line) + "\n" for line in lines),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def test_a_module_is_imported_from_the_callers_folder_and_stdout_is_the_protocols(tmp_path: Path) -> None:
    (tmp_path / "my_plugin.py").write_text(
        "import os, sys\n"
        "from anam_conformance.plugin_under_test import *\n"
        "print('a plugin that prints at import')\n"
        "os.write(1, b'and writes to file descriptor 1\\n')\n"
        "__version__ = sys.path[0]\n"
    )
    answers, stderr = _answers("my_plugin", tmp_path, {"id": 1, "command": "describe"})
    assert [a["id"] for a in answers] == [1] and answers[0]["ok"], answers
    described = answers[0]["result"]
    assert described["name"] == "my_plugin" and described["version"] == str(tmp_path)
    assert "a plugin that prints at import" in stderr and "file descriptor 1" in stderr


@pytest.mark.parametrize(
    ("module", "said"),
    [
        (
            "no_such_plugin_module",
            "the plugin module cannot be imported: ModuleNotFoundError: No module named",
        ),
        (
            "broken_plugins._fails_to_import",
            "the plugin module cannot be imported: ImportError: "
            "livekit.plugins.anam requires a newer livekit-agents",
        ),
        ("broken_plugins._not_a_plugin", "is not an Anam plugin: it lacks AvatarSession, PersonaConfig"),
    ],
)
def test_a_module_that_is_no_plugin_is_refused_in_one_line(tmp_path: Path, module: str, said: str) -> None:
    answers, _ = _answers(module, ROOT, {"id": 1, "command": "describe"}, {"id": 2, "command": "close"})
    assert [(a["id"], a["ok"], a["error"]["type_name"]) for a in answers] == [
        (1, False, "PluginNotLoaded"),
        (2, False, "PluginNotLoaded"),
    ]
    assert said in answers[0]["error"]["message"]
    # The judge shows the driver's sentence as the usage error, after the option and the spec.
    spec = through_the_driver(module)
    with pytest.raises(TargetError) as refused:
        load_target(spec)
    assert str(refused.value).startswith(f"--anam-plugin={spec}: ")
    assert said in str(refused.value) and "driver" not in str(refused.value).removeprefix(
        f"--anam-plugin={spec}"
    )


def test_the_driver_leaves_sys_path_alone_when_imported() -> None:
    """In-process, the adapter imports the driver as a module: only a script changes ``sys.path``."""
    assert str(DRIVER.parent) not in sys.path
    assert os.path.samefile(driver.__file__, DRIVER)
