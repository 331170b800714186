"""The suite's command line: the options of its parts, declared without importing any of them.

pytest parses the command line before the suite knows whether the run is its
own, so each option must exist in every session where the suite is installed;
the parts that read them (the cassettes, the profiles, the snapshots, the CI
renderings, the session) are imported only by runs that judge. Their names and
choices therefore live here, where nothing is imported, and the parts read them
from here. The options that name what is judged are the entry point's
(:mod:`anam_conformance.pytest_plugin`).
"""

from __future__ import annotations

import pytest

GROUP = "anam-conformance"

REPORT_OPTION = "--conformance-report"
JUNIT_OPTION = "--conformance-junit"
MARKDOWN_OPTION = "--conformance-markdown"

CASSETTES_OPTION = "--anam-cassettes"
CASSETTE_MODES = ("replay", "record", "live")
CASSETTE_DIRECTORY_OPTION = "--conformance-cassettes"

PROFILE_OPTION = "--conformance-profile"
#: The hypothesis profiles :mod:`.hypothesis_profiles` defines, by name.
PROFILE_NAMES = ("ci", "dev", "quick", "thorough")
DEFAULT_PROFILE = "ci"

SNAPSHOTS_OPTION = "--conformance-snapshots"
#: syrupy's options that write the request snapshots, by the name pytest keeps each under.
UPDATE_OPTIONS = {
    "update_snapshots": "--snapshot-update",
    "update_new_snapshots_only": "--snapshot-update-new-only",
}

#: What the ``offers`` mark may name: :class:`.clauses.Offer`'s values (kept here as plain names,
#: so that a session that never uses the suite imports nothing of it; tests/test_host.py checks).
OFFER_NAMES = (
    "SessionOptions",
    "DirectorNotes",
    "show_ai_avatar_disclosure",
    "client-faults",
    "python-types",
)

MARKERS = (
    "clause(*ids): the conformance clauses a test checks",
    "offers(*what): a check that applies only where the implementation offers it "
    f"({', '.join(OFFER_NAMES)}); elsewhere a feature's check is unimplemented, "
    "a capability's skipped for its twin",
)

#: Options whose value is a path the run reads or writes (``--junitxml`` is pytest's own).
PATH_DESTS = {
    REPORT_OPTION: "conformance_report",
    JUNIT_OPTION: "conformance_junit",
    MARKDOWN_OPTION: "conformance_markdown",
    "--junitxml": "xmlpath",
    SNAPSHOTS_OPTION: "conformance_snapshots",
    CASSETTE_DIRECTORY_OPTION: "conformance_cassettes",
}


def add_options(parser: pytest.Parser) -> None:
    """The options of the suite's reports, evidence and profiles, after those of what it judges."""
    group = parser.getgroup(GROUP, "Anam plugin conformance")
    group.addoption(
        REPORT_OPTION,
        dest="conformance_report",
        default=None,
        metavar="PATH",
        help="write the clause report as JSON to PATH",
    )
    group.addoption(
        CASSETTES_OPTION,
        dest="anam_cassettes",
        choices=CASSETTE_MODES,
        default="replay",
        help="replay the cassettes (default, network blocked); record: re-record them against the "
        "emulator first; live: re-record them against https://api.anam.ai (needs ANAM_API_KEY)",
    )
    group.addoption(
        CASSETTE_DIRECTORY_OPTION,
        dest="conformance_cassettes",
        default=None,
        metavar="DIR",
        help="the cassettes to replay (default: the suite's own)",
    )
    group.addoption(
        PROFILE_OPTION,
        dest="conformance_profile",
        default=DEFAULT_PROFILE,
        choices=sorted(PROFILE_NAMES),
        help=f"hypothesis settings for the property tests (default: {DEFAULT_PROFILE})",
    )
    group.addoption(
        SNAPSHOTS_OPTION,
        dest="conformance_snapshots",
        default=None,
        metavar="DIR",
        help="the request snapshots to compare with (default: the ones installed with the suite)",
    )
    group.addoption(
        JUNIT_OPTION,
        dest="conformance_junit",
        default=None,
        metavar="PATH",
        help="write the clause report as JUnit XML to PATH (one test case per clause)",
    )
    group.addoption(
        MARKDOWN_OPTION,
        dest="conformance_markdown",
        default=None,
        metavar="PATH",
        help="write the clause report as Markdown to PATH (e.g. $GITHUB_STEP_SUMMARY; appended to)",
    )


#: Where an xdist worker tells its controller which of the suite's checks it collected
#: (``workeroutput``): also how a controller that never loaded the suite learns its checks ran.
SELECTED_OUTPUT = "anam_selected"
