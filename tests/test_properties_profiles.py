"""The ``ci`` profile: at least 1,000 examples, the same ones every run, nothing written; and the option."""

from __future__ import annotations

import re

import pytest

TALLY = re.compile(r"profile (\w+): (\d+) examples in (\d+) property tests, ([\d.]+) s")


def _tally(output: str) -> tuple[str, int, int]:
    found = TALLY.search(output)
    assert found, output
    return found[1], int(found[2]), int(found[3])


def test_the_ci_profile_runs_at_least_1000_examples_and_writes_no_database(
    run_suite, pytester: pytest.Pytester
) -> None:
    first = run_suite("plugin_under_test", "-k", "test_properties")
    profile, examples, tests = _tally(first.output)
    assert (profile, tests) == ("ci", 7) and examples >= 1000, first.output
    assert not (pytester.path / ".hypothesis").exists()
    second = run_suite("plugin_under_test", "-k", "test_properties")
    assert _tally(second.output)[1] == examples  # derandomized: the same examples every run


def test_the_profile_is_chosen_by_option(run_suite) -> None:
    run = run_suite("plugin_under_test", "-k", "test_properties", "--conformance-profile=dev")
    profile, examples, _ = _tally(run.output)
    assert profile == "dev" and examples < 1000, run.output


def test_an_unknown_profile_is_refused_naming_the_option(run_suite) -> None:
    run = run_suite("plugin_under_test", "--conformance-profile=nightly")
    assert run.exit_code == pytest.ExitCode.USAGE_ERROR
    assert "--conformance-profile" in run.output and "nightly" in run.output
