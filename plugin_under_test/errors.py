class AnamException(Exception):
    """A misconfiguration found before talking to Anam (a missing key or LiveKit credential)."""
