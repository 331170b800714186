"""The port itself: what the harness calls of any implementation, in-process or driven.

Modelled on Bowtie's ``Connection``/``HarnessClient``: one transport-neutral
interface, an adapter per way of running an implementation
(:mod:`anam_conformance.implementations`), and a harness that holds only this.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from .call import AdmittedAvatar, StartCall
from .description import Description
from .facts import JoinAnswer, StartAnswer, TypeProbe


class StartedAvatar(Protocol):
    """One started avatar session, from ``start()``'s answer until it is closed."""

    @property
    def answer(self) -> StartAnswer: ...

    async def avatar_events(self, avatar: AdmittedAvatar | None) -> JoinAnswer:
        """Ask ``wait_for_join()`` with nobody in the room, then show the room the avatar's arrival
        (None: no avatar comes) as its own events, and ask ``wait_for_join()`` again."""
        ...

    async def aclose(self) -> None: ...


#: How many starts :meth:`Implementation.start_each` is asked to make together: the harness groups a
#: property's examples by it and a driver's batches are as large; a whole group stays well inside
#: one deadline even one after the other (in-process, about 2 ms a start).
TOGETHER = 16


class Implementation(Protocol):
    """An implementation under test, whatever its language and wherever it runs."""

    #: Its starts run in a process of their own, so they go on while this one is busy: a
    #: property's next examples are drawn while its last ones start (never a plugin sharing this
    #: process, whose calls the watchdog guards on this thread).
    runs_elsewhere: bool

    def describe(self) -> Description: ...

    async def start(self, call: StartCall) -> StartedAvatar:
        """Construct the avatar session and ``start()`` it; what the plugin did is in the answer.

        Raises only where there is no answer to give: a driver that broke, or a call a watchdog
        stopped (:class:`~.facts.Stalled`, its :class:`~.facts.Stall`); a plugin's failure is a
        fact of the answer.
        """
        ...

    async def start_each(self, calls: Sequence[StartCall]) -> list[StartAnswer]:
        """Each call started and closed again, answered in order: as if one after the other.

        For checks of what was sent and answered over many calls (a property's examples, a
        domain of statuses), which never ask for avatar events. An implementation may start
        them together, each in a room of its own; the harness gives each its own Anam.
        """
        ...

    def probe_types(
        self, persona_config: Mapping[str, object], session_options: Mapping[str, object]
    ) -> TypeProbe:
        """``PersonaConfig(**persona_config)``, ``SessionOptions()`` and
        ``SessionOptions(**session_options)``, each with the attributes its keywords name read
        back: only where the capability ``python-types`` is offered (the public types are Python's).
        """
        ...

    def cut_off(self) -> None:
        """A start abandoned at the caller's deadline: nothing of it may answer out of turn later."""
        ...

    def close(self) -> None:
        """The end of the run: whatever the implementation keeps running is ended."""
        ...
