"""``--conformance-junit=PATH`` and ``--conformance-markdown=PATH``: the report for CI.

Written from the same JSON report as ``--conformance-report``, on the xdist
controller only (workers each saw a share of the tests), and only in runs
that judged clauses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .junit import junit_xml
from .markdown import summary_markdown

RUN_PLUGIN = "anam-conformance-run"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("anam-conformance")
    group.addoption(
        "--conformance-junit",
        dest="conformance_junit",
        default=None,
        metavar="PATH",
        help="write the clause report as JUnit XML to PATH (one test case per clause)",
    )
    group.addoption(
        "--conformance-markdown",
        dest="conformance_markdown",
        default=None,
        metavar="PATH",
        help="write the clause report as Markdown to PATH (e.g. $GITHUB_STEP_SUMMARY; appended to)",
    )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    junit, markdown = config.getoption("conformance_junit"), config.getoption("conformance_markdown")
    if hasattr(config, "workerinput") or not (junit or markdown):
        return
    run = config.pluginmanager.get_plugin(RUN_PLUGIN)
    report = run.report() if run is not None else None
    if report is None:
        return
    if junit:
        path = Path(junit)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(junit_xml(report), encoding="utf-8")
    if markdown:
        # Appended, as GitHub's step summary file expects from each writer.
        path = Path(markdown)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(summary_markdown(report))
