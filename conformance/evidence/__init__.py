"""Where the suite's evidence lives: the one module that knows.

The request snapshots, the cassettes and the release expectations stay
top-level in the repository, where maintainers review and re-record them, and
travel inside the distribution as the packages
``anam_conformance.evidence.{snapshots,cassettes,expectations}`` (pyproject maps each
folder onto its package; each folder's ``__init__.py`` makes it a regular
package, which is what lets an editable install resolve the name). Finding them
through ``importlib.resources`` rather than through paths relative to the
source is what lets an installed suite judge a plugin from any directory, while
an editable install resolves the same names to the checkout's folders, so
``--snapshot-update`` and ``python -m anam_conformance.cassettes`` still write where
a maintainer commits.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from ..assertions import EvidenceError

KINDS = ("snapshots", "cassettes", "expectations")
# The accessors are not named after the kinds: importing ``anam_conformance.evidence.snapshots``
# sets that attribute of this module to the data package, which would shadow a function.


def directory(kind: str) -> Path:
    """One kind of evidence as a real folder: the suite reads, and maintainers write, files in it."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of evidence {kind!r}; known: {', '.join(KINDS)}")
    package = f"{__name__}.{kind}"
    try:
        found = importlib.resources.files(package)
    except ModuleNotFoundError:
        raise EvidenceError(package, f"the suite's {kind} are not installed with it") from None
    if not isinstance(found, Path) or not found.is_dir():
        # A zipped installation: the suite needs files it can hand to syrupy and vcrpy.
        raise EvidenceError(str(found), f"the suite's {kind} are not a folder on disk")
    return found


def snapshot_dir() -> Path:
    """The request snapshots: one JSON file per canonical case."""
    return directory("snapshots")


def cassette_dir() -> Path:
    """The cassettes: one recorded exchange with Anam per scenario and wire flow."""
    return directory("cassettes")


def expectation_dir() -> Path:
    """The expected outcomes of each release the matrix judges."""
    return directory("expectations")
