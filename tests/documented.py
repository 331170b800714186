"""The shell commands README.md and docs/ show, read as a reader would type them.

Each ``bash`` block is read command by command (lines joined where they
continue, comments dropped, ``&&`` chains split, leading ``NAME=value``
assignments dropped). ``tests/test_documented_commands.py`` checks every one
against the suite's options and runs those that can run here; the maintainer's
commands against a release run in ``tests/test_distribution.py`` against the
installed wheel.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```(?:bash|sh|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)


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

#: The two venvs the README's and docs/isolation.md's maintainer commands set up first.
SUITE_VENV, PLUGIN_VENV = "/tmp/suite", "/tmp/plugin"


def judges_a_release(words: list[str]) -> bool:
    """A documented ``anam-conformance`` run against the released plugin, in the user's own folder:
    the maintainer's command (and the CI gate's, which has placeholders for the workflow's inputs)."""
    return (
        Path(words[0]).name == "anam-conformance"
        and "--anam-plugin=livekit.plugins.anam" in words
        and not any("$" in word for word in words)
    )


def with_venvs(words: list[str], suite: Path, plugin: Path) -> list[str]:
    """The command with the docs' venv paths (or the bare tool on PATH) replaced by real ones."""
    real = [word.replace(SUITE_VENV, str(suite)).replace(PLUGIN_VENV, str(plugin)) for word in words]
    real[0] = str(suite / "bin" / "anam-conformance")
    if not any(word.startswith("--anam-python") for word in real):
        # "in the plugin's environment": the suite and the plugin in one venv, which these two are.
        real.append(f"--anam-python={plugin / 'bin' / 'python'}")
    return real
