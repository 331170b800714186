"""Calls ``os._exit(0)`` in ``start()``: the agent's process ends, "successfully".

Special (``_``): it would end the process running it; ``tests/test_supervised_runs.py``
runs it through ``anam-conformance``. The watchdog refuses the call.
"""

import os

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._start_variant import avatar_session_doing

BREAKS = ("session.one-request", "avatar.joins")

AvatarSession = avatar_session_doing(lambda: os._exit(0))
