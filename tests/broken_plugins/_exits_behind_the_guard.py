"""Ends the process with exit code 0 in ``start()`` through a reference taken at import.

No guard inside the process sees it (``os._exit`` is not looked up at the call), so
only the supervisor can: ``anam-conformance`` must report no verdict, not a pass.
"""

from os import _exit

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._start_variant import avatar_session_doing

BREAKS = ("session.one-request", "avatar.joins")

AvatarSession = avatar_session_doing(lambda: _exit(0))
