"""Awaits an event nobody sets in ``start()``: the loop turns, the agent waits forever.

Special (``_``): run through ``anam-conformance`` by ``tests/test_supervised_runs.py``.
"""

import asyncio

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._start_variant import avatar_session_doing

BREAKS = ("session.one-request", "avatar.joins")

AvatarSession = avatar_session_doing(lambda: asyncio.Event().wait())
