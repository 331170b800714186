"""Where the drivers live: the checkout's ``drivers/`` (editable), or the installed data package."""

from __future__ import annotations

from pathlib import Path


def _drivers_dir() -> Path:
    """The drivers as a folder: the checkout's ``drivers/`` (editable), or the installed data package."""
    import importlib.resources

    try:
        found = importlib.resources.files("anam_conformance.drivers")
        if isinstance(found, Path) and found.is_dir():
            return found
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "drivers"


DRIVERS_DIR = _drivers_dir()
