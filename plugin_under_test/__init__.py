"""Reference Anam avatar plugin: a drop-in for ``livekit.plugins.anam`` that meets every clause.

It is the contract in executable form, kept small enough to read in one sitting.
"""

from .avatar import AvatarSession
from .errors import AnamException
from .types import DirectorNotes, PersonaConfig, SessionOptions
from .version import __version__

__all__ = [
    "AnamException",
    "AvatarSession",
    "DirectorNotes",
    "PersonaConfig",
    "SessionOptions",
    "__version__",
]
