"""The session's plugin module: the suite's parts as pytest plugins, and the run that holds them.

Registered by the entry point (:mod:`anam_conformance.pytest_plugin`) only in runs
that judge; pytest then imports the parts listed here and calls each one's
``pytest_configure`` as it registers it.
"""

from __future__ import annotations

import pytest

from ..port.implementation import Implementation
from .paths import check_paths
from .run import RUN_PLUGIN, SuiteRun

#: The suite's further parts, each a pytest plugin module of its own (fixtures, hooks).
pytest_plugins: list[str] = [
    "anam_conformance.cassettes.plugin",
    "anam_conformance.hypothesis_profiles",
    "anam_conformance.snapshot_storage",
    "anam_conformance.renderers.pytest_outputs",
]


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        check_paths(config)
    config.pluginmanager.register(SuiteRun(config), RUN_PLUGIN)


@pytest.fixture(scope="session")
def implementation(request: pytest.FixtureRequest) -> Implementation:
    """The implementation under test, as named by ``--anam-plugin``, behind the port."""
    run = request.config.pluginmanager.get_plugin(RUN_PLUGIN)
    if not isinstance(run, SuiteRun):
        raise RuntimeError(f"{RUN_PLUGIN} is not registered: the suite's checks ran outside its session")
    return run.target.get()
