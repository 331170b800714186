"""A plugin whose import itself fails."""

raise ImportError("livekit.plugins.anam requires a newer livekit-agents")
