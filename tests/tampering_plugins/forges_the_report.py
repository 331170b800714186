"""Writes a conforming report wherever a judge it can see was told to write one, and swaps the
dimensions on the wire."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from broken_plugins.swapped_dimensions import AvatarSession  # noqa: F401

from ._attacks import forge_reports

BREAKS = ("dims.verbatim",)

forge_reports()
