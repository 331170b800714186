"""The project's own tests run the conformance suite itself, in-process, against known plugins."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from anam_conformance.implementations.process import CHECK_REQUESTS_ENV

# Every command the suite sends a driver, here and in the suites these tests start, is checked
# against the protocol's schema: a verdict does not pay for it, so its mistakes must show here.
os.environ[CHECK_REQUESTS_ENV] = "1"
# The plugins these tests judge (broken_plugins, tampering_plugins) are imported by the Python
# driver, in a process of its own: it finds them as any Python would, on PYTHONPATH.
TESTS = Path(__file__).resolve().parent
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(TESTS), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
)

pytest_plugins = ["pytester"]

SUITE = TESTS.parent / "conformance"


@dataclass(frozen=True)
class SuiteRun:
    exit_code: int
    report: dict[str, Any] | None
    output: str

    def outcomes(self) -> dict[str, str]:
        assert self.report is not None, self.output
        return {c["id"]: c["outcome"] for c in self.report["clauses"]}


@pytest.fixture
def run_suite(pytester: pytest.Pytester) -> Any:
    """Run ``pytest conformance --anam-plugin=MODULE`` in this process and read its JSON report,
    checked against the report's schema."""
    from anam_conformance import report as reporting

    def run(module: str, *args: str) -> SuiteRun:
        report_path = pytester.path / "report.json"
        result = pytester.runpytest_inprocess(
            str(SUITE),
            f"--anam-plugin={module}",
            f"--conformance-report={report_path}",
            "-p",
            "no:randomly",
            *args,
        )
        output = result.stdout.str() + result.stderr.str()
        report = json.loads(report_path.read_text()) if report_path.exists() else None
        if report is not None:
            # Every report a test reads matches the schema the suite ships (docs/report-schema.md).
            problems = reporting.schema_problems(report)
            assert not problems, "the report breaks its schema:\n" + "\n".join(problems) + "\n" + output
        return SuiteRun(int(result.ret), report, output)

    return run


#: The Node release the broken and tampering Node plugins wrap.
NODE_RELEASE = ("@livekit/agents-plugin-anam", "1.5.0")


@pytest.fixture(scope="module")
def release_dir() -> Path:
    """The cached 1.5.0 install (installed from npm on first use); skipped where Node cannot be had."""
    from anam_conformance.implementations import node

    try:
        plugin_dir = node.install_release(*NODE_RELEASE)
    except (node.NodeUnavailable, RuntimeError, OSError) as error:
        pytest.skip(f"the Node plugin cannot be installed here: {error}")
    return plugin_dir.parents[2]  # <cache>/<name>@<version>/node_modules/@livekit/agents-plugin-anam


def placed(release_dir: Path, variant: Path) -> Path:
    """A Node variant copied next to the cached release, so it and its peers resolve as in a project."""
    target = release_dir / "variants" / variant.name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(variant, target)
    return target
