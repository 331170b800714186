"""Every command the README and the docs show is one the suite still takes.

Each ``bash`` block of README.md and docs/ is read command by command (lines
joined where they continue, comments dropped, ``&&`` chains split). Every option
a command gives ``anam-conformance`` or ``pytest conformance`` must be one they
list in their help, and every ``python -m anam_conformance...`` module must
exist and take the options shown. So a renamed option, a removed module or a
typo in the docs fails here, not in a maintainer's terminal.

And the commands that can run here do run: the module commands below, as shown,
from the checkout; the maintainer's runs against livekit-plugins-anam 1.8.9 from
the installed wheel (``tests/test_distribution.py``); the quick start verbatim
and the release matrix in ``.ci/run``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from documented import DOCUMENTED, ROOT

OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b")


def _suite_command(words: list[str]) -> bool:
    program = Path(words[0]).name
    return program == "anam-conformance" or (program == "pytest" and "conformance" in words[1:2])


def _module(words: list[str]) -> str | None:
    if Path(words[0]).name in ("python", "python3") and words[1:2] == ["-m"] and len(words) > 2:
        module = words[2]
        return module if module.startswith("anam_conformance") else None
    return None


@cache
def help_text(*argv: str) -> str:
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-500:]}"
    return done.stdout


def known_suite_options() -> set[str]:
    pytest_help = help_text(sys.executable, "-m", "pytest", "conformance", "--help", "-p", "no:randomly")
    tool_help = help_text(str(Path(sys.executable).parent / "anam-conformance"), "--help")
    return set(OPTION.findall(pytest_help)) | set(OPTION.findall(tool_help))


def test_the_docs_show_commands_of_the_suite() -> None:
    assert sum(_suite_command(w) for _, w in DOCUMENTED) >= 10
    assert sum(_module(w) is not None for _, w in DOCUMENTED) >= 4


@pytest.mark.parametrize(
    ("page", "words"),
    [pytest.param(p, w, id=f"{p}: {' '.join(w)[:60]}") for p, w in DOCUMENTED if _suite_command(w)],
)
def test_a_documented_suite_command_takes_only_options_the_suite_lists(page: Path, words: list[str]) -> None:
    unknown = {
        o for word in words[1:] for o in OPTION.findall(word.partition("=")[0])
    } - known_suite_options()
    assert not unknown, f"{page} shows {' '.join(words)} with options the suite does not take: {unknown}"


@pytest.mark.parametrize(
    ("page", "words"),
    [pytest.param(p, w, id=f"{p}: {' '.join(w)[:60]}") for p, w in DOCUMENTED if _module(w)],
)
def test_a_documented_module_exists_and_takes_the_options_shown(page: Path, words: list[str]) -> None:
    module = _module(words)
    assert module is not None
    subcommand = [w for w in words[3:4] if not w.startswith("-") and re.fullmatch(r"[a-z]+", w)]
    text = help_text(sys.executable, "-m", module, *subcommand, "--help")
    shown = {o for word in words[3:] for o in OPTION.findall(word.partition("=")[0])} - {"-h", "--help"}
    missing = {o for o in shown if o not in text}
    assert not missing, f"{page} shows python -m {module} with options its --help does not list: {missing}"


#: Documented module commands not run here, and why.
NOT_RUN_HERE = {
    "anam_conformance.cassettes": "re-records the suite's cassettes (evidence is rewritten only when asked)",
    "anam_conformance.matrix": "reads the reports of a matrix run: tox -m matrix runs it in .ci/run",
    "anam_conformance.emulator": "a server that runs until stopped (tests/test_emulator.py runs it)",
    "anam_conformance.implementations.node": "installs a release from the npm registry",
}


def _runs_here(words: list[str]) -> bool:
    module = _module(words)
    if module is None or module in NOT_RUN_HERE or any(w.startswith(("[", "$")) for w in words):
        return False
    # The clause page is regenerated only when asked; its --check twin runs.
    return module != "anam_conformance.renderers.clause_docs" or "--check" in words


def test_every_documented_module_runs_here_or_says_why_not() -> None:
    modules = {_module(w) for _, w in DOCUMENTED} - {None}
    assert modules - set(NOT_RUN_HERE) == {_module(w) for _, w in DOCUMENTED if _runs_here(w)}


@pytest.mark.parametrize(
    ("page", "words"),
    [pytest.param(p, w, id=f"{p}: {' '.join(w)[:60]}") for p, w in DOCUMENTED if _runs_here(w)],
)
def test_a_documented_module_command_runs(page: Path, words: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, *words[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    said = done.stdout[-500:] + done.stderr[-500:]
    assert done.returncode == 0, f"{page}: {' '.join(words)} exited {done.returncode}: {said}"
