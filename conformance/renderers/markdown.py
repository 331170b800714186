"""The clause report as Markdown, for ``$GITHUB_STEP_SUMMARY`` or a pull request comment.

Failures come first, each with its expected and actual behaviour, because that
is what a reviewer acts on; the full clause table follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MARKS = {"pass": "✅ pass", "fail": "❌ fail", "unimplemented": "⚪ unimplemented", "skip": "⏭ skip"}


def cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ").strip()


def summary_markdown(report: Mapping[str, Any]) -> str:
    plugin = report.get("plugin", {})
    name = f"`{plugin.get('module', '?')}` {plugin.get('version') or '(no version)'}"
    clauses = report["clauses"]
    lines = [f"## Anam conformance: {report['verdict']}", "", f"Plugin under test: {name}", ""]
    failing = [c for c in clauses if c["outcome"] == "fail"]
    if failing:
        lines += ["### Failing clauses", ""]
        lines += [f"- **`{c['id']}`** ({c['level']}): {cell(c.get('detail') or 'failed')}" for c in failing]
        lines.append("")
    lines += ["| clause | level | outcome | detail |", "|---|---|---|---|"]
    for c in clauses:
        mark = MARKS.get(c["outcome"], c["outcome"])
        lines.append(f"| `{c['id']}` | {c['level']} | {mark} | {cell(c.get('detail') or '')} |")
    return "\n".join(lines) + "\n"
