"""A third kind of implementation: a Python plugin module in a process of its own, over the driver protocol.

Written against the port alone: the module is loaded and started through the
suite's in-process adapter, and each protocol command is one port call, its
answer the port's facts as JSON. The suite then judges the module as it
judges any driven implementation (``driver:python tests/python_driver/driver.py MODULE``),
without a line of a check or of the harness knowing this kind exists.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from typing import Any

from anam_conformance.implementations.loading import load_target
from anam_conformance.port import (
    AdmittedAvatar,
    ConnOptions,
    ErrorFacts,
    Implementation,
    LiveKit,
    Persona,
    RoomSpec,
    StartAnswer,
    StartCall,
    StartedAvatar,
)
from anam_conformance.port.call import NOT_GIVEN_OPTIONS

AGENT_KIND = 4


def facts(value: ErrorFacts | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return dataclasses.asdict(value)


def call_of(params: dict[str, Any]) -> StartCall:
    persona, options, conn = params["persona"], params["session_options"], params["conn_options"]
    return StartCall(
        persona=Persona(
            persona["name"], persona["avatar_id"], persona["avatar_model"], persona["director_notes"]
        ),
        api_url=params["api_url"],
        api_key=params["api_key"],
        livekit=LiveKit(**params["livekit"]),
        room=RoomSpec(**params["room"]),
        session_options=NOT_GIVEN_OPTIONS if options is None else options,
        avatar_identity=params["avatar_identity"],
        conn_options=ConnOptions(**conn),
    )


def avatar_of(event: dict[str, Any] | None) -> AdmittedAvatar | None:
    if event is None:
        return None
    track = event["tracks"][0]
    kind = AGENT_KIND if event["kind"] == "agent" else 0
    return AdmittedAvatar(event["identity"], kind, event["attributes"], track["width"], track["height"])


def start_result(answer: StartAnswer) -> dict[str, Any]:
    if answer.premise is not None and answer.failure is None:
        raise RuntimeError(f"the call was refused before any request: {answer.premise}")
    audio = answer.audio
    return {
        "stage": answer.stage
        if answer.stage in ("construct", "start")
        else (None if answer.failure is None else "construct"),
        "failure": facts(answer.failure),
        "audio": dataclasses.asdict(audio) if audio is not None else None,
        "avatar_identity": answer.avatar_identity,
    }


class Driver:
    def __init__(self, module: str) -> None:
        self.module = module
        self.implementation: Implementation = load_target(module)
        self.started: StartedAvatar | None = None

    async def close_started(self) -> bool:
        started, self.started = self.started, None
        if started is None:
            return False
        await started.aclose()
        return True

    async def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        command = request["command"]
        if command == "describe":
            described = self.implementation.describe()
            surface = dataclasses.asdict(described.surface)
            for key, value in surface.items():
                if isinstance(value, tuple):
                    surface[key] = list(value)
            return {
                "protocol": 1,
                "name": self.module,
                "version": described.version,
                "language": "python",
                "runtime": f"python {sys.version.split()[0]}",
                "driver": "anam-conformance-python-driver (tests)",
                "surface": surface,
                "commands": ["start-batch"],
            }
        if command == "start":
            await self.close_started()
            self.started = await self.implementation.start(call_of(request))
            return start_result(self.started.answer)
        if command == "start-batch":
            answers = await self.implementation.start_each([call_of(one) for one in request["starts"]])
            return {"results": [start_result(answer) for answer in answers]}
        if command == "avatar-events":
            if self.started is None:
                raise RuntimeError("avatar-events before a start")
            joined = await self.started.avatar_events(avatar_of(request["avatar"]))
            answer_events: dict[str, Any] = {
                "wait_for_join": "resolved" if joined.joined else "pending",
                "joined": joined.joined,
                "failure": facts(joined.failure),
            }
            if joined.wait_before is not None:
                answer_events["wait_for_join_before"] = joined.wait_before
            return answer_events
        if command == "close":
            return {"closed": await self.close_started()}
        raise RuntimeError(f"unknown command {command!r}")


async def main(module: str) -> None:
    driver = Driver(module)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        request = json.loads(line)
        try:
            message = {"id": request["id"], "ok": True, "result": await driver.answer(request)}
        except Exception as error:  # the driver's own failure, reported as the protocol says
            message = {
                "id": request["id"],
                "ok": False,
                "error": {"type_name": type(error).__name__, "message": str(error)},
            }
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()
    await driver.close_started()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "plugin_under_test"))
