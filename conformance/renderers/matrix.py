"""Several clause reports side by side: a clause x release table, in Markdown and HTML.

Columns are ordered reference first, then releases by version number, so the
table reads as the history of the contract across the released plugin.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..expectations import Expectation
from .markdown import MARKS

SHORT = {
    "pass": "pass",
    "fail": "**FAIL**",
    "blocked": "blocked",
    "unimplemented": "unimplemented",
    "error": "**ERROR**",
    "skip": "skip",
}


@dataclass(frozen=True)
class Column:
    label: str
    report: Mapping[str, Any]
    expectation: Expectation

    def outcomes(self) -> dict[str, str]:
        return {c["id"]: c["outcome"] for c in self.report["clauses"]}


def _order(label: str) -> tuple[int, tuple[int, ...], str]:
    if label == "reference":
        return (0, (), label)
    if re.fullmatch(r"\d+(\.\d+)*", label):
        return (1, tuple(int(part) for part in label.split(".")), label)
    return (2, (), label)


def ordered(columns: Sequence[Column]) -> list[Column]:
    return sorted(columns, key=lambda column: _order(column.label))


def _rows(columns: Sequence[Column]) -> list[tuple[str, str]]:
    """(clause id, level) in report order, the union over every report."""
    rows: dict[str, str] = {}
    for column in columns:
        for entry in column.report["clauses"]:
            rows.setdefault(entry["id"], entry["level"])
    return list(rows.items())


def _note(column: Column, clause_id: str, outcome: str) -> str:
    expected = column.expectation.outcome(clause_id)
    return "" if outcome == expected else f" (expected {expected})"


def matrix_markdown(columns: Sequence[Column]) -> str:
    columns = ordered(columns)
    header = "| clause | level | " + " | ".join(f"`{c.label}`" for c in columns) + " |"
    lines = [header, "|---|---|" + "---|" * len(columns)]
    for clause_id, level in _rows(columns):
        cells = []
        for column in columns:
            outcome = column.outcomes().get(clause_id, "—")
            cells.append(SHORT.get(outcome, outcome) + _note(column, clause_id, outcome))
        lines.append(f"| `{clause_id}` | {level} | " + " | ".join(cells) + " |")
    verdicts = []
    for column in columns:
        verdict = column.report["verdict"]
        note = "" if verdict == column.expectation.verdict else f" (expected {column.expectation.verdict})"
        verdicts.append(f"**{verdict}**{note}")
    lines.append("| **verdict** | | " + " | ".join(verdicts) + " |")
    return "\n".join(lines) + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
td.pass { background: #e6f4ea; } td.fail { background: #fce8e6; font-weight: bold; }
td.unimplemented, td.skip, td.blocked { background: #f1f3f4; color: #555; }
td.error { background: #fef7e0; font-weight: bold; }
td.unexpected { outline: 3px solid #d93025; }
""".strip()


def matrix_html(columns: Sequence[Column], title: str = "Anam conformance matrix") -> str:
    columns = ordered(columns)
    esc = html.escape
    head = "".join(f"<th>{esc(c.label)}<br><small>{esc(_plugin(c))}</small></th>" for c in columns)
    body = []
    for clause_id, level in _rows(columns):
        cells = []
        for column in columns:
            outcome = column.outcomes().get(clause_id, "—")
            note = _note(column, clause_id, outcome)
            css = outcome + (" unexpected" if note else "")
            cells.append(f'<td class="{esc(css)}">{esc(MARKS.get(outcome, outcome) + note)}</td>')
        body.append(f"<tr><th><code>{esc(clause_id)}</code></th><td>{esc(level)}</td>{''.join(cells)}</tr>")
    verdicts = "".join(f"<td><strong>{esc(c.report['verdict'])}</strong></td>" for c in columns)
    body.append(f"<tr><th>verdict</th><td></td>{verdicts}</tr>")
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{STYLE}</style></head>\n<body><h1>{esc(title)}</h1>\n"
        f"<table><thead><tr><th>clause</th><th>level</th>{head}</tr></thead>\n<tbody>\n"
        + "\n".join(body)
        + "\n</tbody></table></body></html>\n"
    )


def _plugin(column: Column) -> str:
    plugin = column.report.get("plugin", {})
    return f"{plugin.get('module', '?')} {plugin.get('version') or ''}".strip()
