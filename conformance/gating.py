"""Whether a check runs against an implementation, and if not, how its absence counts.

One decision for every reason a check may not apply, so each reads the same in
every output and counts the same for the verdict:

- a capability the harness lacks with this implementation (``offers`` naming a
  capability): ``skip``, since a twin check judges the same clause another way;
- a clause with no counterpart in the implementation's language
  (:meth:`Clause.applies_to`): ``unimplemented``;
- a feature the plugin lacks: one a check names (``offers``), the one a clause is
  about (``feature``: ``SessionOptions``), or the one it applies only with
  (``applies_if``): ``unimplemented``.

A pure function of the check's marks, its clauses and the implementation's
description, so it is decided once, at collection, and tested without a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .clauses import ClauseId, Offer, clause
from .port.description import Description, Surface
from .report import UNIMPLEMENTED_PREFIX

#: How to tell an implementation offers each feature, from the surface it describes.
FEATURES: Mapping[Offer, Callable[[Surface], bool]] = {
    Offer.SESSION_OPTIONS: lambda s: s.session_options,
    Offer.DIRECTOR_NOTES: lambda s: s.director_notes,
    Offer.DISCLOSURE: lambda s: s.takes_option(Offer.DISCLOSURE.value),
}


@dataclass(frozen=True)
class Skip:
    """A check that does not run here: the reason pytest shows, and the outcome it reports."""

    outcome: Literal["unimplemented", "skip"]
    #: Why, as the report says it.
    detail: str

    @property
    def reason(self) -> str:
        """As pytest shows it (``-rs``, JUnit): an ``unimplemented`` one says so first."""
        return f"{UNIMPLEMENTED_PREFIX}{self.detail}" if self.outcome == "unimplemented" else self.detail


class UnknownOffer(ValueError):
    """A check names something no implementation can offer."""


def offered(offer: Offer, described: Description) -> bool:
    if offer.is_capability:
        return described.capabilities.offers(offer.value)
    return FEATURES[offer](described.surface)


def needed(marked: Iterable[str], clause_ids: Sequence[ClauseId]) -> list[Offer]:
    """The offers a check needs: those its marks name, then those its clauses imply."""
    unknown = [name for name in marked if name not in Offer.__members__.values()]
    if unknown:
        raise UnknownOffer(f"unknown offer {unknown[0]!r}; known: {', '.join(Offer)}")
    offers = [Offer(name) for name in marked]
    for clause_id in clause_ids:
        found = clause(clause_id)
        if found.feature:
            offers.append(Offer.SESSION_OPTIONS)
        if found.applies_if is not None:
            offers.append(found.applies_if)
    return list(dict.fromkeys(offers))


def gate(marked: Iterable[str], clause_ids: Sequence[ClauseId], described: Description) -> Skip | None:
    """None when the check runs against ``described``; else why not and how that counts.

    ``marked`` are the offers the check's ``offers`` marks name, closest first.
    """
    offers = needed(marked, clause_ids)
    lacking = [o for o in offers if o.is_capability and not offered(o, described)]
    if lacking:
        return Skip("skip", f"{described.module} offers no {lacking[0]}: judged by its twin check")
    language = described.language
    absent = [c for c in clause_ids if not clause(c).applies_to(language)]
    if absent:
        return Skip(
            "unimplemented",
            f"{absent[0]} has no counterpart in {language}: {clause(absent[0]).meaning_in(language)}",
        )
    missing = [o for o in offers if not o.is_capability and not offered(o, described)]
    if missing:
        return Skip("unimplemented", f"{described.module} has no {missing[0]}")
    return None
