"""Sleeps synchronously in ``start()`` (a blocking SDK call), freezing the agent's event loop.

Special (``_``): the in-process catalogue skips it; ``tests/test_supervised_runs.py``
runs it through ``anam-conformance``, where the watchdog must stop it.
"""

import time

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._start_variant import avatar_session_doing

BREAKS = ("session.one-request", "avatar.joins")

AvatarSession = avatar_session_doing(lambda: time.sleep(3600))
