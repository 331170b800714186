"""Reading a report's details: a detail that contradicts itself is a bug in the suite, not the plugin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: ``expected ...; actual ...`` as :func:`anam_conformance.assertions._sentence` builds it, after any
#: ``blocked by <clause>: `` prefix; the actual part ends at the line's end.
SENTENCE = re.compile(r"expected (?P<expected>.+?); actual (?P<actual>.+)$")
#: A state word reported next to a sentence denying it: "did not resolve (resolved)".
DENIED_STATE = re.compile(r"\bdid not (?P<verb>\w+?)e?\b.*\((?P=verb)e?d\)")


def contradictions(detail: str) -> list[str]:
    """The lines of ``detail`` that say one thing and its opposite."""
    found = []
    for line in detail.splitlines():
        sentence = SENTENCE.search(line)
        if sentence and _words(sentence["expected"]) == _words(sentence["actual"]):
            found.append(f"expected and actual are the same: {line}")
        if DENIED_STATE.search(line):
            found.append(f"denies the state it reports: {line}")
    return found


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def details(report: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every detail of a JSON report: each clause's and each of its tests'."""
    for clause in report["clauses"]:
        if clause.get("detail"):
            yield clause["id"], clause["detail"]
        for test in clause.get("tests", ()):
            if test.get("detail"):
                yield test["nodeid"], test["detail"]


def contradictions_in(report: dict[str, Any]) -> list[str]:
    return [f"{where}: {problem}" for where, detail in details(report) for problem in contradictions(detail)]


def blocking_edges(report: dict[str, Any]) -> set[tuple[str, str]]:
    """The run's premise graph: (a clause one of whose checks was blocked, the clause that blocked it)."""
    return {
        (clause["id"], test["blocked_by"])
        for clause in report["clauses"]
        for test in clause.get("tests", ())
        if test.get("outcome") == "blocked" and test.get("blocked_by")
    }


def cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """Every clause that, following "is blocked by", comes back to itself, with the path it takes."""
    graph: dict[str, list[str]] = {}
    for blocked, by in sorted(edges):
        graph.setdefault(blocked, []).append(by)
    found = []
    for start in sorted(graph):
        path = _path_back(graph, start, start, set())
        if path:
            found.append([start, *path])
    return found


def _path_back(graph: dict[str, list[str]], node: str, goal: str, visited: set[str]) -> list[str]:
    """A path from ``node`` to ``goal`` along the edges (depth first), or none."""
    for nxt in graph.get(node, ()):
        if nxt == goal:
            return [nxt]
        if nxt in visited:
            continue
        visited.add(nxt)
        rest = _path_back(graph, nxt, goal, visited)
        if rest:
            return [nxt, *rest]
    return []


def blocking_cycles(report: dict[str, Any]) -> list[str]:
    """Clauses that block each other in one run: each would be blamed on the other's account."""
    return [" <- ".join(cycle) for cycle in cycles(blocking_edges(report))]
