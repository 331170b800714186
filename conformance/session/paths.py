"""The paths a command line names, tried before anything runs.

A report that could not be written, or evidence that is not there, is a usage
error at once, in one line, not a traceback or a blamed plugin after the whole run.
"""

from __future__ import annotations

import pytest

from .. import report as reporting
from ..options import PATH_DESTS, SNAPSHOTS_OPTION, UPDATE_OPTIONS


def check_paths(config: pytest.Config) -> None:
    updating = any(getattr(config.option, dest, False) for dest in UPDATE_OPTIONS)
    for option, dest in PATH_DESTS.items():
        value = getattr(config.option, dest, None)
        if not value or (updating and option == SNAPSHOTS_OPTION):
            continue  # --snapshot-update writes the folder
        problem = reporting.path_problem(option, str(value))
        if problem:
            raise pytest.UsageError(problem)
