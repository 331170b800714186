"""Forks a process at import that detaches and would outlive the run; otherwise the reference."""

import os

from anam_conformance.plugin_under_test import *  # noqa: F403

BREAKS: tuple[str, ...] = ()
#: What the survivor runs as, for the test to look for after the run.
SURVIVOR = ("sleep", "4242.5")

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp(SURVIVOR[0], list(SURVIVOR))
    os._exit(0)
