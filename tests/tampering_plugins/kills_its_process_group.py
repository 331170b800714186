"""Sends its whole process group SIGKILL in ``start()``: itself, and whatever shares its group."""

import os
import signal

from anam_conformance.plugin_under_test import *  # noqa: F403
from broken_plugins._start_variant import avatar_session_doing

BREAKS: tuple[str, ...] = ()

AvatarSession = avatar_session_doing(lambda: os.killpg(os.getpgid(0), signal.SIGKILL))
