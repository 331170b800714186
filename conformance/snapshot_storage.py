"""Where the request snapshots live (top-level ``snapshots/``, one JSON file per case) and who may write them.

syrupy decides which snapshots a run left "unused" (and ``--snapshot-update``
deletes) from the files it discovers next to the tests it ran. For a folder
outside the test folder that bookkeeping misreads a partial run (``-k``, one
node id, ``--lf``): the cases that did not run look unused and get deleted.
This storage therefore discovers nothing: syrupy reads and writes only the
file of a case that ran, and can never report or delete another. Stale files
are caught instead by a check that every file in ``snapshots/`` names a
current case (``tests/test_snapshots_files.py``), which no selection can fool.

The snapshots pin the reference plugin's requests: ``--snapshot-update``
against any other plugin is refused, so putting a plugin under test can never
rewrite the contract it is judged by.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from syrupy.data import SnapshotCollections
from syrupy.extensions.json import JSONSnapshotExtension

from . import evidence
from .options import SNAPSHOTS_OPTION
from .options import UPDATE_OPTIONS as UPDATE_OPTIONS  # the checks read them here

if TYPE_CHECKING:
    from syrupy.assertion import SnapshotAssertion
    from syrupy.location import PyTestLocation
    from syrupy.types import PropertyFilter, PropertyMatcher, SerializableData, SnapshotIndex

OPTION = SNAPSHOTS_OPTION


def render(document: Any) -> str:
    """The file's text: sorted, indented JSON, so a change reads as a small diff in review."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class RequestSnapshots(JSONSnapshotExtension):
    """One ``<case>.json`` per case in one flat folder; the case is the snapshot's ``name``."""

    directory: Path  # set by at(): the folder a run compares with

    @classmethod
    def at(cls, directory: Path) -> type[RequestSnapshots]:
        return type("RequestSnapshots", (cls,), {"directory": directory})

    def serialize(
        self,
        data: SerializableData,
        *,
        exclude: PropertyFilter | None = None,
        include: PropertyFilter | None = None,
        matcher: PropertyMatcher | None = None,
    ) -> str:
        return render(data)

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(cls.directory)

    @classmethod
    def get_file_basename(cls, *, test_location: PyTestLocation, index: SnapshotIndex) -> str:
        if not isinstance(index, str) or not index:
            raise ValueError(f"{test_location.nodeid}: a request snapshot needs its case as name=")
        return index

    @classmethod
    def matches_test_location(cls, *, test_location: PyTestLocation, snapshot_location: str) -> bool:
        return Path(snapshot_location).parent == cls.directory

    def discover_snapshots(
        self, *, test_location: PyTestLocation, ignore_extensions: list[str] | None = None
    ) -> SnapshotCollections:
        return SnapshotCollections()  # nothing discovered: nothing can be judged unused or deleted

    def delete_snapshots(self, *, snapshot_location: str, snapshot_names: set[str]) -> None:
        raise RuntimeError(f"request snapshots are never deleted by a run: {snapshot_location}")


def snapshot_directory(config: pytest.Config) -> Path:
    given = config.getoption("conformance_snapshots")
    return Path(given).resolve() if given else evidence.snapshot_dir()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not any("request_snapshot" in getattr(item, "fixturenames", ()) for item in items):
        return
    # Whether the snapshots are written from the reference is the pytest plugin's to say: it alone
    # knows which implementation is under test (``pytest_plugin.snapshots_pin_the_reference``).
    updating = [flag for dest, flag in UPDATE_OPTIONS.items() if getattr(config.option, dest, False)]
    directory = snapshot_directory(config)
    if not updating and not directory.is_dir():
        raise pytest.UsageError(f"{OPTION}={directory}: no such directory of request snapshots")


@pytest.fixture
def request_snapshot(request: pytest.FixtureRequest, snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """syrupy's ``snapshot``, stored in the request snapshot folder."""
    return snapshot.use_extension(RequestSnapshots.at(snapshot_directory(request.config)))
