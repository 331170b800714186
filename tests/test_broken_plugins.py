"""Every clause can fail: each broken plugin is rejected for the clauses it breaks."""

from __future__ import annotations

import importlib
import pkgutil

import broken_plugins
import pytest

from conformance.clauses import CLAUSES, Level, clause

VARIANTS = sorted(
    info.name for info in pkgutil.iter_modules(broken_plugins.__path__) if not info.name.startswith("_")
)
BREAKING = [v for v in VARIANTS if importlib.import_module(f"broken_plugins.{v}").BREAKS]


def breaks(variant: str) -> tuple[str, ...]:
    return tuple(importlib.import_module(f"broken_plugins.{variant}").BREAKS)


def test_every_clause_has_a_broken_plugin_that_breaks_it() -> None:
    covered = {clause_id for variant in BREAKING for clause_id in breaks(variant)}
    assert {c.id for c in CLAUSES} - covered == set()


def test_the_reference_plugin_conforms(run_suite) -> None:
    run = run_suite("plugin_under_test")
    assert run.exit_code == 0, run.output
    assert run.report["verdict"] == "conforming"
    assert set(run.outcomes().values()) == {"pass"}, run.outcomes()


@pytest.mark.parametrize("variant", BREAKING)
def test_broken_plugin_is_rejected_for_what_it_breaks(run_suite, variant: str) -> None:
    run = run_suite(f"broken_plugins.{variant}")
    breaks_a_must = any(clause(c).level is Level.MUST for c in breaks(variant))
    assert run.exit_code == (1 if breaks_a_must else 0), run.output
    assert run.report["verdict"] == ("nonconforming" if breaks_a_must else "conforming")
    outcomes = run.outcomes()
    assert {c: outcomes[c] for c in breaks(variant)} == {c: "fail" for c in breaks(variant)}


def test_a_plugin_without_session_options_is_unimplemented_not_failed(run_suite) -> None:
    run = run_suite("broken_plugins.without_session_options")
    assert run.exit_code == 1
    outcomes = run.outcomes()
    feature = {c.id for c in CLAUSES if c.feature}
    assert {c for c, o in outcomes.items() if o == "unimplemented"} == feature
    assert {o for c, o in outcomes.items() if c not in feature} == {"pass"}


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
