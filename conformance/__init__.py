"""Conformance suite for the Anam avatar plugin of LiveKit Agents."""

__version__ = "0.1.0"
