"""A run of the suite freezes its heap once collected, and thaws it as the session's very last cleanup.

Everything imported by then (livekit-api, hypothesis, the plugin's description)
lives as long as the run. Frozen, it is skipped by every later ``gc.collect()``:
pytest's check for unraisable exceptions collects twice at the end, which over
an unfrozen heap this size cost about 0.5 s a run. Objects the checks create
are collected, and checked, as before.
"""

from __future__ import annotations

import gc

import pytest

FROZE_KEY = pytest.StashKey[bool]()


def freeze(config: pytest.Config) -> None:
    gc.freeze()
    config.stash[FROZE_KEY] = True


def thaw(config: pytest.Config) -> None:
    if config.stash.get(FROZE_KEY, False):
        gc.unfreeze()
