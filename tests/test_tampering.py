"""Plugins that attack the judge, not the contract, get exactly the verdict their wire behaviour earns.

No module of ``tampering_plugins`` is ever imported here: each is an attack on
the process that imports it. Each runs in the sandbox (``--anam-isolation=sandbox``): it cannot patch the
judge, hide a clause, rewrite the suite's files or its reports, signal the
judge, leave a process behind or read the judge's secrets. After each run the
suite's files are byte-identical, and the report is the judge's own.
"""

from __future__ import annotations

import ast
import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from anam_conformance import expectations
from anam_conformance.clauses import Level, clause
from anam_conformance.implementations import sandbox
from conftest import placed

ROOT = Path(__file__).resolve().parent.parent
TAMPERING = ROOT / "tests" / "tampering_plugins"
#: Set in the judge's environment (tampering_plugins/_attacks.py reads it: never imported here).
SECRET_ENV = "ANAM_CONFORMANCE_TEST_SECRET"
SUITE_FOLDERS = ("conformance", "snapshots", "cassettes", "drivers", "expectations", "plugin_under_test")
ATTACKS = [
    "forges_the_verdict",
    "registers_pytest_hooks",
    "rewrites_the_evidence",
    "forges_the_report",
    "forks_a_survivor",
    "reads_the_judges_secrets",
]


def declared(attack: str, name: str) -> tuple[str, ...] | None:
    """A tuple the module declares, read from its source: importing it here would attack this process."""
    tree = ast.parse((TAMPERING / f"{attack}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == name and node.value is not None:  # type: ignore[union-attr]
            return tuple(ast.literal_eval(node.value))  # type: ignore[union-attr]
    return None


def declared_breaks(attack: str) -> tuple[str, ...]:
    breaks = declared(attack, "BREAKS")
    if breaks is None:
        raise LookupError(f"{attack} declares no BREAKS")
    return breaks


def suite_digest() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in SUITE_FOLDERS
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(autouse=True)
def the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = sandbox.why_unavailable()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI installs bubblewrap, and the sandbox must work there: {problem}")
        pytest.skip(f"no sandbox on this machine: {problem}")
    monkeypatch.setenv(SECRET_ENV, "the-judges-secret")


def survivors(command: str) -> str:
    """Processes running ``command``, anywhere on the machine.

    Only the attack that starts ``command`` is checked for it: under xdist another worker may be
    running that attack at this very moment, and its process is alive until that run ends.
    """
    found = subprocess.run(["pgrep", "-af", command], capture_output=True, text=True, check=False)
    return found.stdout.strip()


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_on_the_judge_changes_nothing_but_what_the_wire_shows(run_suite: Any, attack: str) -> None:
    before = suite_digest()
    breaks = declared_breaks(attack)
    run = run_suite(f"tampering_plugins.{attack}", "--anam-isolation=sandbox", "--conformance-profile=quick")
    assert suite_digest() == before, "the plugin changed the suite's files"
    assert run.report is not None, run.output
    assert run.report["plugin"]["isolation"] == "sandbox"
    outcomes = run.outcomes()
    assert {c for c, o in outcomes.items() if o == "fail"} == set(breaks), run.output
    assert {o for c, o in outcomes.items() if c not in breaks} <= {"pass", "blocked"}, outcomes
    breaks_a_must = any(clause(c).level is Level.MUST for c in breaks)
    assert run.report["verdict"] == ("nonconforming" if breaks_a_must else "conforming")
    assert run.exit_code == (1 if breaks_a_must else 0), run.output
    survivor = declared(attack, "SURVIVOR")
    if survivor is not None:
        left = survivors(" ".join(survivor))
        assert not left, f"a process the plugin forked outlived the run: {left}"


def test_the_forking_attack_names_the_process_the_survivor_check_looks_for() -> None:
    """Without its ``SURVIVOR`` the check after ``forks_a_survivor`` would look for nothing, and pass."""
    assert declared("forks_a_survivor", "SURVIVOR")


@pytest.mark.parametrize("attack", ["kills_its_parent", "kills_its_process_group"])
def test_a_plugin_that_signals_its_parent_or_group_ends_only_its_own_sandbox_and_the_report_names_it(
    run_suite: Any, attack: str
) -> None:
    """Inside the sandbox its parent is the relay and its group its own: it ends its own driver (at
    import, or in ``start()``), the judge goes on, and every report says why there is no verdict."""
    before = suite_digest()
    run = run_suite(f"tampering_plugins.{attack}", "--anam-isolation=sandbox", "--conformance-profile=quick")
    assert suite_digest() == before
    assert run.exit_code == 3, run.output
    assert run.report is not None and run.report["verdict"] == "error", run.output
    details = " ".join(str(c["detail"]) for c in run.report["clauses"])
    assert f"driver python (tampering_plugins.{attack}): exited with code 137" in details, details


def test_a_node_package_that_attacks_the_judge_gets_its_releases_own_verdict(
    run_suite: Any, release_dir: Path
) -> None:
    """The same walls for a Node package: it rewrites the suite's evidence, leaves a process behind
    and looks for the judge's secret as it is imported, and is judged exactly as 1.5.0 is."""
    before = suite_digest()
    path = placed(release_dir, ROOT / "tests" / "tampering_node_plugins" / "attacks_the_judge")
    run = run_suite(f"node:{path}", "--anam-isolation=sandbox", "--conformance-profile=quick")
    assert suite_digest() == before, "the package changed the suite's files"
    assert run.report is not None and run.report["plugin"]["isolation"] == "sandbox", run.output
    expected = expectations.for_label(ROOT / "expectations", "npm-1.5.0")
    assert expectations.compare(expected, run.report) == [], run.output[-3000:]
    left = survivors("sleep 4243.5")
    assert not left, f"a process the package started outlived the run: {left}"
