"""Rewrites the suite's snapshots and cassettes (installed and in the checkout) at import, and swaps
the dimensions on the wire."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from broken_plugins.swapped_dimensions import AvatarSession  # noqa: F401

from ._attacks import rewrite_evidence

BREAKS = ("dims.verbatim",)

rewrite_evidence()
