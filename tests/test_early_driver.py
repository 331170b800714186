"""The driver a command line names is started while the suite imports, and adopted by the loader.

Only the very command the loader would run is adopted; one nobody asks for is
ended at exit; and a spec that cannot be started early is left to the loader,
which says what is wrong with it.
"""

from __future__ import annotations

import pytest
from anam_conformance.implementations import early, node, process, sandbox
from anam_conformance.implementations.driven import DrivenImplementation
from anam_conformance.implementations.loading import DEFAULT_PLACEMENT, load_target
from anam_conformance.implementations.specs import Placement

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


def adopted(spec: str, placement: Placement = DEFAULT_PLACEMENT, *args: str) -> None:
    """Started early from the command line, the driver is the one the loader then runs."""
    early.start_named_driver([f"--anam-plugin={spec}", *args], {})
    (started,) = process._EARLY.values()
    target = load_target(spec, placement=placement)
    try:
        assert isinstance(target, DrivenImplementation)
        assert target.process.pid == started.pid
        assert process._EARLY == {}
    finally:
        target.close()


def test_the_loader_adopts_the_driver_started_early(release: str) -> None:
    adopted(release)


def test_a_driver_nobody_asks_for_is_ended_at_exit(release: str) -> None:
    early.start_named_driver([f"--anam-plugin={release}"], {})
    (started,) = process._EARLY.values()
    process._end_unadopted()
    assert started.poll() is not None and process._EARLY == {}


@pytest.mark.parametrize(
    "spec",
    [
        "driver:python my_driver.py",
        "npm:@livekit/agents-plugin-anam@0.0.0-never",
        "npm:",
    ],
)
def test_only_a_plugin_ready_to_run_is_started_early(spec: str) -> None:
    early.start_named_driver([f"--anam-plugin={spec}"], {})
    assert process._EARLY == {}


@pytest.mark.parametrize("isolation", ["sandbox", "process"])
def test_a_python_module_is_started_early_as_the_loader_asks_for_it(isolation: str) -> None:
    if isolation == "sandbox" and sandbox.why_unavailable() is not None:
        pytest.skip(f"no sandbox: {sandbox.why_unavailable()}")
    adopted("plugin_under_test", Placement(isolation=isolation), f"--anam-isolation={isolation}")


def test_nothing_is_started_early_for_in_process_judging() -> None:
    early.start_named_driver(["--anam-plugin=plugin_under_test", "--anam-isolation=in-process"], {})
    assert process._EARLY == {}
