"""The documentation stays true to the code: generated tables current, README short, includes present."""

from __future__ import annotations

import re
from pathlib import Path

from anam_conformance.clauses import CLAUSES
from anam_conformance.renderers import clause_docs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GENERATED = DOCS / "generated" / "clauses.md"
README_MAX_LINES = 150
#: A pymdownx.snippets include line: ``--8<-- "path"`` or ``--8<-- "path:section"``.
SNIPPET = re.compile(r'^\s*--8<-- "([^":]+)(?::([\w-]+))?"\s*$', re.MULTILINE)


def test_generated_clause_tables_are_current() -> None:
    expected = clause_docs.clause_tables_markdown()
    current = GENERATED.read_text(encoding="utf-8") if GENERATED.is_file() else ""
    assert current == expected, (
        f"{GENERATED.relative_to(ROOT)} differs from conformance/clauses.py; "
        f"regenerate it at the repository root: {clause_docs.REGENERATE}"
    )


def test_generated_tables_name_every_clause() -> None:
    text = clause_docs.clause_tables_markdown()
    for c in CLAUSES:
        assert f"### `{c.id}` {{#{c.id}}}" in text
        assert f"| [`{c.id}`](#{c.id}) |" in text


def test_every_clause_says_the_domain_its_checks_cover() -> None:
    """A pass reaches as far as the checks go: each clause names the statuses, values and flows."""
    text = clause_docs.clause_tables_markdown()
    for c in CLAUSES:
        assert c.domain.strip(), f"{c.id} names no domain"
        assert f"Domain checked: {clause_docs.cell(c.domain)}" in text


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "clauses.md"
    stale.write_text("stale\n", encoding="utf-8")
    assert clause_docs.main([str(stale), "--check"]) == 1
    assert clause_docs.main([str(stale)]) == 0
    assert clause_docs.main([str(stale), "--check"]) == 0


def test_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, (
        f"README.md has {len(lines)} lines, at most {README_MAX_LINES}: move the detail to a page in docs/"
    )


def test_every_included_file_and_section_exists() -> None:
    for page in DOCS.rglob("*.md"):
        for match in SNIPPET.finditer(page.read_text(encoding="utf-8")):
            path, section = match.group(1), match.group(2)
            included = ROOT / path
            assert included.is_file(), f"{page.relative_to(ROOT)} includes {path}, which does not exist"
            if section:
                assert f"--8<-- [start:{section}]" in included.read_text(encoding="utf-8"), (
                    f"{page.relative_to(ROOT)} includes section {section!r} of {path}, which has none"
                )


def test_readme_links_to_docs_pages_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert links
    for link in links:
        assert (ROOT / link).is_file(), f"README.md links to {link}, which does not exist"


def test_docs_use_the_installed_module_names() -> None:
    """Commands name the import package ``anam_conformance``; ``conformance/`` is only a folder."""
    for path in [ROOT / "README.md", *DOCS.rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert "python -m conformance." not in text, f"{path.relative_to(ROOT)}: python -m conformance.*"
        assert "import conformance" not in text, f"{path.relative_to(ROOT)}: import conformance"
