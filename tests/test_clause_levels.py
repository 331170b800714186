"""A clause's level is stated in one place, ``conformance/clauses.py``.

Every other text that names a clause and a level in one breath (a docstring, a
comment, a message, a doc page, an example output) must say the registry's
level: a page calling a MUST clause a SHOULD tells a maintainer a failure leaves
the verdict standing when it does not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from anam_conformance.clauses import BY_ID, ClauseId

ROOT = Path(__file__).resolve().parent.parent
IDS = "|".join(re.escape(c.value) for c in sorted(ClauseId, key=len, reverse=True))
#: A clause id, then within the same sentence (no other clause id between) a level.
STATED = re.compile(rf"(?<![\w.-])({IDS})(?![\w-])((?:(?!{IDS})[^.\n]){{0,60}}?)\b(MUST|SHOULD|MAY)\b")


def texts() -> list[Path]:
    """The suite's code, the project's tests and every page a reader is sent to."""
    found = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    found += sorted((ROOT / "conformance").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    return [path for path in found if path.name != "clauses.py" and path != Path(__file__).resolve()]


def stated_levels(text: str) -> list[tuple[str, str]]:
    """Each (clause id, level) a text states together."""
    return [(m.group(1), m.group(3)) for m in STATED.finditer(text)]


def test_the_reader_finds_a_stated_level() -> None:
    assert stated_levels("`fields.disclosure-kept` (SHOULD) and dims.verbatim, MUST.") == [
        ("fields.disclosure-kept", "SHOULD"),
        ("dims.verbatim", "MUST"),
    ]
    assert stated_levels("dims.verbatim blocks avatar.joins, a MUST") == [("avatar.joins", "MUST")]


@pytest.mark.parametrize("path", texts(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_stated_level_is_the_registrys(path: Path) -> None:
    wrong = [
        f"{clause_id} stated {level}, registered {BY_ID[ClauseId(clause_id)].level.value}"
        for clause_id, level in stated_levels(path.read_text(encoding="utf-8"))
        if BY_ID[ClauseId(clause_id)].level.value != level
    ]
    assert not wrong, f"{path.relative_to(ROOT)}: {'; '.join(wrong)}"
