"""The reusable CI workflow (.github/workflows/anam-conformance.yml): its shape, and its own steps run.

The gate installs the suite and the plugin in two environments, runs the plugin sandboxed, pins
every action to a commit, and refuses options that would judge less than the whole suite or judge
it less isolated. The input check and the run command are run here as the workflow runs them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_PATH = ROOT / ".github" / "workflows" / "anam-conformance.yml"
WORKFLOW_TEXT = WORKFLOW_PATH.read_text(encoding="utf-8")
WORKFLOW: dict[Any, Any] = yaml.safe_load(WORKFLOW_TEXT)
#: YAML 1.1 reads the key ``on`` as true.
TRIGGER: dict[str, Any] = WORKFLOW["on"] if "on" in WORKFLOW else WORKFLOW[True]
INPUTS = TRIGGER["workflow_call"]["inputs"]
STEPS: list[dict[str, Any]] = WORKFLOW["jobs"]["conformance"]["steps"]
PINNED = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def step(name: str) -> dict[str, Any]:
    (found,) = [s for s in STEPS if s.get("name") == name]
    return found


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    uses = [line for line in WORKFLOW_TEXT.splitlines() if re.match(r"^\s*(- )?uses:", line)]
    assert len(uses) == 3
    for line in uses:
        assert PINNED.match(line), line


def test_checkout_keeps_no_credential_and_permissions_are_least() -> None:
    for s in STEPS:
        if s.get("uses", "").startswith("actions/checkout@"):
            assert s["with"]["persist-credentials"] is False
    assert WORKFLOW["permissions"] == {}
    assert WORKFLOW["jobs"]["conformance"]["permissions"] == {"contents": "read"}


def test_no_expression_is_expanded_into_a_script() -> None:
    for s in STEPS:
        assert "${{" not in s.get("run", ""), s.get("name")


def test_the_suite_is_pinned_to_a_tag_by_default() -> None:
    assert re.fullmatch(r"v\d+\.\d+\.\d+", INPUTS["suite-ref"]["default"])


def test_suite_and_plugin_are_installed_in_two_environments_and_run_sandboxed() -> None:
    suite = step("Install the suite in its own environment")["run"]
    plugin = step("Install the pull request's plugin in another environment")["run"]
    assert 'venv "$RUNNER_TEMP/suite-venv"' in suite and "plugin-venv" not in suite
    assert 'venv "$RUNNER_TEMP/plugin-venv"' in plugin and "suite-venv" not in plugin
    assert '-e "./plugin/$PLUGIN_PATH"' in plugin
    sandbox = step("Make the sandbox work")["run"]
    assert "bubblewrap" in sandbox
    assert "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0" in sandbox
    assert "[ -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns ]" in sandbox
    names = [s.get("name") for s in STEPS]
    assert names.index("Make the sandbox work") < names.index("Run the conformance suite")


def run_input_check(
    tmp_path: Path, pytest_args: str = "", **env: str
) -> tuple[subprocess.CompletedProcess[str], str]:
    """The workflow's "Check the inputs" step (``shell: python``), as the runner runs it."""
    check = step("Check the inputs")
    assert check["shell"] == "python"
    script = tmp_path / "check.py"
    script.write_text(check["run"], encoding="utf-8")
    output = tmp_path / "output"
    output.write_text("", encoding="utf-8")
    environ = {
        **os.environ,
        "PYTEST_ARGS": pytest_args,
        "ARTIFACT_NAME": "",
        "PYTHON_VERSION": "3.11",
        "JOB_CONTEXT": json.dumps({"status": "success", "check_run_id": 51725241954}),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        **env,
    }
    done = subprocess.run(
        [sys.executable, str(script)], env=environ, capture_output=True, text=True, check=False
    )
    return done, output.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ("--anam-isolation=in-process", "in-process is for debugging only"),
        ("--anam-isolation in-process", "in-process is for debugging only"),
        ("--anam-isolation=process", "--anam-isolation=sandbox"),
        ("-k dims", "partial run"),
        ("-kdims", "partial run"),
        ("-m 'not slow'", "partial run"),
        ("--deselect=conformance/suite/test_x.py", "partial run"),
        ("--deselect conformance/suite/test_x.py", "partial run"),
        ("-n 2 -x", "not an option the gate passes on"),
        ("conformance/suite/test_dims.py", "not an option the gate passes on"),
        ("-p no:anam_conformance", "not an option the gate passes on"),
        ("--anam-python=/usr/bin/python3", "not an option the gate passes on"),
        ("-n", "needs a value"),
        ("-n -k", "needs a value"),
        ("'unclosed", "cannot be read as shell words"),
    ],
)
def test_the_gate_refuses_options_that_judge_less(tmp_path: Path, args: str, said: str) -> None:
    done, output = run_input_check(tmp_path, args)
    assert done.returncode == 1
    assert done.stdout.startswith("::error title=anam-conformance input refused::")
    assert said in done.stdout
    assert output == ""


def test_the_gate_passes_on_what_it_allows(tmp_path: Path) -> None:
    done, output = run_input_check(tmp_path, "-n 2 --conformance-profile=thorough -vv -q --numprocesses auto")
    assert done.returncode == 0, done.stdout
    passed = (tmp_path / "anam-pytest-args").read_text(encoding="utf-8").split("\0")
    assert passed == ["-n", "2", "--conformance-profile=thorough", "-vv", "-q", "--numprocesses", "auto", ""]
    assert output == "artifact-name=anam-conformance-reports-py3.11-51725241954\n"


def test_the_artifact_name_is_the_callers_or_unique_per_call(tmp_path: Path) -> None:
    _, named = run_input_check(tmp_path, ARTIFACT_NAME="reports-of-mine")
    assert named == "artifact-name=reports-of-mine\n"
    done, output = run_input_check(tmp_path, ARTIFACT_NAME="mine\nverdict=conforming")
    assert done.returncode == 1 and output == ""
    assert 'no " : < > | * ? \\ / or line break' in done.stdout
    # Without a check run id (GitHub Enterprise Server), a random suffix: two calls never collide.
    names = {run_input_check(tmp_path, JOB_CONTEXT='{"status": "success"}')[1] for _ in range(2)}
    assert len(names) == 2
    unique = re.compile(r"artifact-name=anam-conformance-reports-py3\.11-[0-9a-f]{12}\n")
    assert all(unique.fullmatch(name) for name in names)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_run_step_passes_the_plugin_interpreter_the_sandbox_and_allowed_options(tmp_path: Path) -> None:
    done, _ = run_input_check(tmp_path, "-n 2 --conformance-profile 'two words'")
    assert done.returncode == 0, done.stdout
    fake = tmp_path / "suite-venv" / "bin" / "anam-conformance"
    fake.parent.mkdir(parents=True)
    fake.write_text('#!/usr/bin/env bash\nprintf "%s\\0" "$@" > "$RUNNER_TEMP/argv"\n', encoding="utf-8")
    fake.chmod(0o755)
    environ = {
        **os.environ,
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_WORKSPACE": str(tmp_path),
        "PLUGIN_MODULE": "livekit.plugins.anam",
    }
    script = step("Run the conformance suite")["run"]
    subprocess.run(["bash", "-e", "-c", script], env=environ, check=True)
    argv = (tmp_path / "argv").read_text(encoding="utf-8").split("\0")[:-1]
    assert "--anam-plugin=livekit.plugins.anam" in argv
    assert f"--anam-python={tmp_path}/plugin-venv/bin/python" in argv
    assert "--anam-isolation=sandbox" in argv
    assert argv[-4:] == ["-n", "2", "--conformance-profile", "two words"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_every_shell_step_parses() -> None:
    for s in STEPS:
        if "run" in s and s.get("shell", "bash") == "bash":
            done = subprocess.run(["bash", "-n", "-c", s["run"]], capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{s.get('name')}: {done.stderr}"
