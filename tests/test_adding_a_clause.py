"""The contributor's walk-through (docs/adding-a-clause.md) is code the suite still takes.

Its example was made and judged as the page shows it (the reference passed it,
its broken plugin warned on it alone); here, without adding it for good: every
block parses, the clause record uses only fields a clause has, and the check and
the broken plugin use only names that exist where the page puts them.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import importlib
import re
import textwrap
from pathlib import Path

import pytest
from anam_conformance.clauses import Clause
from anam_conformance.plugin_under_test import api

PAGE = Path(__file__).resolve().parent.parent / "docs" / "adding-a-clause.md"
BLOCKS = [textwrap.dedent(b) for b in re.findall(r"^```python\n(.*?)^```", PAGE.read_text(), re.M | re.S)]


def _block(marker: str) -> ast.Module:
    (found,) = [b for b in BLOCKS if marker in b]
    return ast.parse(found)


def _free_names(tree: ast.AST) -> set[str]:
    """Names the code reads but neither binds nor gets from builtins."""
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {
        n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.args}
    bound |= {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read - bound - set(dir(builtins))


def test_every_block_parses() -> None:
    assert len(BLOCKS) >= 4
    for block in BLOCKS:
        ast.parse(block.replace("    ...\n", "    pass\n"))


def test_the_clause_uses_only_a_clauses_fields() -> None:
    (call,) = [
        n for n in ast.walk(_block("Clause(")) if isinstance(n, ast.Call) and ast.unparse(n.func) == "Clause"
    ]
    fields = {f.name for f in dataclasses.fields(Clause)}
    assert {k.arg for k in call.keywords} <= fields
    assert len(call.args) <= len(fields)


def test_the_check_needs_nothing_its_module_lacks() -> None:
    module = importlib.import_module("anam_conformance.suite.test_session")
    missing = {name for name in _free_names(_block("@pytest.mark.clause(")) if not hasattr(module, name)}
    assert not missing, f"docs/adding-a-clause.md's check uses names test_session.py does not have: {missing}"


def test_the_broken_plugin_builds_on_what_exists() -> None:
    tree = _block("BREAKS = ")
    assert not _free_names(tree) - {"api"}
    assert hasattr(api.AnamAPI, "_headers")
    helper = importlib.import_module("broken_plugins._api_variant")
    assert hasattr(helper, "avatar_session_with")


@pytest.mark.parametrize("name", ["ClauseId", "Level", "RELEASED", "Offer", "LANGUAGE_MAPPINGS", "CLAUSES"])
def test_the_names_the_page_gives_exist_in_clauses(name: str) -> None:
    assert hasattr(importlib.import_module("anam_conformance.clauses"), name)
