"""Busy-waits in ``start()`` (a polling loop without an await), freezing the agent's event loop.

Special (``_``): run through ``anam-conformance`` by ``tests/test_supervised_runs.py``.
"""

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._start_variant import avatar_session_doing

BREAKS = ("session.one-request", "avatar.joins")


def _spin() -> None:
    while True:
        pass


AvatarSession = avatar_session_doing(_spin)
