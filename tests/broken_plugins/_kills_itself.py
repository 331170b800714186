"""Sends itself SIGKILL in ``start()`` (as an out-of-memory kill would end the process).

Only the supervisor can see it: ``anam-conformance`` must name the signal, with no verdict.
"""

import os
import signal

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._start_variant import avatar_session_doing

BREAKS = ("session.one-request", "avatar.joins")

AvatarSession = avatar_session_doing(lambda: os.kill(os.getpid(), signal.SIGKILL))
