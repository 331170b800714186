"""One long-lived driver process, spoken to in JSON lines (``drivers/PROTOCOL.md``).

The suite's verdict is only trusted if a driver that misbehaves can never look
like a plugin that passed or failed: a driver that exits, prints anything that
is not a protocol message, answers out of turn, or stays silent past the
per-command timeout raises a :class:`DriverError` (the port's ``Undrivable``),
which the report shows as the suite's ``error``, naming the driver and quoting
what it printed.

The process is started on first use and kept for the whole test session, so a
property test's hundreds of examples cost one process, not hundreds. Commands
are awaited from whichever event loop the test runs (each test has its own): a
reader thread feeds a queue, and the wait for an answer runs in a worker
thread, so the loop keeps serving the Anam double while the driver's plugin
talks to it.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import concurrent.futures
import json
import os
import queue
import subprocess
import threading
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ..masking import masked
from ..port.facts import Undrivable
from .locations import DRIVERS_DIR
from .sandbox import Isolation, Sandbox

SCHEMA_PATH = DRIVERS_DIR / "protocol.schema.json"
PROTOCOL_VERSION = 1
#: Seconds a command may take. A start against the local double takes milliseconds; a plugin
#: that sleeps between retries (the Node plugin's default is 2 s) is told not to.
COMMAND_TIMEOUT = 10.0
#: Overrides COMMAND_TIMEOUT (seconds), read at each command.
TIMEOUT_ENV = "ANAM_DRIVER_TIMEOUT"
#: Seconds the driver may take to load its runtime and the plugin before its first answer.
STARTUP_TIMEOUT = 30.0
#: Set (to anything) by this repository's own tests, and there only: each command the suite sends
#: is then checked against the schema as well. What the suite sends is its own output, the same
#: whichever driver answers, so its tests are where a mistake in it shows; a check of each command
#: would cost a verdict 0.3 ms a start (4 ms a batch of 16). Answers are always checked.
CHECK_REQUESTS_ENV = "ANAM_CONFORMANCE_CHECK_REQUESTS"
STDERR_TAIL = 40

#: Driver processes started before the suite asked for them (:meth:`DriverProcess.start_early`), by
#: command line and folder: the first :class:`DriverProcess` to run the same command adopts one.
_EARLY: dict[tuple[tuple[str, ...], Path | None, Sandbox | None], subprocess.Popen[str]] = {}


def _end_unadopted() -> None:
    """At exit: a process started early that no run asked for (``--help``, a usage error)."""
    for process in _EARLY.values():
        process.kill()
        process.wait(timeout=3)
    _EARLY.clear()


class DriverError(Undrivable):
    """The driver could not be judged through: the suite's error, naming the driver and what it printed."""

    def __init__(self, driver: str, problem: str, printed: str = "") -> None:
        message = f"driver {driver}: {problem}"
        if printed:
            message += f"; it printed: {printed}"
        super().__init__(message)
        self.driver = driver
        self.problem = problem
        self.printed = printed


class DriverCrashed(DriverError):
    """The driver process exited (or could not be started)."""


class DriverTimeout(DriverError):
    """The driver did not answer a command in time."""


class DriverProtocolError(DriverError):
    """The driver printed something that is not a valid protocol message, or reported its own failure."""


class DriverRefused(DriverProtocolError):
    """The driver answered ``ok: false``: it could not carry the command out, and says why."""

    def __init__(self, driver: str, command: str, type_name: str, message: str, printed: str = "") -> None:
        super().__init__(
            driver, f"failed to carry out {command!r}: {type_name}: {message.splitlines()[0]}", printed
        )
        self.type_name = type_name
        self.message = message


class RequestOutsideProtocol(Undrivable):
    """The suite was about to send a command the protocol does not allow: its own bug, never the driver's."""


@cache
def _schema() -> dict[str, Any]:
    """The JSON Schema of every message either side sends (``drivers/protocol.schema.json``).

    Its own validity against the metaschema is a test of this repository
    (``tests/test_drivers.py``), not a cost of every driven run (about 55 ms)."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator(command: str) -> Any:
    """The whole schema, less the ``allOf`` rules of the other commands: those never apply to a
    ``command`` message (their ``if`` names another), and skipping them halves the cost of each of
    the two validations every command gets, a few hundred microseconds of each driven start."""
    import jsonschema

    schema = _schema()
    rules = [rule for rule in schema.get("allOf", []) if _rule_command(rule) in (command, None)]
    return jsonschema.validators.validator_for(schema)({**schema, "allOf": rules})


def _rule_command(rule: dict[str, Any]) -> str | None:
    """The command an ``if``/``then`` rule is about; None for a rule about every command."""
    named = rule.get("if", {}).get("properties", {}).get("command", {})
    return named.get("const") if isinstance(named, dict) else None


def schema_problem(message: object, command: str) -> str | None:
    """Why ``message`` is not a valid answer to ``command`` (None when it is)."""
    return _problem({"command": command, "answer": message})


def request_problem(message: object, command: str) -> str | None:
    """Why ``message`` is not a valid ``command`` for a driver (None when it is): the suite's own bug."""
    return _problem({"command": command, "request": message})


def _problem(envelope: dict[str, object]) -> str | None:
    command = envelope["command"]
    validator = _validator(command if isinstance(command, str) else "")
    errors = sorted(validator.iter_errors(envelope), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path) or "(message)"
    return f"{where}: {first.message}"


class DriverProcess:
    """A driver process and its JSON-lines channel; commands run one at a time."""

    def __init__(
        self, name: str, argv: Sequence[str], *, cwd: Path | None = None, sandbox: Sandbox | None = None
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.cwd = cwd
        self.sandbox = sandbox
        self._process: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL)
        self._drainer = threading.Thread()  # the stderr reader of the running process
        self._ids = 0
        self._lock = threading.Lock()
        #: Once the runtime and the plugin have loaded (an answer came), a restart is not a cold start.
        self._answered_once = False
        #: The first crash, hang or garbage: every later command fails with it at once.
        self._broken: DriverError | None = None
        #: Counts the suite's own closes: a command cut off by one did not find the driver broken.
        self._closes = 0
        #: Whether a process was ever started: a driver that ends after that is the judged code's doing
        #: (or its driver's), never a command line that names nothing runnable.
        self.pid_started = False
        #: The one thread :meth:`arequest` waits in, whichever loop awaits it. ``asyncio.to_thread``
        #: would start a thread in each test's new loop: 0.5 ms, for every test of a driven run.
        self._caller: concurrent.futures.ThreadPoolExecutor | None = None

    @property
    def isolation(self) -> Isolation:
        return "process" if self.sandbox is None else "sandbox"

    # -- lifecycle -------------------------------------------------------------------------
    def _popen(self) -> subprocess.Popen[str]:
        argv = self.argv
        if self.sandbox is not None:
            argv = self.sandbox.command(argv, self.cwd or Path.cwd(), os.environ)
        return subprocess.Popen(
            argv,
            cwd=self.cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )

    def start_early(self) -> None:
        """Start the process now, for the first command of a :class:`DriverProcess` with the same
        command line to find loaded: its runtime loads while this process still works. Nothing is
        read from it until then, and a failure to start is left for that command to meet."""
        key = (tuple(self.argv), self.cwd, self.sandbox)
        if key in _EARLY:
            return
        try:
            _EARLY[key] = self._popen()
        except OSError:
            return
        if len(_EARLY) == 1:
            atexit.register(_end_unadopted)

    def _spawn(self) -> subprocess.Popen[str]:
        early = _EARLY.pop((tuple(self.argv), self.cwd, self.sandbox), None)
        if early is not None and early.poll() is not None:
            early = None  # it ended before it was asked anything: started again, to be heard
        try:
            process = early or self._popen()
        except OSError as error:
            raise DriverCrashed(self.name, f"cannot be started ({' '.join(self.argv)}): {error}") from error
        self.pid_started = True
        self._lines = queue.Queue()
        self._stderr.clear()
        assert process.stdout is not None and process.stderr is not None
        threading.Thread(target=self._pump, args=(process.stdout, self._lines), daemon=True).start()
        self._drainer = threading.Thread(target=self._drain, args=(process.stderr,), daemon=True)
        self._drainer.start()
        return process

    @staticmethod
    def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
        with stream:  # closed at its end, by the one thread that reads it
            for line in stream:
                lines.put(line)
        lines.put(None)

    def _drain(self, stream: Any) -> None:
        with stream:
            for line in stream:
                self._stderr.append(masked(line.rstrip("\n")))  # quoted in the suite's errors

    def stderr_tail(self, lines: int = 8) -> str:
        return " | ".join(list(self._stderr)[-lines:])

    def close(self, *, at_once: bool = False) -> None:
        """End the process: stdin closed first (the protocol's goodbye), then killed if it lingers.

        ``at_once`` kills it without the goodbye: for a process whose start was cut off, which
        would only end once that start did (the Node plugin 1.5.0 against a silent Anam: never).
        """
        self._closes += 1
        caller, self._caller = self._caller, None
        if caller is not None:
            caller.shutdown(wait=False)  # its thread ends once a command in flight is answered
        process, self._process = self._process, None
        if process is None:
            return
        if at_once:
            process.kill()
            process.wait(timeout=3)
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=3)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait(timeout=3)

    @property
    def pid(self) -> int | None:
        """The running process's id; None before the first command and after a close."""
        return None if self._process is None else self._process.pid

    def settled(self, within: float) -> bool:
        """Whether the command in flight (one the caller stopped waiting for) has its answer within
        ``within`` seconds: true at once when none is."""
        if not self._lock.acquire(timeout=within):
            return False
        self._lock.release()
        return True

    # -- commands --------------------------------------------------------------------------
    def request(self, command: str, params: Mapping[str, object] | None = None) -> dict[str, object]:
        """Send one command and return its ``result``; any misbehaviour raises a :class:`DriverError`.

        A driver that crashed, hung or printed garbage once is not started again: the run has no
        verdict already, and a hang retried per test would cost every test the whole timeout (as a
        plugin the watchdog stopped once fails at once for the rest of the run).
        """
        with self._lock:
            if self._broken is not None:
                first = self._broken
                raise type(first)(
                    self.name, f"{first.problem} earlier in this run; not asked again", first.printed
                )
            closes = self._closes
            try:
                return self._request(command, params)
            except (DriverCrashed, DriverTimeout) as error:
                if self._closes == closes:  # not the suite ending a start it had cut off
                    self._broken = error
                raise
            except DriverProtocolError as error:
                if self._process is None:  # garbage on the channel: the process was ended for it
                    self._broken = error
                raise

    def _request(self, command: str, params: Mapping[str, object] | None) -> dict[str, object]:
        message: dict[str, object] = {"id": self._ids + 1, "command": command, **(params or {})}
        problem = request_problem(message, command) if os.environ.get(CHECK_REQUESTS_ENV) else None
        if problem is not None:
            raise RequestOutsideProtocol(
                f"the suite's {command!r} for driver {self.name} is outside the protocol ({problem})"
            )
        if self.sandbox is not None:
            self.sandbox.allow(message)  # the doubles this command names: the relay's only way out
        if self._process is None or self._process.poll() is not None:
            self._process = self._spawn()
        process = self._process
        self._ids += 1
        try:
            assert process.stdin is not None
            process.stdin.write(json.dumps(message) + "\n")
            process.stdin.flush()
        except OSError as error:
            self._process = None
            raise DriverCrashed(
                self.name, f"exited before {command!r} could be sent ({error})", self._printed(process)
            ) from error
        command_timeout = float(os.environ.get(TIMEOUT_ENV) or COMMAND_TIMEOUT)
        timeout = command_timeout if self._answered_once else max(command_timeout, STARTUP_TIMEOUT)
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self._process = None
            process.kill()
            raise DriverTimeout(
                self.name, f"did not answer {command!r} within {timeout:g} s", self.stderr_tail()
            ) from None
        if line is None:
            self._process = None
            code = process.wait(timeout=3)
            raise DriverCrashed(
                self.name, f"exited with code {code} during {command!r}", self._printed(process)
            )
        return self._answer(process, command, self._ids, line)

    async def arequest(self, command: str, params: Mapping[str, object] | None = None) -> dict[str, object]:
        """:meth:`request` from a coroutine, leaving the loop free (the Anam double runs on it)."""
        if self._caller is None:
            self._caller = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=f"driver {self.name}")
        return await asyncio.wrap_future(self._caller.submit(self.request, command, params))

    def _printed(self, process: subprocess.Popen[str]) -> str:
        # The process has ended: its stderr reaches EOF, but the drain may not have read it yet.
        self._drainer.join(timeout=2)
        return self.stderr_tail() or "(nothing)"

    def _answer(
        self, process: subprocess.Popen[str], command: str, sent_id: int, line: str
    ) -> dict[str, object]:
        def garbage(problem: str) -> DriverProtocolError:
            self._process = None
            process.kill()
            return DriverProtocolError(self.name, problem, repr(masked(line.rstrip("\n"))[:300]))

        try:
            answer = json.loads(line)
        except ValueError:
            raise garbage(f"answered {command!r} with a line that is not JSON") from None
        if isinstance(answer, dict) and answer.get("id", sent_id) not in (sent_id, None):
            raise garbage(f"answered {command!r} #{sent_id} with id {answer['id']!r}")
        problem = schema_problem(answer, command)
        if problem is not None:
            raise garbage(f"answered {command!r} outside the protocol ({problem})")
        if not answer["ok"]:
            error = answer["error"]
            raise DriverRefused(self.name, command, error["type_name"], error["message"], self.stderr_tail(4))
        self._answered_once = True
        result: dict[str, object] = answer["result"]
        return result
