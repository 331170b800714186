"""Several clause reports side by side: a clause x release table, in Markdown and HTML.

Columns are ordered reference first, then releases by version number, so the
table reads as the history of the contract across the released plugin.

A cell shows a clause's *status* (``report.status``: a failed SHOULD or MAY is
a ``warn``, which leaves the verdict standing), while expectations are compared
on its *outcome*, as ``expectations.compare`` does. Labels are plain text, never
emoji: the page must read the same on a machine without an emoji font.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..expectations import Expectation, compare
from ..report import STATUSES, status

#: The label of each status in both renderings: text only (no emoji, no symbol font needed).
LABELS = {
    "pass": "pass",
    "fail": "FAIL",
    "warn": "warn",
    "blocked": "blocked",
    "unimplemented": "unimplemented",
    "error": "ERROR",
    "skip": "skip",
    "not-run": "not run",
}
#: A clause a report does not have (a report of an older suite, or a newer one).
ABSENT = "absent"
SHORT = {**LABELS, "fail": "**FAIL**", "error": "**ERROR**"}
#: Statuses whose cell carries the clause's detail, unfolded on demand.
EXPLAINED = ("fail", "warn", "blocked", "error")
MEANINGS = {
    "pass": "every check of the clause ran and passed",
    "fail": "a MUST clause is violated: the release does not conform",
    "warn": "a SHOULD or MAY clause is violated: reported, but the verdict stands",
    "blocked": "not judged: a clause it depends on failed first (named in the detail)",
    "unimplemented": "the release lacks the optional surface or the feature the clause is about",
    "error": "the suite itself could not judge (its harness or evidence), so there is no verdict",
    "skip": "its checks were selected but skipped, so nothing judged it; not a pass either",
    "not-run": "none of the clause's checks was selected (a partial run: -k, -m, node ids); "
    "out of the verdict",
}
VERDICT_LABELS = {"conforming": "conforming", "nonconforming": "NONCONFORMING", "error": "no verdict (error)"}
#: After the verdict of a partial report: some clause had none of its checks selected.
PARTIAL = " (partial)"


@dataclass(frozen=True)
class Column:
    label: str
    report: Mapping[str, Any]
    #: None when the matrix is rendered without judging (``--no-expectations``).
    expectation: Expectation | None = None

    def entries(self) -> dict[str, Mapping[str, Any]]:
        return {c["id"]: c for c in self.report["clauses"]}

    def outcomes(self) -> dict[str, str]:
        return {c["id"]: c["outcome"] for c in self.report["clauses"]}

    def expected_outcome(self, clause_id: str, outcome: str) -> str | None:
        """The outcome expected of this clause when it differs from ``outcome``, else None."""
        if self.expectation is None:
            return None
        expected = self.expectation.outcome(clause_id)
        return None if outcome == expected else expected

    def expected_verdict(self) -> str | None:
        """The verdict expected of this report when it differs from its verdict, else None."""
        if self.expectation is None or self.report["verdict"] == self.expectation.verdict:
            return None
        return self.expectation.verdict


def entry_status(entry: Mapping[str, Any]) -> str:
    """The status of a JSON clause entry; reports before schema 3 do not write it."""
    return str(entry.get("status") or status(entry["level"], entry["outcome"]))


def _order(label: str) -> tuple[int, tuple[int, ...], str]:
    if label == "reference":
        return (0, (), label)
    if re.fullmatch(r"\d+(\.\d+)*", label):
        return (1, tuple(int(part) for part in label.split(".")), label)
    return (2, (), label)


def ordered(columns: Sequence[Column]) -> list[Column]:
    return sorted(columns, key=lambda column: _order(column.label))


def _rows(columns: Sequence[Column]) -> list[tuple[str, str, str]]:
    """(clause id, level, title) in report order, the union over every report."""
    rows: dict[str, tuple[str, str]] = {}
    for column in columns:
        for entry in column.report["clauses"]:
            rows.setdefault(entry["id"], (entry["level"], str(entry.get("title") or "")))
    return [(clause_id, level, title) for clause_id, (level, title) in rows.items()]


def matrix_markdown(columns: Sequence[Column]) -> str:
    columns = ordered(columns)
    header = "| clause | level | " + " | ".join(f"`{c.label}`" for c in columns) + " |"
    lines = [header, "|---|---|" + "---|" * len(columns)]
    for clause_id, level, _ in _rows(columns):
        cells = []
        for column in columns:
            entry = column.entries().get(clause_id)
            if entry is None:
                text, outcome = ABSENT, "not in the report"
            else:
                text, outcome = SHORT.get(entry_status(entry), entry_status(entry)), entry["outcome"]
            expected = column.expected_outcome(clause_id, outcome)
            cells.append(text + (f" (expected {expected})" if expected else ""))
        lines.append(f"| `{clause_id}` | {level} | " + " | ".join(cells) + " |")
    verdicts = []
    for column in columns:
        expected = column.expected_verdict()
        partial = PARTIAL if column.report.get("partial") else ""
        verdicts.append(
            f"**{column.report['verdict']}**{partial}" + (f" (expected {expected})" if expected else "")
        )
    lines.append("| **verdict** | | " + " | ".join(verdicts) + " |")
    return "\n".join(lines) + "\n"


# Colours pair with distinct text labels, so no status is told by colour alone. Amber is
# reserved for warn; the suite's own error is violet, a class of its own.
STYLE = """
:root { --unexpected: #1a56db; }
body { font-family: system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 1.5rem 2rem;
  color: #202124; font-size: 14px; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
p.judged { margin: 0 0 .8rem; color: #3c4043; }
.differs { color: #a50e0e; }
table { border-collapse: collapse; }
th, td { border: 1px solid #c4c7c5; padding: .2rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #f8f9fa; position: sticky; top: 0; z-index: 1; }
thead th small { font-weight: normal; color: #5f6368; }
tbody th { font-weight: normal; white-space: nowrap; }
tbody th small { display: block; color: #5f6368; font-size: .78em; white-space: normal; max-width: 17rem; }
td.level { color: #5f6368; font-size: .85em; }
.pass { background: #e6f4ea; color: #0d652d; }
.fail { background: #fad2cf; color: #a50e0e; font-weight: bold; }
.warn { background: #fef0c3; color: #7a4f01; font-weight: bold; }
.blocked { background: repeating-linear-gradient(135deg, #eceff1 0 6px, #dfe3e6 6px 12px); color: #37474f; }
.unimplemented { background: #f1f3f4; color: #5f6368; }
.error { background: #efe3fb; color: #5b1a8c; font-weight: bold; }
.skip, .not-run, .absent { background: #fff; color: #80868b; font-style: italic; }
.unexpected { outline: 3px solid var(--unexpected); outline-offset: -3px; }
td .expected { display: block; font-size: .8em; font-weight: bold; color: var(--unexpected); }
td details summary { cursor: pointer; }
td details pre { margin: .3rem 0 .1rem; max-width: 30rem; white-space: pre-wrap; overflow-wrap: anywhere;
  font-size: .8em; font-weight: normal; color: #202124; background: #fff; padding: .3rem;
  border: 1px solid #dadce0; }
tr.verdict th, tr.verdict td { border-top: 2px solid #5f6368; font-weight: bold; }
.v-conforming { background: #ceead6; color: #0d652d; }
.v-nonconforming { background: #f6aea9; color: #7f0b0b; }
.v-error { background: #e8eaed; color: #3c4043; }
section.legend { margin-top: 1rem; max-width: 60rem; }
section.legend h2 { font-size: 1rem; margin: 0 0 .3rem; }
table.legend td:first-child { white-space: nowrap; min-width: 7.5rem; }
""".strip()


def _per_expectations(column: Column, expected: str) -> str:
    return f"expected {expected}, per expectations/{column.label}.toml"


def _cell(column: Column, clause_id: str) -> str:
    esc = html.escape
    entry = column.entries().get(clause_id)
    if entry is None:
        css, label, outcome, detail = ABSENT, ABSENT, "not in the report", "this report has no such clause"
    else:
        css = entry_status(entry)
        label, outcome = LABELS.get(css, css), entry["outcome"]
        detail = str(entry.get("detail") or "")
    expected = column.expected_outcome(clause_id, outcome)
    first = detail.splitlines()[0] if detail else ""
    tooltip = first
    if expected is not None:
        note = _per_expectations(column, expected)
        tooltip = f"{note}. {first}" if first else note
    attributes = f' class="{esc(css + (" unexpected" if expected else ""))}"'
    if tooltip:
        attributes += f' title="{esc(tooltip)}"'
    if css in EXPLAINED and detail:
        body = f"<details><summary>{esc(label)}</summary><pre>{esc(detail)}</pre></details>"
    else:
        body = esc(label)
    if expected is not None:
        body += f'<span class="expected">expected {esc(expected)}</span>'
    return f"<td{attributes}>{body}</td>"


def _verdict_cell(column: Column) -> str:
    esc = html.escape
    verdict = str(column.report["verdict"])
    expected = column.expected_verdict()
    css = f"v-{verdict}" + (" unexpected" if expected else "")
    body = esc(VERDICT_LABELS.get(verdict, verdict) + (PARTIAL if column.report.get("partial") else ""))
    title = ""
    if expected is not None:
        title = f' title="{esc(_per_expectations(column, expected))}"'
        body += f'<span class="expected">expected {esc(expected)}</span>'
    return f'<td class="{esc(css)}"{title}>{body}</td>'


def _legend(judged: bool) -> str:
    esc = html.escape
    rows = [f'<tr><td class="{s}">{esc(LABELS[s])}</td><td>{esc(MEANINGS[s])}</td></tr>' for s in STATUSES]
    rows.append(
        f'<tr><td class="{ABSENT}">{ABSENT}</td><td>the report has no such clause '
        "(written by another version of the suite)</td></tr>"
    )
    if judged:
        rows.append(
            '<tr><td class="pass unexpected">pass<span class="expected">expected fail</span></td>'
            "<td>unexpected: differs from <code>expectations/&lt;label&gt;.toml</code> (a regression, "
            "or an expectation that no longer holds); the matrix command exits 1</td></tr>"
        )
    rows.append(
        '<tr><td class="v-conforming">conforming</td><td>verdict: every applicable MUST clause passes '
        '(<span class="v-nonconforming">NONCONFORMING</span> when one does not; '
        '<span class="v-error">no verdict (error)</span> when the suite could not judge; '
        "followed by <em>(partial)</em> when some clause was not run)</td></tr>"
    )
    rows.append(
        '<tr><td><small class="isolation">(sandbox)</small></td><td>the plugin ran in the bubblewrap '
        "sandbox; <small>(not sandboxed: process)</small> or <small>(not sandboxed: in-process)</small>: in "
        "a plain process or inside the judge, where it could have reached what the sandbox keeps from it "
        "(docs/isolation.md)</td></tr>"
    )
    hint = (
        "A FAIL, warn, blocked or ERROR cell unfolds to the clause's detail (its first line is also the "
        "cell's tooltip)."
    )
    return (
        f'<section class="legend" aria-labelledby="legend"><h2 id="legend">Legend</h2><p>{esc(hint)}</p>'
        f'<table class="legend"><tbody>{"".join(rows)}</tbody></table></section>'
    )


def _judged_line(columns: Sequence[Column]) -> str:
    """One line above the table: how the reports compare with their expectations."""
    legend = ' <a href="#legend">Legend</a> below the table.'
    if any(c.expectation is None for c in columns):
        return f'<p class="judged">Rendered without expectations: nothing judged.{legend}</p>'
    differs = sum(len(compare(c.expectation, c.report)) for c in columns if c.expectation is not None)
    if not differs:
        return (
            f'<p class="judged">Every outcome of {len(columns)} report(s) is as '
            f"<code>expectations/</code> expects.{legend}</p>"
        )
    return (
        f'<p class="judged"><strong class="differs">{differs} outcome(s) differ from '
        f"<code>expectations/</code></strong> (outlined in blue).{legend}</p>"
    )


def matrix_html(columns: Sequence[Column], title: str = "Anam conformance matrix") -> str:
    columns = ordered(columns)
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(c.label)}<br><small>{_plugin(c)}</small></th>' for c in columns)
    body = []
    for clause_id, level, clause_title in _rows(columns):
        cells = "".join(_cell(column, clause_id) for column in columns)
        name = f"<code>{esc(clause_id)}</code>"
        if clause_title:
            name += f"<small>{esc(clause_title)}</small>"
        body.append(f'<tr><th scope="row">{name}</th><td class="level">{esc(level)}</td>{cells}</tr>')
    verdicts = "".join(_verdict_cell(c) for c in columns)
    judged = all(c.expectation is not None for c in columns)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>\n'
        f"<style>\n{STYLE}\n</style></head>\n<body>\n<h1>{esc(title)}</h1>\n{_judged_line(columns)}\n"
        f'<table><thead><tr><th scope="col">clause</th><th scope="col">level</th>{head}</tr>'
        "</thead>\n<tbody>\n"
        + "\n".join(body)
        + f'\n</tbody>\n<tfoot><tr class="verdict"><th scope="row">verdict</th><td></td>{verdicts}</tr>'
        f"</tfoot></table>\n{_legend(judged)}\n</body></html>\n"
    )


def _plugin(column: Column) -> str:
    """The module and version under test, as HTML that may break after a dot."""
    plugin = column.report.get("plugin", {})
    module = html.escape(str(plugin.get("module", "?"))).replace(".", ".<wbr>")
    label = f"{module} {html.escape(str(plugin.get('version') or ''))}".strip()
    isolation = plugin.get("isolation")
    if isolation == "sandbox":
        label += ' <small class="isolation">(sandbox)</small>'
    elif isolation:
        label += f' <small class="isolation">(not sandboxed: {html.escape(str(isolation))})</small>'
    return label
