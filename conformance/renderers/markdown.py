"""The clause report as Markdown, for ``$GITHUB_STEP_SUMMARY`` or a pull request comment.

The verdict and what it rests on come first; then the failing MUST clauses, each
with its smallest difference on one line and the full evidence folded below it,
because that is what a reviewer acts on; then the warnings (failed SHOULD
clauses, which leave the verdict standing, so they are never called failures);
then what the suite itself could not judge; then the full clause table. A
partial run (some clause had none of its checks selected) says so in its heading
and its first sentence, and marks those clauses ``not run``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..report import NOT_RUN, isolation_note, label, plugin_label, status, tally, verdict_words

MARKS = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "warn": "🟡 warn",
    "blocked": "⛔ blocked",
    "unimplemented": "⚪ unimplemented",
    "error": "⚠️ error",
    "skip": "⏭ skip",
    NOT_RUN: "⬜ not run",
}
HEADINGS = {
    "conforming": "conforming",
    "nonconforming": "nonconforming",
    "error": "no verdict (the suite could not judge)",
}


def cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def _evidence(detail: str) -> list[str]:
    """The lines below a detail's first, folded: the bodies, the diff."""
    rest = detail.splitlines()[1:]
    if not rest:
        return []
    return [
        "",
        "  <details><summary>evidence</summary>",
        "",
        "  ```",
        *[f"  {line}" for line in rest],
        "  ```",
        "  </details>",
    ]


#: The sections below the verdict: (status, heading), in the order a reviewer reads them.
SECTIONS = (
    ("fail", "Failing clauses (MUST: the plugin must fix these)"),
    ("warn", "Warnings (SHOULD clauses not met: the verdict stands)"),
    ("error", "Not judged: the suite's own error"),
)


def _status(entry: Mapping[str, Any]) -> str:
    return str(entry.get("status") or status(entry["level"], entry["outcome"]))


def _verdict_sentence(verdict: str, clauses: list[Mapping[str, Any]]) -> str:
    statuses = [_status(c) for c in clauses]
    not_run = statuses.count(NOT_RUN)
    ran = " that ran" if not_run else ""
    if verdict == "conforming":
        sentence = f"Every applicable MUST clause{ran} passes"
    elif verdict == "nonconforming":
        sentence = f"At least one applicable MUST clause{ran} does not pass"
    else:
        sentence = "The suite could not judge the plugin: this is no verdict about it"
    warned = statuses.count("warn")
    if warned and verdict != "error":
        sentence += f"; {warned} SHOULD clause(s) not met are warnings, which leave the verdict standing"
    sentence = f"{sentence} ({tally(statuses, order=list(dict.fromkeys(statuses)))})."
    if not_run:
        sentence = (
            f"A partial run: {not_run} of {len(statuses)} clauses had none of their checks selected "
            f"(-k, -m or node ids), so they were not run and are out of the verdict. {sentence}"
        )
    return sentence


def _isolation(plugin: Mapping[str, Any]) -> str:
    """How far the plugin ran from the judge, when the report says (``sandbox``, ``process``, ...)."""
    level = plugin.get("isolation")
    return f", isolation: {level}" if level else ""


def summary_markdown(report: Mapping[str, Any]) -> str:
    name = f"`{plugin_label(report.get('plugin', {}))}`"
    clauses = report["clauses"]
    verdict = report["verdict"]
    heading = HEADINGS.get(verdict, verdict)
    if report.get("partial") and verdict in ("conforming", "nonconforming"):
        heading = f"{verdict_words(verdict, True).replace('partial', 'partial run', 1)}"
    lines = [
        f"## Anam conformance: {heading}",
        "",
        f"Plugin under test: {name}" + _isolation(report.get("plugin", {})),
        "",
        _verdict_sentence(verdict, clauses),
        "",
    ]
    isolation = isolation_note(report.get("plugin", {}))
    if isolation:
        lines += [f"> **Isolation:** {isolation}.", ""]
    for chosen_status, heading in SECTIONS:
        chosen = [c for c in clauses if _status(c) == chosen_status]
        if not chosen:
            continue
        lines += [f"### {heading}", ""]
        for c in chosen:
            detail = c.get("detail") or chosen_status
            lines.append(f"- **`{c['id']}`** ({c['level']}): {cell(_first_line(detail))}")
            lines += _evidence(detail)
        lines.append("")
    lines += ["| clause | level | outcome | detail |", "|---|---|---|---|"]
    for c in clauses:
        mark = MARKS.get(_status(c), label(_status(c)))
        lines.append(f"| `{c['id']}` | {c['level']} | {mark} | {cell(_first_line(c.get('detail') or ''))} |")
    return "\n".join(lines) + "\n"
