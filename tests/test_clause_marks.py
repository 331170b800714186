"""Clause marks are checked at collection: a typo must not make a test count for nothing."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def quiet_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_an_unknown_clause_stops_the_run_naming_test_and_clause(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_typo="""
        import pytest

        @pytest.mark.clause("dims.both-or-nether")
        def test_something():
            pass
        """
    )
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_typo.py::test_something: unknown clause 'dims.both-or-nether'*"])


def test_an_unknown_feature_stops_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_feature="""
        import pytest

        @pytest.mark.clause("dims.verbatim")
        @pytest.mark.needs("SessionOption")
        def test_something():
            pass
        """
    )
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_something: unknown feature 'SessionOption'*"])


def test_a_run_without_clause_tests_leaves_the_exit_code_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_fails():\n    assert False\n")
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "clause report" not in result.stdout.str()
