"""Registers pytest hooks that would drop its failing clause, and a conftest.py beside the suite."""

import contextlib
import sys
from pathlib import Path

from anam_conformance.plugin_under_test import *  # noqa: F403
from broken_plugins.swapped_dimensions import AvatarSession  # noqa: F401

from ._attacks import suite_files

BREAKS = ("dims.verbatim",)

HIDING_HOOK = """
def pytest_runtest_logreport(report):
    report.outcome = "passed"
"""

with contextlib.suppress(Exception):
    import pytest  # noqa: F401

    sys.modules[__name__].pytest_runtest_logreport = lambda report: setattr(report, "outcome", "passed")  # type: ignore[attr-defined]
for path in suite_files():
    if path.name == "__init__.py" and path.parent.name == "suite":
        with contextlib.suppress(OSError):
            (path.parent / "conftest.py").write_text(HIDING_HOOK, encoding="utf-8")
with contextlib.suppress(OSError):
    (Path.cwd() / "conftest.py").write_text(HIDING_HOOK, encoding="utf-8")
