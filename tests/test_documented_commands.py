"""Every command the README and the docs show is one the suite still takes.

Each ``bash`` block of README.md and docs/ is read command by command (lines
joined where they continue, comments dropped, ``&&`` chains split). Every option
a command gives ``anam-conformance`` or ``pytest conformance`` must be one they
list in their help, and every ``python -m anam_conformance...`` module must
exist and take the options shown. So a renamed option, a removed module or a
typo in the docs fails here, not in a maintainer's terminal.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```(?:bash|sh|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b")


def commands(page: Path) -> list[list[str]]:
    found = []
    for block in BLOCK.findall(page.read_text(encoding="utf-8")):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                try:
                    words = shlex.split(part, comments=True)
                except ValueError:
                    continue
                while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                    words = words[1:]  # ANAM_PLUGIN=... pytest conformance
                if words:
                    found.append(words)
    return found


DOCUMENTED = [(page.relative_to(ROOT), words) for page in PAGES for words in commands(page)]


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
