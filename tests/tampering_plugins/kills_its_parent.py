"""Sends its parent SIGKILL, then SIGTERM, at import; otherwise the reference."""

import signal

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._attacks import signal_parent

BREAKS: tuple[str, ...] = ()

signal_parent(signal.SIGKILL)
signal_parent(signal.SIGTERM)
