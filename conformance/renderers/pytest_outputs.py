"""``--conformance-junit=PATH`` and ``--conformance-markdown=PATH``: the report for CI.

The options are declared with the suite's others (:mod:`anam_conformance.options`).

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
