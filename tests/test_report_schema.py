"""The JSON report's schema: valid JSON Schema, strict, in step with the code, shipped in the wheel;
and the report's ``suite`` and ``run`` blocks, which say what judged and how."""

from __future__ import annotations

import copy
import fnmatch
import importlib.metadata
import json
import subprocess
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import hypothesis
import jsonschema
import pytest
from anam_conformance import report as reporting
from anam_conformance.clauses import Level
from anam_conformance.hypothesis_profiles import PROFILES, run_block
from anam_conformance.implementations.sandbox import Isolation
from anam_conformance.session import identity
from wheels import built_wheel

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "conformance" / reporting.SCHEMA_FILE
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def objects(node: Any, where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema that describes an object by its properties, with where it is."""
    if isinstance(node, dict):
        if "properties" in node and node.get("type") == "object":
            yield where, node
        for key, value in node.items():
            yield from objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from objects(value, f"{where}/{index}")


def test_the_schema_is_json_schema_2020_12_of_this_report_version() -> None:
    found = schema()
    assert found["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(found)  # valid against the metaschema
    assert found["properties"]["schema"] == {
        **found["properties"]["schema"],
        "const": reporting.SCHEMA_VERSION,
    }
    assert found["$id"].endswith(f":{reporting.SCHEMA_VERSION}")
    assert reporting.report_schema() == found  # what the package reads is this file


def test_the_schema_is_strict_where_the_shape_is_fixed() -> None:
    for where, node in objects(schema()):
        if where.endswith("/framework"):
            assert node["additionalProperties"] == {"type": "string"}, where  # package -> version
        else:
            assert node.get("additionalProperties") is False, where
            assert set(node["required"]) <= set(node["properties"]), where


def test_the_schemas_words_are_the_codes() -> None:
    found = schema()
    top, defs = found["properties"], found["$defs"]
    clause = defs["clause"]["properties"]
    assert clause["outcome"]["enum"] == list(reporting.OUTCOMES)
    assert clause["status"]["enum"] == list(reporting.STATUSES)
    assert clause["level"]["enum"] == [level.value for level in Level]
    assert defs["testOutcome"]["enum"] == list(get_args(reporting.TestOutcome))
    assert top["verdict"]["enum"] == list(get_args(reporting.Verdict))
    assert top["plugin"]["properties"]["isolation"]["enum"] == list(get_args(Isolation))
    assert top["run"]["properties"]["profile"]["enum"] == sorted(PROFILES)
    assert top["suite"]["properties"]["name"]["const"] == reporting.DISTRIBUTION


def test_the_schema_is_package_data_of_the_wheel() -> None:
    """pyproject puts ``conformance/data/report.schema.json`` in the wheel, where the report reads it."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert "anam_conformance" in setuptools["packages"]
    assert setuptools["package-dir"]["anam_conformance"] == "conformance"
    globs = setuptools["package-data"]["anam_conformance"]
    assert any(fnmatch.fnmatch(reporting.SCHEMA_FILE, glob) for glob in globs), globs
    assert SCHEMA_PATH.is_file()


@pytest.mark.slow
def test_the_built_wheel_carries_the_schema(tmp_path: Path) -> None:
    """Built as a fresh clone would build it (tests/wheels.py)."""
    wheel = built_wheel(tmp_path)
    shipped = json.loads(zipfile.ZipFile(wheel).read(f"anam_conformance/{reporting.SCHEMA_FILE}"))
    assert shipped == schema()


# --- the report against the schema ---------------------------------------------------------------
def judged_report() -> dict[str, Any]:
    """A report as the plugin writes one: every clause, a blocked one among them."""
    records = [
        reporting.TestRecord("t::drop_in", ("surface.drop-in",), "pass"),
        reporting.TestRecord("t::verbatim", ("dims.verbatim",), "fail", "expected 720; actual 480"),
        reporting.TestRecord(
            "t::size", ("dims.published-size",), "blocked", "blocked by dims.verbatim: ...", "dims.verbatim"
        ),
    ]
    results = reporting.judge(records, surface={"SessionOptions"}, selected=None)
    plugin = {
        "module": "livekit.plugins.anam",
        "version": "1.8.9",
        "name": "livekit.plugins.anam",
        "language": "python",
        "runtime": "python 3.11.7",
        "framework": {"livekit-agents": "1.8.9"},
        "driver": "python (livekit.plugins.anam)",
        "isolation": "sandbox",
    }
    suite = reporting.suite_block("0.1.0", "e63e12ce4d18a80e51e82658affc8b8eb3e0a0b9", False)
    run = {"profile": "ci", "derandomized": True, "seed": None, "hypothesis": "6.170.17"}
    return reporting.as_json(plugin, results, suite, run)


def test_a_report_as_written_matches_the_schema() -> None:
    report = judged_report()
    assert reporting.schema_problems(report) == []
    assert list(report) == ["schema", "suite", "run", "plugin", "verdict", "partial", "clauses"]
    broke = copy.deepcopy(report)
    broke["plugin"] = {"module": "broken_plugins.exits", "version": None, "isolation": "process"}
    broke["suite"] = reporting.suite_block(None)  # a wheel: no commit, so no dirty flag either
    broke["run"] = {"profile": "dev", "derandomized": False, "seed": "a-seed", "hypothesis": "6"}
    assert reporting.schema_problems(broke) == []


@pytest.mark.parametrize(
    ("path", "value", "said"),
    [
        (("schema",), 3, "4 was expected"),
        (("surprise",), 1, "Additional properties are not allowed"),
        (("suite", "branch"), "main", "Additional properties are not allowed"),
        (("suite", "commit"), "e63e12c", "is not valid under any of the given schemas"),
        (("suite", "commit"), None, "True is not of type 'null'"),  # dirty without a commit
        (("run", "seed"), 42, "42 is not of type 'null'"),  # a seed a derandomized run ignored
        (("run", "profile"), "fast", "'fast' is not one of"),
        (("plugin", "isolation"), "none", "'none' is not one of"),
        (("plugin", "location"), "/somewhere", "Additional properties are not allowed"),
        (("clauses", 0, "status"), "ok", "'ok' is not one of"),
        (("clauses", 0, "tests", 0, "when"), "call", "Additional properties are not allowed"),
    ],
)
def test_the_schema_refuses_what_no_report_writes(path: tuple[Any, ...], value: object, said: str) -> None:
    report = judged_report()
    report["suite"]["dirty"] = True
    node: Any = report
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    problems = reporting.schema_problems(report)
    assert problems and said in problems[0], problems


# --- what judged ---------------------------------------------------------------------------------
def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True
    ).stdout


def test_the_suite_from_this_checkout_names_its_version_and_commit() -> None:
    suite = identity.suite_identity()
    assert suite["name"] == "anam-conformance"
    assert suite["version"] == importlib.metadata.version("anam-conformance")
    assert suite["commit"] == git(ROOT, "rev-parse", "HEAD").strip()
    dirty = bool(git(ROOT, "status", "--porcelain", "--untracked-files=no").strip())
    assert suite["dirty"] is dirty


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A git checkout whose package folder tracks a ``pytest_plugin.py``, as the suite's does."""
    root = tmp_path / "checkout"
    package = root / "conformance"
    package.mkdir(parents=True)
    (package / "pytest_plugin.py").write_text("# the suite\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "suite")
    return package


def test_an_editable_checkout_gives_its_commit_and_whether_tracked_files_changed(checkout: Path) -> None:
    head = git(checkout, "rev-parse", "HEAD").strip()
    assert identity.checkout_commit(checkout) == (head, False)
    (checkout / "report.json").write_text("{}\n")  # untracked: what a run leaves is not a change
    assert identity.checkout_commit(checkout) == (head, False)
    (checkout / "pytest_plugin.py").write_text("# changed\n")
    assert identity.checkout_commit(checkout) == (head, True)
    assert not (checkout.parent / ".git" / "index.lock").exists()


def test_a_wheel_has_no_commit_even_inside_a_checkout(checkout: Path) -> None:
    installed = checkout.parent / ".venv" / "lib" / "site-packages" / "anam_conformance"
    installed.mkdir(parents=True)
    (installed / "pytest_plugin.py").write_text("# the suite, installed\n")  # untracked: not the checkout's
    assert identity.checkout_commit(installed) is None
    elsewhere = checkout.parent.parent / "site-packages" / "anam_conformance"
    elsewhere.mkdir(parents=True)
    (elsewhere / "pytest_plugin.py").write_text("# the suite, installed\n")
    assert identity.checkout_commit(elsewhere) is None
    assert identity.suite_identity(elsewhere)["commit"] is None


def test_without_git_the_commit_is_unknown_and_nothing_fails(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(checkout))  # no git on it
    assert identity.checkout_commit(checkout) is None
    assert identity.suite_identity(checkout) == reporting.suite_block(
        importlib.metadata.version("anam-conformance")
    )


# --- how it ran ----------------------------------------------------------------------------------
#: Whether the random profiles are random here: hypothesis derandomizes every profile where it sees a
#: CI (``$CI``), and the report says what the run did, not what the profile asks for elsewhere.
RANDOM = not PROFILES["dev"].derandomize


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), {"profile": "ci", "derandomized": True, "seed": None}),
        (("--conformance-profile=quick", "--hypothesis-seed=42"), {"profile": "quick", "derandomized": True}),
        (("--conformance-profile=dev",), {"profile": "dev", "derandomized": not RANDOM, "seed": None}),
        (
            ("--conformance-profile=dev", "--hypothesis-seed=42"),
            {"derandomized": not RANDOM, "seed": 42 if RANDOM else None},
        ),
        (("--conformance-profile=thorough", "--hypothesis-seed=x1"), {"seed": "x1" if RANDOM else None}),
    ],
)
def test_the_run_names_its_profile_and_the_seed_its_examples_came_from(
    pytester: pytest.Pytester, args: tuple[str, ...], expected: dict[str, object]
) -> None:
    config = pytester.parseconfig(*args)
    block = run_block(config)
    assert block == block | expected
    assert block["hypothesis"] == hypothesis.__version__
    if block["derandomized"]:
        assert block["seed"] is None  # a derandomized profile ignores any seed


def test_a_run_reports_what_judged_it_and_how(run_suite: Any) -> None:
    run = run_suite("plugin_under_test", "-k", "surface", "--conformance-profile=dev", "--hypothesis-seed=7")
    assert run.exit_code == 0, run.output
    assert run.report is not None
    assert run.report["schema"] == reporting.SCHEMA_VERSION
    assert run.report["suite"] == identity.suite_identity()
    assert run.report["run"] == {
        "profile": "dev",
        "derandomized": not RANDOM,
        "seed": 7 if RANDOM else None,
        "hypothesis": hypothesis.__version__,
    }


def test_in_these_tests_a_report_that_breaks_the_schema_is_the_suites_error_and_not_written(
    run_suite: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's tests check every report a suite writes (the plugin does, under
    ``ANAM_CONFORMANCE_CHECK_REQUESTS``), wherever it runs: here, in a child, from a wheel."""
    monkeypatch.setattr(reporting, "report_schema", lambda: {**schema(), "required": ["never-written"]})
    run = run_suite("plugin_under_test", "-k", "surface")
    assert run.exit_code == reporting.NO_VERDICT_EXIT, run.output
    assert run.report is None
    said = "anam-conformance: no verdict: the report breaks its schema (data/report.schema.json): $: "
    assert f"{said}'never-written' is a required property" in run.output
