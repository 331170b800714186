"""The clause report as Markdown, for ``$GITHUB_STEP_SUMMARY`` or a pull request comment.

Failures come first, each with its smallest difference on one line and the
full evidence folded below it, because that is what a reviewer acts on; then
what the suite itself could not judge; then the full clause table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MARKS = {
    "pass": "✅ pass",
    "fail": "❌ fail",
    "blocked": "⛔ blocked",
    "unimplemented": "⚪ unimplemented",
    "error": "⚠️ error",
    "skip": "⏭ skip",
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


def summary_markdown(report: Mapping[str, Any]) -> str:
    plugin = report.get("plugin", {})
    name = f"`{plugin.get('module', '?')}` {plugin.get('version') or '(no version)'}"
    clauses = report["clauses"]
    verdict = report["verdict"]
    lines = [f"## Anam conformance: {HEADINGS.get(verdict, verdict)}", "", f"Plugin under test: {name}", ""]
    for outcome, heading in (("fail", "Failing clauses"), ("error", "Not judged: the suite's own error")):
        chosen = [c for c in clauses if c["outcome"] == outcome]
        if not chosen:
            continue
        lines += [f"### {heading}", ""]
        for c in chosen:
            detail = c.get("detail") or outcome
            lines.append(f"- **`{c['id']}`** ({c['level']}): {cell(_first_line(detail))}")
            lines += _evidence(detail)
        lines.append("")
    lines += ["| clause | level | outcome | detail |", "|---|---|---|---|"]
    for c in clauses:
        mark = MARKS.get(c["outcome"], c["outcome"])
        lines.append(f"| `{c['id']}` | {c['level']} | {mark} | {cell(_first_line(c.get('detail') or ''))} |")
    return "\n".join(lines) + "\n"
