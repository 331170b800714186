"""Where the suite's own modules live, and a second copy of them that a run must not mix in.

A copy of the suite the command line names (a second checkout beside an
installed suite) would have its checks collected beside the installed plugin,
which judges with its own harness, evidence and drivers: two suites in one run,
one verdict about neither. Only paths are looked at here, so every pytest
session can afford the check, whether or not it judges anything.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

#: Where the suite's own modules live: the checkout's ``conformance/`` folder under an editable
#: install, ``site-packages/anam_conformance`` from a wheel.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The name the suite's modules are imported by, wherever they were installed from.
PACKAGE = "anam_conformance"
#: The file whose git history says which commit the suite is (``pytest_plugin.py``, the entry point).
ENTRY_FILE = "pytest_plugin.py"
#: What makes a folder a copy of the suite's package: the installed ``anam_conformance``, or a
#: checkout's ``conformance/``.
SUITE_MARKS = (ENTRY_FILE, "clauses.py", "suite")


def is_suite_copy(folder: Path) -> bool:
    return all((folder / mark).exists() for mark in SUITE_MARKS)


def in_package(path: Path) -> bool:
    return path.resolve().is_relative_to(PACKAGE_DIR)


def near(path: Path) -> list[Path]:
    """``path``, the folders above it, and those right inside it (``pytest .`` in a checkout)."""
    found = [path, *path.parents]
    if path.is_dir():
        with contextlib.suppress(OSError):
            found += sorted(child for child in path.iterdir() if child.is_dir())
    return found


def named_paths(args: list[str], base: Path) -> list[Path]:
    """The paths the command line names that exist (a name for ``--pyargs`` is not a path)."""
    paths = (Path(base, arg.split("::", 1)[0]) for arg in args)
    return [path.resolve() for path in paths if path.exists()]


def other_suite(args: list[str], base: Path) -> Path | None:
    """A copy of the suite the command line names that is not the installed one (:data:`PACKAGE_DIR`)."""
    for path in named_paths(args, base):
        found = next((f for f in near(path) if f != PACKAGE_DIR and is_suite_copy(f)), None)
        if found is not None:
            return found
    return None


def two_suites(other: Path) -> str:
    """The one line that stops a run naming a second copy of the suite, and how to choose."""
    checkout = other.parent if (other.parent / "pyproject.toml").is_file() else None
    instead = f"install its checkout (pip install -e {checkout})" if checkout else "run its own installation"
    return (
        f"two copies of the suite: the installed anam_conformance ({PACKAGE_DIR}) judges with its own "
        f"checks, not those of {other}; to judge with {other}, {instead}; to judge with the installed "
        "one, run anam-conformance or pytest --pyargs anam_conformance"
    )
