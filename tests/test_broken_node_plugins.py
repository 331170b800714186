"""Every broken Node plugin is rejected, through the Node driver, for the clauses it breaks.

Each variant wraps the real ``@livekit/agents-plugin-anam@1.5.0`` with one
fault; it is copied next to the suite's cached install of that release so the
plugin and its peers resolve as they would in an agent's project. A variant is
killed exactly: each clause it declares fails, and every other clause fails
only where 1.5.0 itself fails it (``expectations/npm-1.5.0.toml``). 1.5.0
retries every failure, 4xx included, so a fault Anam refuses is sent several
times: that must stay the fault's clause, never spread to one the release meets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from anam_conformance import expectations
from anam_conformance.clauses import clause
from conftest import placed
from details import blocking_cycles, contradictions_in

VARIANTS_DIR = Path(__file__).resolve().parent / "broken_node_plugins"
VARIANTS = sorted(p.name for p in VARIANTS_DIR.iterdir() if (p / "breaks.json").is_file())
EXPECTATIONS = Path(__file__).resolve().parent.parent / "expectations"
#: The clauses 1.5.0 itself fails: a variant may fail them (or see them blocked) without blame.
RELEASE_FAILS = frozenset(
    clause_id
    for clause_id, outcome in expectations.for_label(EXPECTATIONS, "npm-1.5.0").clauses.items()
    if outcome == "fail"
)


def breaks(variant: str) -> list[str]:
    return list(json.loads((VARIANTS_DIR / variant / "breaks.json").read_text())["breaks"])


def test_each_variant_names_known_clauses() -> None:
    assert len(VARIANTS) >= 3
    for variant in VARIANTS:
        for clause_id in breaks(variant):
            clause(clause_id)


@pytest.mark.parametrize("variant", VARIANTS)
def test_broken_node_plugin_is_rejected_for_what_it_breaks(
    run_suite: Any, release_dir: Path, variant: str
) -> None:
    path = placed(release_dir, VARIANTS_DIR / variant)
    run = run_suite(f"node:{path}", "--conformance-profile=quick")
    outcomes = run.outcomes()
    declared = set(breaks(variant))
    for clause_id in declared:
        assert outcomes[clause_id] == "fail", (clause_id, outcomes, run.output[-3000:])
    blamed = {c for c, o in outcomes.items() if o == "fail"} - declared - RELEASE_FAILS
    assert not blamed, (f"{variant} is blamed on clauses 1.5.0 meets: {sorted(blamed)}", run.output[-3000:])
    assert "error" not in outcomes.values(), outcomes
    assert run.report is not None and run.report["verdict"] == "nonconforming"
    assert not contradictions_in(run.report), contradictions_in(run.report)
    assert not blocking_cycles(run.report), blocking_cycles(run.report)
