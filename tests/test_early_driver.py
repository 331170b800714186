"""The Node driver a command line names is started while the suite imports, and adopted by the loader.

Only the very command the loader would run is adopted; one nobody asks for is
ended at exit; and a spec that cannot be started early is left to the loader,
which says what is wrong with it.
"""

from __future__ import annotations

import pytest
from anam_conformance.implementations import early, node, process
from anam_conformance.implementations.driven import DrivenImplementation
from anam_conformance.implementations.loading import load_target

RELEASE = "npm:@livekit/agents-plugin-anam@1.5.0"


@pytest.fixture
def release() -> str:
    try:
        node.install_release("@livekit/agents-plugin-anam", "1.5.0")
    except (node.NodeUnavailable, RuntimeError, OSError) as error:
        pytest.skip(f"the Node plugin cannot be installed here: {error}")
    return RELEASE


@pytest.mark.parametrize(
    ("args", "environ", "named"),
    [
        (["conformance", f"--anam-plugin={RELEASE}"], {}, RELEASE),
        (["--anam-plugin", "node:../plugin", "-q"], {}, "node:../plugin"),
        (["--anam-plugin=one", "--anam-plugin=two"], {}, "two"),
        (["conformance"], {"ANAM_PLUGIN": RELEASE}, RELEASE),
        (["conformance", "-q"], {}, None),
    ],
)
def test_the_spec_is_read_as_pytest_reads_it(
    args: list[str], environ: dict[str, str], named: str | None
) -> None:
    assert early.named_spec(args, environ) == named


def test_the_loader_adopts_the_driver_started_early(release: str) -> None:
    early.start_named_driver([f"--anam-plugin={release}"], {})
    (started,) = process._EARLY.values()
    target = load_target(release)
    try:
        assert isinstance(target, DrivenImplementation)
        assert target.process.pid == started.pid
        assert process._EARLY == {}
    finally:
        target.close()


def test_a_driver_nobody_asks_for_is_ended_at_exit(release: str) -> None:
    early.start_named_driver([f"--anam-plugin={release}"], {})
    (started,) = process._EARLY.values()
    process._end_unadopted()
    assert started.poll() is not None and process._EARLY == {}


@pytest.mark.parametrize(
    "spec",
    [
        "plugin_under_test",
        "driver:python my_driver.py",
        "npm:@livekit/agents-plugin-anam@0.0.0-never",
        "npm:",
    ],
)
def test_only_a_node_plugin_ready_to_run_is_started_early(spec: str) -> None:
    early.start_named_driver([f"--anam-plugin={spec}"], {})
    assert process._EARLY == {}
