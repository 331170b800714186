"""Every clause can fail: each broken plugin is rejected for exactly the clauses it breaks, and no other."""

from __future__ import annotations

import gauntlet
import pytest
from anam_conformance.clauses import CLAUSES, Level, clause
from details import blocking_cycles, contradictions_in

MUTANTS = {mutant.name: mutant for mutant in gauntlet.catalogue()}
BREAKING = list(MUTANTS)


def breaks(variant: str) -> tuple[str, ...]:
    return MUTANTS[variant].breaks


def test_every_clause_has_a_broken_plugin_that_breaks_it() -> None:
    covered = {clause_id for variant in BREAKING for clause_id in breaks(variant)}
    assert {c.id for c in CLAUSES} - covered == set()


def test_the_gauntlet_has_at_least_twenty_mutants_naming_known_clauses() -> None:
    assert len(BREAKING) >= 20
    for name in BREAKING:
        for clause_id in breaks(name):
            clause(clause_id)  # raises, naming the clause, if a mutant declares an unknown one


def test_the_reference_plugin_conforms(run_suite) -> None:
    run = run_suite("plugin_under_test")
    assert run.exit_code == 0, run.output
    assert run.report["verdict"] == "conforming"
    assert set(run.outcomes().values()) == {"pass"}, run.outcomes()


@pytest.mark.parametrize("variant", BREAKING)
def test_broken_plugin_is_rejected_for_what_it_breaks(run_suite, variant: str) -> None:
    run = run_suite(f"broken_plugins.{variant}", f"--conformance-profile={gauntlet.MUTANT_PROFILE}")
    breaks_a_must = any(clause(c).level is Level.MUST for c in breaks(variant))
    assert run.exit_code == (1 if breaks_a_must else 0), run.output
    assert run.report["verdict"] == ("nonconforming" if breaks_a_must else "conforming")
    verdict = gauntlet.judge(MUTANTS[variant], run.exit_code, run.report, 0.0)
    assert verdict.killed, f"{variant}: {gauntlet.state(verdict)}: {verdict.details}"
    assert not contradictions_in(run.report), contradictions_in(run.report)
    assert not blocking_cycles(run.report), blocking_cycles(run.report)


def test_a_plugin_without_session_options_is_unimplemented_not_failed(run_suite) -> None:
    run = run_suite("broken_plugins.without_session_options")
    assert run.exit_code == 1
    outcomes = run.outcomes()
    feature = {c.id for c in CLAUSES if c.feature}
    conditional = {c.id for c in CLAUSES if c.applies_if}
    assert {c for c, o in outcomes.items() if o == "unimplemented"} == feature | conditional
    assert {o for c, o in outcomes.items() if c not in feature | conditional} == {"pass"}


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (
            "broken_plugins._not_a_plugin",
            "is not an Anam plugin: it lacks AvatarSession, PersonaConfig",
        ),
        ("broken_plugins._fails_to_import", "cannot be imported: ImportError"),
        ("no_such_plugin_module", "cannot be imported: ModuleNotFoundError"),
    ],
)
def test_a_module_that_is_not_a_plugin_stops_the_run(run_suite, module: str, message: str) -> None:
    run = run_suite(module)
    assert run.exit_code == pytest.ExitCode.USAGE_ERROR
    assert f"--anam-plugin={module}" in run.output and message in run.output
    assert run.report is None
