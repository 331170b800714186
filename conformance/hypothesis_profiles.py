"""Hypothesis settings for the property tests, chosen with ``--conformance-profile``, and their tally.

``ci`` is the default because a verdict must not depend on luck or on what an
earlier run left behind: derandomized (the same examples every run), a fixed
example count, no deadline (a loaded machine must not turn slowness into a
failure) and no example database (nothing read, nothing written). ``dev`` is
quick and random, ``thorough`` is for nightly runs. The profiles are applied to
the property tests only, never loaded globally, so a run of the suite inside
another pytest process leaves that process's hypothesis settings alone.

At the end of a run the tally says how many examples ran and how fast; it is
carried in the test reports' user properties, so it adds up under pytest-xdist too.
The JSON report's ``run`` block (:func:`run_block`) names the profile and the seed
the examples came from.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

# Imported at plugin load, before any test module: on CPython 3.11.7 hypothesis' own pytest
# plugin can crash in the end-of-run summary when no test module imported hypothesis.
import hypothesis
import pytest
from hypothesis import HealthCheck, Phase, settings

from .options import PROFILE_OPTION

OPTION = PROFILE_OPTION
TALLY_PROPERTY = "hypothesis_examples"
#: Examples per property test in the ``ci`` profile: 7 property tests make the run's 1,000+.
CI_EXAMPLES = 150

PROFILES: dict[str, settings] = {
    "ci": settings(
        max_examples=CI_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow],
    ),
    # The ci profile's determinism with a tenth of its examples and no shrinking: for runs
    # that only need to know whether many plugins fail (the mutation gauntlet), not for
    # a plugin's verdict, whose failures are worth a minimal example.
    "quick": settings(
        max_examples=CI_EXAMPLES // 10,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow],
    ),
    "dev": settings(max_examples=40, deadline=None, print_blob=True),
    "thorough": settings(
        max_examples=2_000,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    ),
}
# Registered under a prefix of their own, so a project's own "ci" profile is never replaced.
for _name, _profile in PROFILES.items():
    settings.register_profile(f"anam-conformance-{_name}", _profile)


@dataclass
class PropertyRun:
    """One property test's settings and its count of examples."""

    settings: settings
    profile: str
    examples: int = 0
    started: float = field(default_factory=time.perf_counter)

    def example(self) -> None:
        self.examples += 1


def predictable(run: PropertyRun) -> bool:
    """Whether hypothesis will try the same examples in the same order however the test behaves
    until its first failure: derandomized (the test's own seed) and no database to replay first."""
    return bool(run.settings.derandomize) and run.settings.database is None


@pytest.fixture
def property_run(request: pytest.FixtureRequest) -> Iterator[PropertyRun]:
    """The selected profile's settings, and the tally of the examples this test ran."""
    profile = request.config.getoption("conformance_profile")
    run = PropertyRun(PROFILES[profile], profile)
    yield run
    request.node.user_properties.append((TALLY_PROPERTY, (run.examples, time.perf_counter() - run.started)))


#: hypothesis' own option (its pytest plugin): the seed of every property test that is not derandomized.
SEED_OPTION = "--hypothesis-seed"


def forced_seed(config: pytest.Config) -> int | str | None:
    """``--hypothesis-seed`` as hypothesis reads it (an integer where it is one), or None."""
    given = config.getoption(SEED_OPTION, default=None)
    if given is None:
        return None
    try:
        return int(given)
    except ValueError:
        return str(given)


def run_block(config: pytest.Config) -> dict[str, Any]:
    """The report's ``run`` block: the profile and the seed the property tests' examples came from.

    A derandomized profile (``ci``, ``quick``) draws each test's examples from the test itself, so
    any ``--hypothesis-seed`` is ignored and the seed is null; otherwise the seed is the one given,
    or null when hypothesis drew a random one per test. The examples also depend on hypothesis'
    version, which the block names.
    """
    profile = str(config.getoption("conformance_profile"))
    derandomized = bool(PROFILES[profile].derandomize)
    return {
        "profile": profile,
        "derandomized": derandomized,
        "seed": None if derandomized else forced_seed(config),
        "hypothesis": hypothesis.__version__,
    }


class Tally:
    """Adds up the examples of every property test in the run (its reports, so xdist too)."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.tests = 0
        self.examples = 0
        self.seconds = 0.0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == TALLY_PROPERTY:
                examples, seconds = cast("tuple[int, float]", value)
                self.tests += 1
                self.examples += examples
                self.seconds += seconds

    def line(self) -> str:
        each = f"{self.seconds / self.examples * 1000:.1f} ms" if self.examples else "-"
        return (
            f"hypothesis {hypothesis.__version__}, profile {self.profile}: {self.examples} examples "
            f"in {self.tests} property tests, {self.seconds:.2f} s ({each} per example)"
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.tests:
            terminalreporter.section("Anam conformance: property tests")
            terminalreporter.write_line(self.line())


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Tally(config.getoption("conformance_profile")), "anam-conformance-tally")
