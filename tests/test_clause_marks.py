"""Clause marks are checked at collection: a typo must not make a check of the suite count for nothing.

A project's own tests are not the suite's: their marks, whatever they name, are left alone.
"""

from __future__ import annotations

import pytest
from anam_conformance.port.description import Description, Surface
from anam_conformance.session import collection


@pytest.fixture(autouse=True)
def quiet_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def _check(pytester: pytest.Pytester, marks: str) -> pytest.Item:
    """A check as the suite's checks are written (the marks only apply to the suite's own)."""
    source = f"import pytest\n\n{marks}\ndef test_something():\n    pass\n"
    # syrupy's end of session needs a session that ran; this one is only collected.
    (item,) = pytester.getmodulecol(source, configargs=("-p", "no:syrupy")).collect()
    assert isinstance(item, pytest.Item)
    return item


SURFACE = Surface(
    avatar_session=True,
    framework_avatar_session=True,
    wait_for_join=True,
    session_options=True,
    session_option_fields=("video_width", "video_height"),
    disclosure=False,
    director_notes=False,
    custom_identity=True,
)


def test_an_unknown_clause_stops_the_run_naming_test_and_mark(pytester: pytest.Pytester) -> None:
    item = _check(pytester, '@pytest.mark.clause("dims.both-or-nether")')
    with pytest.raises(pytest.UsageError, match=r"::test_something: unknown clause 'dims.both-or-nether'"):
        collection.clause_ids(item)


def test_an_unknown_offer_stops_the_run_naming_test_and_mark(pytester: pytest.Pytester) -> None:
    item = _check(pytester, '@pytest.mark.clause("dims.verbatim")\n@pytest.mark.offers("SessionOption")')
    described = Description("plugin", "1.0", "python", SURFACE)
    with pytest.raises(pytest.UsageError, match=r"::test_something: unknown offer 'SessionOption'"):
        collection.gate([(item, collection.clause_ids(item))], described)


def test_a_projects_own_mistyped_clause_is_its_own_business(pytester: pytest.Pytester) -> None:
    mark = '@pytest.mark.clause("dims.both-or-nether")'
    pytester.makepyfile(test_marks=f"import pytest\n\n{mark}\ndef test_something():\n    pass\n")
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.OK
    assert "clause report" not in result.stdout.str()


def test_a_run_without_clause_tests_leaves_the_exit_code_alone(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_fails():\n    assert False\n")
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "clause report" not in result.stdout.str()
