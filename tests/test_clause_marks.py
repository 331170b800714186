"""Clause marks are checked at collection: a typo must not make a test count for nothing."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def quiet_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        (
            '@pytest.mark.clause("dims.both-or-nether")',
            "*test_marks.py::test_something: unknown clause 'dims.both-or-nether'*",
        ),
        (
            '@pytest.mark.clause("dims.verbatim")\n@pytest.mark.offers("SessionOption")',
            "*test_marks.py::test_something: unknown offer 'SessionOption'*",
        ),
    ],
    ids=["unknown-clause", "unknown-offer"],
)
def test_a_mistyped_mark_stops_the_run_naming_test_and_mark(
    pytester: pytest.Pytester, marks: str, message: str
) -> None:
    pytester.makepyfile(test_marks=f"import pytest\n\n{marks}\ndef test_something():\n    pass\n")
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_a_run_without_clause_tests_leaves_the_exit_code_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_fails():\n    assert False\n")
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "clause report" not in result.stdout.str()
