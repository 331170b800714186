"""Under pytest-xdist the controller judges what the workers ran: the same verdict as a serial run.

The clause report is built from ``report.user_properties`` arriving at the
controller; if they were lost on the way, clauses would read ``skip`` and the
verdict would flip. Run in a subprocess because xdist cannot nest in-process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import gauntlet


def _clauses(path: Path) -> tuple[str, dict[str, str]]:
    report = json.loads(path.read_text())
    return report["verdict"], {c["id"]: c["outcome"] for c in report["clauses"]}


def test_verdict_under_xdist_is_the_serial_one(tmp_path: Path) -> None:
    # A broken plugin, so that both passing and failing clauses must cross from the workers.
    module = "broken_plugins.two_sessions"
    reports = {}
    for mode, extra in (("serial", ["-p", "no:xdist"]), ("xdist", ["-n", "2"])):
        reports[mode] = tmp_path / f"{mode}.json"
        args = gauntlet.suite_args(module, reports[mode], "-q", *extra)
        run = subprocess.run(
            [sys.executable, "-m", "pytest", *args], cwd=gauntlet.HERE.parent, capture_output=True, text=True
        )
        assert reports[mode].exists(), run.stdout + run.stderr
    serial, parallel = _clauses(reports["serial"]), _clauses(reports["xdist"])
    assert parallel == serial
    assert serial[0] == "nonconforming"
    assert {"pass", "fail"} <= set(serial[1].values())
