"""A release from before the feature: no SessionOptions at all (like livekit-plugins-anam 1.5.18)."""

from anam_conformance.plugin_under_test import AnamException, AvatarSession, PersonaConfig  # noqa: F401

BREAKS: tuple[str, ...] = ()
UNIMPLEMENTS = "feature"
