"""The Node rows of the matrix: each npm release, judged through the Node driver, is as expected.

The same criterion as the release matrix (``expectations/npm-<version>.toml``),
run with the gauntlet's quick property profile: an outcome that changes is a
regression in the suite's reading of the Node plugin, or of the driver.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from anam_conformance import expectations
from details import blocking_cycles, contradictions_in

EXPECTATIONS = Path(__file__).resolve().parent.parent / "expectations"


@pytest.fixture(scope="module")
def node_available() -> None:
    from anam_conformance.implementations import node

    for version in ("1.0.36", "1.5.0"):
        try:
            node.install_release("@livekit/agents-plugin-anam", version)
        except (node.NodeUnavailable, RuntimeError, OSError) as error:
            pytest.skip(f"the Node plugin cannot be installed here: {error}")


@pytest.mark.parametrize("version", ["1.0.36", "1.5.0"])
def test_npm_release_is_judged_as_expected(run_suite: Any, node_available: None, version: str) -> None:
    run = run_suite(f"npm:@livekit/agents-plugin-anam@{version}", "--conformance-profile=quick")
    assert run.report is not None, run.output[-3000:]
    expected = expectations.for_label(EXPECTATIONS, f"npm-{version}")
    mismatches = expectations.compare(expected, run.report)
    assert not mismatches, [str(m) for m in mismatches]
    assert run.report["plugin"]["language"] == "javascript"
    assert not contradictions_in(run.report), contradictions_in(run.report)
    assert not blocking_cycles(run.report), blocking_cycles(run.report)
