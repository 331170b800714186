"""A third kind of implementation, added against the port alone: a Python module out of process.

``tests/python_driver/driver.py`` speaks ``drivers/PROTOCOL.md`` and runs the
module through the port; no check and no harness module knows it exists. The
reference judged this way gets the verdict it gets in-process, clause by clause,
and the checks that need Python's own objects are skipped for it, as for any
implementation that does not offer them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).resolve().parent / "python_driver" / "driver.py"
THROUGH_A_DRIVER = f"driver:{sys.executable} {DRIVER} plugin_under_test"


def test_the_reference_out_of_process_has_the_verdict_it_has_in_process(run_suite: Any) -> None:
    driven = run_suite(THROUGH_A_DRIVER, "-n", "2")
    in_process = run_suite("plugin_under_test", "-n", "2")
    assert driven.exit_code == in_process.exit_code == 0, driven.output
    assert driven.report is not None and driven.report["verdict"] == "conforming", driven.output
    assert driven.outcomes() == in_process.outcomes()
    assert driven.report["plugin"]["language"] == "python"
    assert "python_driver" in driven.report["plugin"]["module"]


def test_a_check_of_pythons_own_objects_is_skipped_without_them(run_suite: Any) -> None:
    run = run_suite(THROUGH_A_DRIVER, "-k", "test_session_options_keeps_what_it_is_given", "-rs")
    assert "offers no python-types" in run.output, run.output
