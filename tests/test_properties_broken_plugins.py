"""The property tests alone reject each broken plugin by the clause it breaks, and pass the reference."""

from __future__ import annotations

import pytest

#: Each property clause, the property test that states it, and plugins that break it.
PROPERTIES = {
    "dims.both-or-neither": ("test_a_half_pair_is_refused_before_any_request", ["half_pair_leak"]),
    "dims.local-refusal": (
        "test_a_full_pair_is_refused_locally_only_when_anam_could_never_accept_it",
        ["refuses_undocumented_pairs"],
    ),
    "dims.verbatim": (
        "test_a_full_pair_is_sent_verbatim_and_nothing_else_changes",
        ["swapped_dimensions", "stringly_dimensions", "snake_case_keys", "dimensions_in_persona_config"],
    ),
    "dims.omitted-is-baseline": (
        "test_no_dimensions_means_no_dimension_anywhere",
        ["empty_session_options"],
    ),
    "rejection.surfaced": (
        "test_every_rejection_surfaces_as_api_status_error",
        ["swallows_400", "rewraps_400"],
    ),
    "rejection.not-retried": ("test_a_rejected_request_is_sent_once", ["retries_every_error"]),
    "rejection.no-downgrade": (
        "test_a_pair_anam_refuses_is_never_downgraded",
        ["local_allow_list", "downgrades_after_400"],
    ),
}
CASES = [
    pytest.param(clause, test, variant, id=f"{clause}-{variant}")
    for clause, (test, variants) in PROPERTIES.items()
    for variant in variants
]


@pytest.mark.parametrize(("clause", "test", "variant"), CASES)
def test_the_property_rejects_the_broken_plugin(run_suite, clause: str, test: str, variant: str) -> None:
    run = run_suite(f"broken_plugins.{variant}", "-k", test)
    assert run.outcomes()[clause] == "fail", run.output
    assert "Failing test case" in run.output or "Falsifying example" in run.output, run.output


def test_the_reference_satisfies_every_property(run_suite) -> None:
    run = run_suite("plugin_under_test", "-k", "test_properties")
    outcomes = run.outcomes()
    assert {outcomes[clause] for clause in PROPERTIES} == {"pass"}, run.output
