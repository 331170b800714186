"""``anam-conformance``: the suite as a tool, for a plugin's repository and its CI.

``pytest conformance`` trusts the process it runs in: a plugin that ends it
(``os._exit(0)`` in ``start()``) leaves exit code 0 and no report, and the
current directory's pytest configuration (a plugin repository has its own
addopts and ``conftest.py``) changes what runs. This command runs the suite
in a child process it supervises, from an empty temporary directory with the
suite's own configuration, and trusts only the verdict the child writes: no
report, no verdict, whatever the child's exit code was.

Exit codes: 0 conforming (of a partial run: conforming so far), 1
nonconforming, 3 no verdict (the suite's own error, a child that died, exited
early or ran out of time), 4 usage error (said in one line, before any check
runs).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

from . import __version__
from .implementations import specs
from .report import NOT_RUN, isolation_note, path_problem, verdict_words

PROG = "anam-conformance"
EXIT_CONFORMING = 0
EXIT_NONCONFORMING = 1
EXIT_NO_VERDICT = 3
EXIT_USAGE = 4
#: pytest's exit code when nothing was collected or everything was deselected.
EXIT_NO_CHECKS = 5
VERDICT_EXIT = {"conforming": EXIT_CONFORMING, "nonconforming": EXIT_NONCONFORMING, "error": EXIT_NO_VERDICT}

TIME_LIMIT_OPTION = "--time-limit"
#: A full verdict takes seconds to a minute; ten minutes is far above that and within any CI job.
DEFAULT_TIME_LIMIT = 600.0
#: After the time limit (or an interrupt) the child gets this long to end before it is killed.
KILL_GRACE = 5.0
REPORT_OPTION = "--conformance-report"
#: Options whose value is a path: made absolute, since the child runs in another directory.
PATH_OPTIONS = frozenset(
    {
        REPORT_OPTION,
        "--conformance-junit",
        "--conformance-markdown",
        "--conformance-snapshots",
        "--conformance-cassettes",
        "--junitxml",
        "--junit-xml",
        "--basetemp",
    }
)
TARGET_OPTION = "--anam-plugin"
TARGET_ENV = "ANAM_PLUGIN"
#: Without a named implementation the suite would judge its own reference plugin: a green gate
#: that judged nothing of the caller's.
NO_TARGET = (
    f"name the implementation to judge: {TARGET_OPTION}="
    + ", ".join(info.form for info in specs.KINDS)
    + f" (or set {TARGET_ENV}); {TARGET_OPTION}=plugin_under_test judges the suite's own reference plugin"
)
#: Environment that would bring the caller's pytest configuration back in.
SCRUBBED_ENV = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")

#: The suite's own configuration, the same as its checkout's (pyproject.toml) minus the project's tests.
INI = """\
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings =
    error::pytest.PytestUnraisableExceptionWarning
"""

IMPLEMENTATIONS = (
    "\n".join(
        f"  {info.form:<22}  {info.meaning}\n{'':<28}{TARGET_OPTION}={info.example}" for info in specs.KINDS
    )
    + "\n  plugin_under_test       the suite's own reference plugin\n"
)

USAGE = f"""\
usage: {PROG} {TARGET_OPTION}=IMPLEMENTATION [options] [pytest options]

Judge an implementation of the Anam avatar plugin against the SessionOptions contract,
clause by clause, isolated from this directory's pytest configuration, and exit with
the verdict.

Implementations ({TARGET_OPTION}=..., or ${TARGET_ENV}):
{IMPLEMENTATIONS}
Reports (the same verdict in each):
  --conformance-report=PATH     the clause report as JSON
  --conformance-junit=PATH      JUnit XML, one test case per clause
  --conformance-markdown=PATH   Markdown, appended (e.g. $GITHUB_STEP_SUMMARY)

Where the plugin runs (docs/isolation.md):
  --anam-python=PYTHON          the interpreter of the plugin's own environment (default: this one)
  --anam-isolation=LEVEL        auto (default): a bubblewrap sandbox where it works, else a process;
                                sandbox: require it; process; in-process: debugging only

Options:
  -n N                          run the checks in N processes (pytest-xdist)
  -k EXPRESSION, -m MARKS       judge a selection of the checks
  -v                            every detail in full, and pytest's own output
  --conformance-profile=NAME    hypothesis profile: ci (default), quick, dev, thorough
  {TIME_LIMIT_OPTION}=SECONDS          stop after this long: no verdict (default {DEFAULT_TIME_LIMIT:.0f})
  --pytest-help                 pytest's own options; any of them is passed through
  --version                     the suite's version

A failed SHOULD clause is a warning (warn): reported everywhere, the verdict stands.
A selection (-k, -m, node ids) that leaves clauses without a check is a partial run:
those clauses are "not run", out of the verdict, and the verdict says "partial".

Exit codes:
  0  conforming: every applicable MUST clause passes (partial: every one that ran)
  1  nonconforming
  3  no verdict: the suite's own error, a crashed or hung implementation, a run
     cut off, or a selection that judged nothing
  4  usage error, in one line, before any check runs: an unknown option, a report
     path that cannot be written, evidence that is not there, a bad implementation

Example:
  {PROG} {TARGET_OPTION}=livekit.plugins.anam --conformance-junit=junit.xml -n 2
"""
#: Options that ask for pytest's own detail: given any, the run is not made concise.
DETAIL_OPTIONS = (
    "-v",
    "--verbose",
    "-vv",
    "-q",
    "--quiet",
    "--tb",
    "-r",
    "-l",
    "--showlocals",
    "--full-trace",
)
#: The default face: progress dots, the clause table and one line per clause to look at; the
#: evidence is in the reports and behind ``-v``. ``-qq``: pytest's count of tests ("6 failed, 90
#: passed") is not printed under the clause table, where it would read as a second verdict.
CONCISE = ("-qq", "--tb=no", "-rN")
#: Set in the child: the runner, not the plugin, says why a run judged nothing.
SUPERVISED_ENV = "ANAM_CONFORMANCE_SUPERVISED"


class UsageError(Exception):
    """The command line cannot be run."""


@dataclass(frozen=True)
class Invocation:
    """What the command line asks: the limit, the report to read, and pytest's arguments."""

    time_limit: float
    report: Path | None
    pytest_args: tuple[str, ...]
    #: The caller's folder: a Python module is imported from it, as the caller's Python would.
    cwd: Path | None = None


def _target_from(text: str, cwd: Path) -> str:
    """A local implementation's paths (``node:PATH``, ``driver:node ./drv.mjs``) from the caller's directory.

    The child runs in a directory of its own, so a relative path would name nothing there.
    """
    try:
        return specs.parse(text).localized(cwd).text
    except specs.SpecError as error:
        raise UsageError(f"{TARGET_OPTION}={text}: {error}") from None


def parse(argv: Sequence[str], cwd: Path, env: Mapping[str, str] = os.environ) -> Invocation:
    """Take the runner's own option out and make path options absolute (the child runs elsewhere).

    The implementation to judge must be named (``--anam-plugin`` or ``ANAM_PLUGIN``): the gate
    never judges the suite's own reference plugin by default.
    """
    time_limit = DEFAULT_TIME_LIMIT
    report: Path | None = None
    rest: list[str] = []
    named = bool(env.get(TARGET_ENV))
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, eq, value = arg.partition("=")
        if name == TARGET_OPTION:
            if not eq:
                if not args:
                    raise UsageError(f"{name} needs a value")
                value = args.pop(0)
            named = True
            rest.append(f"{name}={_target_from(value, cwd)}")
            continue
        if name == specs.PYTHON_OPTION:
            if not eq:
                if not args:
                    raise UsageError(f"{name} needs a value")
                value = args.pop(0)
            # A venv's python is a link the venv is found by: made absolute, never resolved.
            rest.append(f"{name}={os.path.join(cwd, value) if '/' in value else value}")
            continue
        if name in PATH_OPTIONS or name == TIME_LIMIT_OPTION:
            if not eq:
                if not args:
                    raise UsageError(f"{name} needs a value")
                value = args.pop(0)
            if name == TIME_LIMIT_OPTION:
                try:
                    time_limit = float(value)
                except ValueError:
                    raise UsageError(f"{name}={value}: not a number of seconds") from None
                if time_limit <= 0:
                    raise UsageError(f"{name}={value}: must be positive")
                continue
            path = (cwd / value).resolve()
            if name == REPORT_OPTION:
                report = path
            arg = f"{name}={path}"
        rest.append(arg)
    if not named:
        raise UsageError(NO_TARGET)
    return Invocation(time_limit, report, tuple(rest), cwd)


#: The flags with which the request snapshots are written, so their folder need not exist yet.
SNAPSHOT_UPDATES = ("--snapshot-update", "--snapshot-update-new-only")


def check_paths(invocation: Invocation) -> None:
    """A report that could not be written, or evidence that is not there: a usage error now, in
    one line, rather than a traceback or a blamed plugin after the whole run."""
    updating = any(arg in SNAPSHOT_UPDATES for arg in invocation.pytest_args)
    for arg in invocation.pytest_args:
        name, eq, value = arg.partition("=")
        if not eq or (updating and name == "--conformance-snapshots"):
            continue
        problem = path_problem(name, value)
        if problem:
            raise UsageError(problem)


def _asks_for_detail(args: Sequence[str]) -> bool:
    return any(
        arg == option or arg.startswith((f"{option}=", "-v", "-q", "-r"))
        for arg in args
        for option in DETAIL_OPTIONS
    )


def child_command(workdir: Path, ini: Path, invocation: Invocation, report: Path) -> list[str]:
    """pytest on the installed suite, with the suite's configuration and nothing of the caller's."""
    args = list(invocation.pytest_args)
    if not _asks_for_detail(args):
        args = [*CONCISE, *args]
    if invocation.report is None:
        args.append(f"{REPORT_OPTION}={report}")
    return [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(ini),
        f"--rootdir={workdir}",
        "-o",
        "addopts=",
        "--noconftest",
        "-p",
        "no:cacheprovider",
        # The checks judge through expect(), never a bare assert: rewriting asserts would only
        # cost the AST of every module of every pytest plugin's distribution (hypothesis, anyio,
        # syrupy, ...) on each run where bytecode is not written (PYTHONDONTWRITEBYTECODE).
        "--assert=plain",
        "--block-network",
        "--allowed-hosts=127.0.0.1",
        "--pyargs",
        "anam_conformance",
        *args,
    ]


#: Where hypothesis keeps what it derives from source files, unless the caller says otherwise.
HYPOTHESIS_STORAGE_ENV = "HYPOTHESIS_STORAGE_DIRECTORY"


def hypothesis_storage() -> Path:
    """The user's cache, not the run's throwaway directory: before its first example, hypothesis
    reads every local module's source for the constants it mixes into its draws, and keeps them
    by the source's hash under its storage directory (``.hypothesis`` in the working directory,
    by default). Kept per run, that cost about 2 s on every run of an editable install; kept here,
    only on the first. Only caches derived from source live there for the ``ci`` profile, which
    keeps no example database, so no verdict depends on what an earlier run left; the ``dev``
    and ``thorough`` profiles keep theirs there too, and try an earlier run's failing examples
    first, as hypothesis does in any project."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "anam-conformance" / "hypothesis"


def child_env(caller: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    if caller is not None:
        env[specs.CALLER_DIR_ENV] = str(caller)
    env["PYTHONUNBUFFERED"] = "1"  # the clause table streams as it is written
    env[SUPERVISED_ENV] = "1"
    env.setdefault(HYPOTHESIS_STORAGE_ENV, str(hypothesis_storage()))
    return env


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with code {returncode}"


def _read(report: Path) -> dict[str, Any]:
    try:
        document: Any = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def read_verdict(report: Path) -> str | None:
    verdict = _read(report).get("verdict")
    return verdict if isinstance(verdict, str) else None


def read_not_run(report: Path) -> str:
    """``24 of 25 clauses not run`` for a partial run's report; nothing for a full run's."""
    document = _read(report)
    clauses = document.get("clauses")
    if not document.get("partial") or not isinstance(clauses, list):
        return ""
    missing = sum(isinstance(c, dict) and c.get("outcome") == NOT_RUN for c in clauses)
    return f"{missing} of {len(clauses)} clauses not run"


def read_isolation_note(report: Path) -> str:
    """What the verdict line says of a judged plugin that was not sandboxed (nothing if it was)."""
    plugin = _read(report).get("plugin")
    return isolation_note(plugin) if isinstance(plugin, dict) else ""


class _Terminated(Exception):
    """The runner itself was asked to stop (SIGTERM, as a CI cancel sends)."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(signal.Signals(signum).name)


@contextlib.contextmanager
def _terminate_raises() -> Iterator[None]:
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(child: subprocess.Popen[bytes], first: signal.Signals) -> None:
    """End the child and everything it started (xdist workers): ``first``, then SIGKILL."""
    for sig in (first, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, sig)
        try:
            child.wait(timeout=KILL_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue


def supervise(invocation: Invocation) -> int:
    """Run the suite in a child and turn what it left behind into an exit code, with a message."""
    with tempfile.TemporaryDirectory(prefix="anam-conformance-") as tmp:
        workdir = Path(tmp)
        ini = workdir / "pytest.ini"
        ini.write_text(INI, encoding="utf-8")
        report = invocation.report or workdir / "report.json"
        report.unlink(missing_ok=True)  # a report from an earlier run must never pass for this one's
        command = child_command(workdir, ini, invocation, report)
        # Its own session: the child and its workers can be ended together, and only by us.
        child = subprocess.Popen(
            command,
            cwd=workdir,
            env=child_env(invocation.cwd),
            start_new_session=True,
            stderr=subprocess.PIPE,
        )
        assert child.stderr is not None
        relay = StderrRelay(child.stderr)
        stopped: str | None = None
        try:
            with _terminate_raises():
                child.wait(timeout=invocation.time_limit)
        except subprocess.TimeoutExpired:
            stopped = f"did not finish within {TIME_LIMIT_OPTION}={invocation.time_limit:g} s and was killed"
            _stop(child, signal.SIGTERM)
        except (KeyboardInterrupt, _Terminated):
            stopped = "was interrupted"
            _stop(child, signal.SIGINT)
        returncode = child.wait()
        relay.finish(returncode)
        verdict = read_verdict(report) if stopped is None else None
        return judge(
            returncode,
            verdict,
            report,
            stopped,
            kept=invocation.report is not None,
            isolation=read_isolation_note(report),
            not_run=read_not_run(report),
        )


#: How pytest's own command-line error begins: argparse's usage line, then the error, then the
#: child's temporary ini file and rootdir, which mean nothing to the caller.
PYTEST_USAGE = "ERROR: usage: "
#: After the one line that says what pytest refused.
OPTIONS_HINT = f"{PROG} --help lists the suite's options, {PROG} --pytest-help pytest's"


class StderrRelay:
    """The child's stderr, passed on line by line, but for pytest's usage error, held back.

    pytest says an unknown option in four lines, two of them the child's temporary ini file
    and rootdir: held back, it becomes one line that names what was refused.
    """

    def __init__(self, source: IO[bytes]) -> None:
        self.held: list[str] = []
        self._source = source
        self._thread = threading.Thread(target=self._run, name="anam-conformance-stderr", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for raw in iter(self._source.readline, b""):
            line = raw.decode("utf-8", errors="replace")
            if self.held or line.startswith(PYTEST_USAGE):
                self.held.append(line)
                continue
            sys.stderr.write(line)
            sys.stderr.flush()

    def finish(self, returncode: int) -> None:
        """Wait for the last lines (not forever: a process the child left may hold the pipe)."""
        self._thread.join(timeout=KILL_GRACE)
        refused = pytest_refusal(self.held) if returncode == EXIT_USAGE else None
        if refused is not None:
            _say(f"usage error: {refused}; {OPTIONS_HINT}")
            return
        sys.stderr.write("".join(self.held))
        sys.stderr.flush()


def pytest_refusal(lines: Sequence[str]) -> str | None:
    """What pytest's usage error refused (``unrecognized arguments: --x``), or None."""
    for line in lines:
        _, found, message = line.partition(": error: ")
        if found and message.strip():
            return message.strip()
    return None


def judge(
    returncode: int,
    verdict: str | None,
    report: Path,
    stopped: str | None = None,
    *,
    kept: bool = True,
    isolation: str = "",
    not_run: str = "",
) -> int:
    """The exit code: the verdict the child wrote, else why there is none.

    ``not_run`` (``24 of 25 clauses not run``) marks a partial run: its verdict is said as such.
    """
    if stopped is not None:
        return _no_verdict(f"the suite {stopped}")
    if returncode == EXIT_USAGE:
        return EXIT_USAGE  # pytest has said what is wrong with the command line
    if returncode == EXIT_NO_CHECKS:
        return _no_verdict("the selection matched none of the suite's checks (see -k, -m or the node ids)")
    if verdict in VERDICT_EXIT and returncode in (0, 1, EXIT_NO_VERDICT):
        if verdict == "error":
            return _no_verdict(
                "the suite could not judge (the clause report above says why; --tb=short shows tracebacks)"
            )
        _say(
            f"verdict: {verdict_words(verdict, bool(not_run))}"
            + (f" ({not_run})" if not_run else "")
            + (f" [{isolation}]" if isolation else "")
            + (f" (report: {report})" if kept else "")
        )
        return VERDICT_EXIT[verdict]
    if verdict is not None:
        return _no_verdict(f"the suite {describe_exit(returncode)} after writing verdict {verdict!r}")
    cause = describe_exit(returncode)
    if returncode in (0, 1):
        cause += " without writing a verdict (did the plugin end the process, e.g. os._exit()?)"
    return _no_verdict(f"the suite {cause}")


def _say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _no_verdict(cause: str) -> int:
    _say(f"no verdict: {cause}")
    return EXIT_NO_VERDICT


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: parse, supervise, exit with the verdict."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "-h" in args or "--help" in args:
        print(USAGE, end="", flush=True)
        return 0
    if "--version" in args:
        print(f"{PROG} {__version__}", flush=True)
        return 0
    if "--pytest-help" in args:
        with tempfile.TemporaryDirectory(prefix="anam-conformance-") as tmp:
            ini = Path(tmp) / "pytest.ini"
            ini.write_text(INI, encoding="utf-8")
            command = child_command(Path(tmp), ini, Invocation(DEFAULT_TIME_LIMIT, None, ("--help",)), ini)
            return subprocess.run(command, cwd=tmp, env=child_env(), check=False).returncode
    try:
        invocation = parse(args, Path.cwd())
        check_paths(invocation)
    except UsageError as error:
        _say(f"usage error: {error}")
        return EXIT_USAGE
    return supervise(invocation)


if __name__ == "__main__":
    sys.exit(main())
