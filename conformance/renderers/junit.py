"""The clause report as JUnit XML: one test case per clause, for CI test views.

CI interfaces read JUnit, not the clause report, and paint any ``failure`` red,
so a test case fails exactly when its clause decides the verdict against the
plugin: a MUST clause that failed, or an applicable MUST clause that was not
shown to pass (unimplemented or not run). A failed SHOULD is a warning: JUnit
has no such outcome, so it is ``skipped`` with a message starting ``warn:``, as
pytest writes an expected failure (xfail); the suite's ``failures`` then agree
with the verdict. A clause the suite could not judge is a JUnit *error*, not a
failure; a blocked clause is skipped with the clause that blocked it (that one
fails); so is a conditional clause that does not apply. A clause a partial run
did not run (none of its checks selected) is skipped, never failed: it is out of
the verdict, and the suite's ``partial`` property says so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from ..report import NOT_RUN, NOT_RUN_DETAIL, plugin_label, status

SUITE_NAME = "anam-conformance"


def junit_xml(report: Mapping[str, Any]) -> str:
    """Render ``report`` as a JUnit XML document (one ``testsuite``)."""
    clauses = report["clauses"]
    suite = ET.Element("testsuite", name=SUITE_NAME, tests=str(len(clauses)))
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="plugin", value=plugin_label(report.get("plugin", {})))
    ET.SubElement(properties, "property", name="verdict", value=str(report["verdict"]))
    isolation = report.get("plugin", {}).get("isolation")
    if isolation:
        ET.SubElement(properties, "property", name="isolation", value=str(isolation))
    if report.get("partial"):
        not_run = sum(entry["outcome"] == NOT_RUN for entry in clauses)
        ET.SubElement(properties, "property", name="partial", value="true")
        ET.SubElement(properties, "property", name="not-run", value=str(not_run))
    failures = skipped = errors = 0
    for entry in clauses:
        case = ET.SubElement(suite, "testcase", classname=f"{SUITE_NAME}.{entry['level']}", name=entry["id"])
        outcome, detail = entry["outcome"], entry.get("detail") or ""
        applicable = entry.get("applicable", True)
        if (entry.get("status") or status(entry["level"], outcome)) == "warn":
            skipped += 1
            message = f"warn: SHOULD not met, the verdict stands: {detail}"
            ET.SubElement(case, "skipped", message=message.splitlines()[0], type="warn").text = detail
        elif outcome == "error":
            errors += 1
            error = ET.SubElement(case, "error", message=f"error: {detail}".splitlines()[0], type="error")
            error.text = f"{entry['id']} ({entry['level']}): the suite could not judge\n{detail}"
        elif outcome == NOT_RUN:
            skipped += 1
            message = f"not run: {detail or NOT_RUN_DETAIL}"
            ET.SubElement(case, "skipped", message=message.splitlines()[0], type=NOT_RUN)
        elif outcome == "blocked":
            skipped += 1
            ET.SubElement(case, "skipped", message=detail.splitlines()[0] if detail else "blocked")
        elif outcome == "fail" or (outcome != "pass" and entry["level"] == "MUST" and applicable):
            failures += 1
            message = f"{outcome}: {detail}" if detail else outcome
            failure = ET.SubElement(case, "failure", message=message.splitlines()[0], type=outcome)
            failure.text = f"{entry['id']} ({entry['level']}): {entry['requirement']}\n{message}"
        elif outcome != "pass":
            skipped += 1
            ET.SubElement(case, "skipped", message=f"{outcome}: {detail}" if detail else outcome)
        if entry.get("tests"):
            tests = ET.SubElement(case, "properties")
            for test in entry["tests"]:
                ET.SubElement(tests, "property", name=test["nodeid"], value=test["outcome"])
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("errors", str(errors))
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
