"""The suite as a distribution: it carries its evidence and judges a plugin from any directory.

The end-to-end check builds the wheel from the checkout's tracked files,
installs it in a fresh virtual environment and ``livekit-plugins-anam==1.8.9``
with its livekit-agents in another (uv, from its cache and the locked
requirements), as the CI gate keeps them, and runs ``anam-conformance`` with
``--anam-python`` from a directory whose own pytest configuration would break
any run that took it in; then every maintainer's command the README and docs show
against the released plugin, as shown. It is marked ``slow`` so a quick local run
can deselect it (``-m "not slow"``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import metadata
from pathlib import Path

import pytest
from anam_conformance import evidence, expectations
from anam_conformance.implementations import sandbox
from documented import DOCUMENTED, judges_a_release, with_venvs
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from wheels import built_wheel, uv

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_PYPROJECT = '[tool.pytest.ini_options]\naddopts = "-x --no-such-option"\n'
HOSTILE_CONFTEST = """\
import pytest


@pytest.fixture(autouse=True)
def hostile():
    raise RuntimeError("this directory's conftest.py must not reach the suite")
"""


#: Each repository folder and the package name it is installed under.
MAPPED = {
    "conformance": "anam_conformance",
    "plugin_under_test": "anam_conformance.plugin_under_test",
    "drivers": "anam_conformance.drivers",
    "snapshots": "anam_conformance.evidence.snapshots",
    "cassettes": "anam_conformance.evidence.cassettes",
    "expectations": "anam_conformance.evidence.expectations",
}


def _packages_on_disk() -> set[str]:
    found = set()
    for top, package in MAPPED.items():
        for init in (ROOT / top).rglob("__init__.py"):
            if "__pycache__" not in init.parts:
                found.add(".".join((package, *init.parent.relative_to(ROOT / top).parts)))
    return found


def test_the_package_dirs_are_the_mapped_folders() -> None:
    mapped = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    assert {package: folder for folder, package in MAPPED.items()} == mapped


def test_every_package_is_in_the_distribution() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert _packages_on_disk() - listed == set(), "add them to [tool.setuptools] packages in pyproject.toml"


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def test_the_metadata_says_what_installs() -> None:
    """requires-python is the lowest Python every dependency installs on, and the tools target it."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project, tool = pyproject["project"], pyproject["tool"]
    lowest = project["requires-python"].removeprefix(">=")
    supported = SpecifierSet(project["requires-python"])
    below = f"{_minor(lowest)[0]}.{_minor(lowest)[1] - 1}"
    assert lowest in supported and below not in supported
    needs = {}
    for text in project["dependencies"]:
        name = Requirement(text).name
        needs[name] = SpecifierSet(metadata(name).get("Requires-Python") or "")
    assert all(lowest in spec for spec in needs.values()), needs
    # ... and no lower: some dependency (syrupy 7, vcrpy 9.4) does not install below it.
    assert [name for name, spec in needs.items() if below not in spec], needs
    assert tool["mypy"]["python_version"] == lowest
    assert tool["ruff"]["target-version"] == "py{}{}".format(*_minor(lowest))
    assert f"Python {lowest} or newer" in (ROOT / "README.md").read_text()
    # The license, in the repository and in the wheel's metadata; the package says it is typed.
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    license_text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert (ROOT / "conformance" / "py.typed").is_file()
    assert "py.typed" in tool["setuptools"]["package-data"]["anam_conformance"]


def test_an_editable_install_finds_the_checkouts_own_evidence() -> None:
    # Maintainers' --snapshot-update and `python -m anam_conformance.cassettes` write where they commit.
    assert evidence.snapshot_dir() == ROOT / "snapshots"
    assert evidence.cassette_dir() == ROOT / "cassettes"
    assert evidence.expectation_dir() == ROOT / "expectations"


def _run_in(folder: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_the_installed_wheel_judges_a_release_from_a_hostile_directory(tmp_path: Path) -> None:
    wheel = built_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    for kind, folder, pattern in (
        ("snapshots", ROOT / "snapshots", "*.json"),
        ("cassettes", ROOT / "cassettes", "*.json"),
        ("expectations", ROOT / "expectations", "*.toml"),
    ):
        for path in folder.glob(pattern):
            assert f"anam_conformance/evidence/{kind}/{path.name}" in names
    # Typed (PEP 561), licensed, and installable where it says.
    assert "anam_conformance/py.typed" in names
    assert "anam_conformance-0.1.0.dist-info/licenses/LICENSE" in names
    wheel_metadata = zipfile.ZipFile(wheel).read("anam_conformance-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: Apache-2.0" in wheel_metadata.splitlines()
    assert "Requires-Python: >=3.11" in wheel_metadata.splitlines()
    # The wheel owns its one top-level name: no `conformance` (another project's on PyPI), no plugin.
    assert {name.split("/")[0] for name in names if not name.startswith("anam_conformance-")} == {
        "anam_conformance"
    }

    # Two environments, as the gate keeps them: the suite (no livekit-agents of its own) and the
    # plugin with the livekit-agents of its release, which the suite's driver runs under.
    venv, plugin_venv = tmp_path / "venv", tmp_path / "plugin-venv"
    for folder in (venv, plugin_venv):
        uv("venv", "--quiet", "--python", sys.executable, str(folder))
    python = venv / "bin" / "python"
    constraints = ROOT / "requirements" / "matrix.txt"
    uv("pip", "install", "--quiet", "--python", str(python), "-c", str(constraints), str(wheel))
    plugin_lock = ROOT / "requirements" / "plugin-1.8.9.txt"
    uv("pip", "sync", "--quiet", "--python", str(plugin_venv / "bin" / "python"), str(plugin_lock))
    no_agents = subprocess.run([str(python), "-c", "import livekit.agents"], capture_output=True, check=False)
    assert no_agents.returncode != 0, "the suite's own install brought livekit-agents"

    hostile = tmp_path / "plugin-repository"
    hostile.mkdir()
    (hostile / "pyproject.toml").write_text(HOSTILE_PYPROJECT)
    (hostile / "conftest.py").write_text(HOSTILE_CONFTEST)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTEST_ADDOPTS"] = "--no-such-option-either"
    run = _run_in(
        hostile,
        env,
        str(venv / "bin" / "anam-conformance"),
        "--anam-plugin=livekit.plugins.anam",
        f"--anam-python={plugin_venv / 'bin' / 'python'}",
        "--conformance-report=report.json",
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    report = json.loads((hostile / "report.json").read_text())
    assert report["verdict"] == "conforming", output
    plugin = report["plugin"]
    assert (plugin["module"], plugin["version"]) == ("livekit.plugins.anam", "1.8.9")
    assert plugin["framework"]["livekit-agents"] == "1.8.9" and plugin["language"] == "python"
    assert plugin["isolation"] == ("process" if sandbox.why_unavailable() else "sandbox")
    # Every clause as 1.8.9 is known to fare: the snapshots and cassettes were found and judged.
    assert expectations.compare(expectations.for_label(evidence.expectation_dir(), "1.8.9"), report) == []
    assert "anam-conformance: verdict: conforming" in output

    # The maintainer's commands the docs show, as shown (the docs' venvs are these two).
    documented = [(page, words) for page, words in DOCUMENTED if judges_a_release(words)]
    assert len(documented) >= 3, documented
    for number, (page, words) in enumerate(documented):
        folder = tmp_path / f"documented-{number}"
        folder.mkdir()
        done = _run_in(folder, env, *with_venvs(words, venv, plugin_venv))
        shown = f"{page}: {' '.join(words)}"
        assert done.returncode == 0, f"{shown}\n{done.stdout[-2000:]}{done.stderr[-1000:]}"
        assert "anam-conformance: verdict: conforming" in done.stdout + done.stderr, shown
        for word in words:
            option, _, value = word.partition("=")
            if option.startswith("--conformance-") and value:
                assert (folder / value).is_file(), f"{shown}: wrote no {value}"
