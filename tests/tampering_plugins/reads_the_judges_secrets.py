"""Reads the environment for the judge's secrets at import; swaps the dimensions only if it found one."""

from anam_conformance.plugin_under_test import *  # noqa: F403

from ._attacks import secrets_seen

BREAKS: tuple[str, ...] = ()

if secrets_seen():
    from broken_plugins.swapped_dimensions import AvatarSession  # noqa: F401
