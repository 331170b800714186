"""Patches the suite's verdict and exit code at import, and swaps the dimensions on the wire."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from broken_plugins.swapped_dimensions import AvatarSession  # noqa: F401

from ._attacks import patch_the_verdict

BREAKS = ("dims.verbatim",)

patch_the_verdict()
