"""The suite's libraries load as Python loads them; tests are still rewritten by pytest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from anam_conformance.plain_imports import LIBRARIES, REWRITING_HOOK, rewriting_suspended

ROOT = Path(__file__).resolve().parents[1]


def loader_name(module: str) -> str:
    return type(sys.modules[module].__loader__).__name__


#: A plugin of the run below: how each module the suite's run has imported was loaded.
PROBE = """
import json
import sys


def pytest_collection_finish(session):
    loaded = list(sys.modules.items())
    loaders = {name: type(getattr(module, "__loader__", None)).__name__ for name, module in loaded}
    print("LOADERS " + json.dumps(loaders))
"""


def _collect_the_suite(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``pytest conformance --collect-only`` in the checkout, as a maintainer runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "conformance", "--collect-only", "-q", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def suite_loaders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """How a run of the suite (``pytest conformance``) loaded each module it imported."""
    folder = tmp_path_factory.mktemp("probe")
    (folder / "loader_probe.py").write_text(PROBE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")])}
    done = _collect_the_suite("-p", "loader_probe", env=env)
    found = [line for line in done.stdout.splitlines() if line.startswith("LOADERS ")]
    assert found, done.stdout[-2000:] + done.stderr[-2000:]
    loaders: dict[str, str] = json.loads(found[0].removeprefix("LOADERS "))
    return loaders


@pytest.mark.parametrize(
    "library",
    [
        "hypothesis.core",
        "syrupy",
        "livekit.api",
        "anyio",
        # Loaded lazily by anyio's pytest plugin. A plugin module itself (pytest_asyncio.plugin)
        # is not checked: pytest may load it before the suite's, in whatever order the
        # environment lists the distributions, and then it is rewritten as before.
        "anyio._backends._asyncio",
    ],
)
def test_libraries_are_not_rewritten(suite_loaders: dict[str, str], library: str) -> None:
    assert library in suite_loaders
    assert suite_loaders[library] != REWRITING_HOOK


def test_this_test_module_is_still_rewritten() -> None:
    assert loader_name(__name__) == REWRITING_HOOK


def test_the_hook_is_back_at_its_place_after_a_failed_import() -> None:
    before = list(sys.meta_path)
    with pytest.raises(ModuleNotFoundError), rewriting_suspended():
        assert all(type(f).__name__ != REWRITING_HOOK for f in sys.meta_path)
        __import__("no_such_module_for_the_suite")
    assert sys.meta_path == before


def test_every_library_is_importable(suite_loaders: dict[str, str]) -> None:
    assert all(name in suite_loaders for name in LIBRARIES)


def test_the_suite_loads_when_every_warning_is_an_error() -> None:
    """A CI that runs ``pytest -W error`` gets a verdict, not a plugin that failed to load."""
    done = _collect_the_suite("-W", "error")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
