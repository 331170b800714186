"""What an implementation says it is, what of the public surface it has, and what it offers the harness.

One shape for every kind (the driver protocol's ``describe``): the surface
checks judge it, collection turns a missing part into ``unimplemented`` and a
missing capability into a skip, and the report names the implementation by it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def canonical(name: str) -> str:
    """A name as every language spells it: ``show_ai_avatar_disclosure`` is ``showAIAvatarDisclosure``."""
    return name.replace("_", "").lower()


@dataclass(frozen=True)
class Surface:
    """The public surface, as the implementation's own language spells it."""

    avatar_session: bool
    framework_avatar_session: bool
    wait_for_join: bool
    session_options: bool
    session_option_fields: tuple[str, ...]
    disclosure: bool
    director_notes: bool
    custom_identity: bool
    persona_fields: tuple[str, ...] = ()
    constructor_options: tuple[str, ...] = ()
    start_params: tuple[str, ...] = ()

    def takes_option(self, name: str) -> bool:
        """``SessionOptions`` has the field ``name`` (in the suite's words, any language's spelling)."""
        return canonical(name) in {canonical(f) for f in self.session_option_fields}


@dataclass(frozen=True)
class PythonTypes:
    """The public classes themselves, for the in-process adapter (a module in the judge's process)."""

    avatar_session: type
    persona_config: type
    session_options: type | None
    director_notes: type | None


@dataclass(frozen=True)
class Capabilities:
    """What the harness can do with the implementation beyond the one call, declared, never guessed.

    A check that needs one names it (``@pytest.mark.offers(Offer...)``) and is skipped at
    collection where it is not offered; its twin check judges the same clause there.
    """

    #: Its HTTP goes through this process's aiohttp client: cassettes are replayed there (vcrpy).
    shared_http_client: bool = False
    #: A fault raised at its own HTTP client (the call's ``client_fault``), the requests it made
    #: reported back: a Python plugin's aiohttp client, in-process or in its driver.
    client_faults: bool = False
    #: Its public classes are Python's: it answers ``probe_types`` (what they keep of arguments).
    python_types: bool = False
    #: Statuses its HTTP client never delivers as an answer (fetch turns a 407 into a network error).
    undeliverable_statuses: frozenset[int] = frozenset()
    #: Its numbers tell ``720.0`` from ``720`` and hold integers beyond 2**53 (not JavaScript's).
    exact_numbers: bool = True

    def offers(self, name: str) -> bool:
        """Whether the capability a check names (:data:`CAPABILITIES`) is offered."""
        return CAPABILITIES[name](self)


#: The capabilities a check can name, and how to read each.
CAPABILITIES: dict[str, Callable[[Capabilities], bool]] = {
    "client-faults": lambda c: c.client_faults,
    "python-types": lambda c: c.python_types,
}


@dataclass(frozen=True)
class Description:
    """The implementation as it describes itself (the driver protocol's ``describe``)."""

    module: str  # as it was named: the module, or the ``npm:``/``node:``/``driver:`` spec
    version: str | None
    language: str
    surface: Surface
    capabilities: Capabilities = Capabilities()
    name: str | None = None  # the package's own name, when it is not the module
    runtime: str | None = None
    framework: Mapping[str, str] = field(default_factory=dict)
    driver: str | None = None
    #: Where the plugin came from (an editable checkout, a package index, ...), when its driver says.
    installed_from: str | None = None

    def as_report(self) -> dict[str, object]:
        """The report's ``plugin`` block: what was judged, in what runtime, through what."""
        reported: dict[str, object] = {"module": self.module, "version": self.version}
        if self.name is not None:
            reported["name"] = self.name
            reported["language"] = self.language
        for key, value in (("runtime", self.runtime), ("framework", dict(self.framework))):
            if value:
                reported[key] = value
        if self.driver is not None:
            reported["driver"] = self.driver
        if self.installed_from is not None:
            reported["installed_from"] = self.installed_from
        return reported
