"""The clause tables of the documentation, generated from the clause registry.

``python -m anam_conformance.renderers.clause_docs docs/generated/clauses.md`` writes
them; ``--check`` exits 1 instead when the file differs from what the registry
says. The file holds two named sections, which the documentation pages include
with pymdownx.snippets (``--8<-- "docs/generated/clauses.md:clauses"``): the
clause table (``clauses``), each clause in full with its source and the
domain its checks cover (``clause-entries``, one heading a clause, anchored by
its id) and, for each
language with its own wording, what each clause asks of an implementation in
it (``javascript``, ...).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..clauses import CLAUSES, LANGUAGE_MAPPINGS, Clause, Level

REGENERATE = "python -m anam_conformance.renderers.clause_docs docs/generated/clauses.md"
#: How a language's key in LANGUAGE_MAPPINGS is written in prose.
LANGUAGE_NAMES: dict[str, str] = {"javascript": "JavaScript", "typescript": "TypeScript"}


def cell(text: str) -> str:
    """Text made safe for one Markdown table cell, rendered as written (``<API key>`` is not HTML)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("|", "\\|").replace("\n", " ").strip()


def language_name(language: str) -> str:
    return LANGUAGE_NAMES.get(language, language.capitalize())


def level_cell(clause: Clause) -> str:
    if clause.applies_if is not None:
        return f"{clause.level.value}, where offered"
    return clause.level.value


def scope_cell(clause: Clause) -> str:
    """Which plugins the clause judges, and what ``unimplemented`` means for it."""
    if clause.applies_if is not None:
        return f"plugins offering `{clause.applies_if}` (elsewhere: not applicable)"
    if clause.feature:
        return "every plugin (without `SessionOptions`: unimplemented, which counts)"
    return "every plugin"


def _section(name: str, lines: Sequence[str]) -> list[str]:
    return [f"<!-- --8<-- [start:{name}] -->", *lines, f"<!-- --8<-- [end:{name}] -->"]


def clauses_table() -> list[str]:
    """One row a clause, its id linking to its entry in :func:`clause_entries`."""
    musts = sum(c.level is Level.MUST for c in CLAUSES)
    shoulds = sum(c.level is Level.SHOULD for c in CLAUSES)
    mays = sum(c.level is Level.MAY for c in CLAUSES)
    counts = f"{len(CLAUSES)} clauses: {musts} MUST, {shoulds} SHOULD" + (f", {mays} MAY" if mays else "")
    lines = [f"{counts}.", "", "| id | level | title | applies to |", "|---|---|---|---|"]
    for c in CLAUSES:
        lines.append(f"| [`{c.id}`](#{c.id}) | {level_cell(c)} | {cell(c.title)} | {scope_cell(c)} |")
    return lines


def clause_entries() -> list[str]:
    """Each clause in full: its requirement, the source its level is argued from, and the domain its
    checks cover (so a pass is read as far as it reaches, no further)."""
    lines: list[str] = []
    for c in CLAUSES:
        lines += [
            f"### `{c.id}` {{#{c.id}}}",
            "",
            f"**{level_cell(c)}: {cell(c.title)}.** {cell(c.requirement)}",
            "",
            f"Applies to: {scope_cell(c)}. Source: {cell(c.source)}.",
            "",
            f"Domain checked: {cell(c.domain)}",
            "",
        ]
    return lines[:-1]


def language_table(language: str) -> list[str]:
    """Each clause as it reads in ``language``; one without its own wording reads as in Python."""
    mapping = LANGUAGE_MAPPINGS.get(language, {})
    lines = [f"| id | in {language_name(language)} |", "|---|---|"]
    for c in CLAUSES:
        if c.id not in mapping:
            meaning = f"*As in Python:* {cell(c.requirement)}"
        elif not c.applies_to(language):
            meaning = f"*No counterpart:* reported unimplemented in {language_name(language)}, never passed."
        else:
            meaning = cell(c.meaning_in(language))
        lines.append(f"| `{c.id}` | {meaning} |")
    return lines


def clause_tables_markdown() -> str:
    """The generated file: the clause table, each clause in full, then one table per language."""
    lines = [
        f"<!-- Generated from conformance/clauses.py by `{REGENERATE}`: do not edit by hand. -->",
        "",
        *_section("clauses", clauses_table()),
        "",
        *_section("clause-entries", clause_entries()),
    ]
    for language in sorted(LANGUAGE_MAPPINGS):
        lines += ["", *_section(language, language_table(language))]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m anam_conformance.renderers.clause_docs",
        description="Write the documentation's clause tables, generated from the clause registry.",
    )
    parser.add_argument("path", type=Path, help="the file to write (docs/generated/clauses.md); - for stdout")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the file differs from the registry"
    )
    args = parser.parse_args(argv)
    text = clause_tables_markdown()
    path: Path = args.path
    if str(path) == "-":
        sys.stdout.write(text)
        return 0
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            print(f"{path} is out of date with the clause registry; regenerate it: {REGENERATE}")
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
