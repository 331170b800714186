"""What judged: the suite's version, and the commit of the checkout it runs from, for every report.

A wheel's files are tracked by no checkout, so it has a version and no commit;
an editable install of a checkout has both, and says whether tracked files
differ from its commit.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from .. import report as reporting
from ..one_suite import ENTRY_FILE, PACKAGE_DIR

#: How long git may take to say which commit the suite is (it never decides a verdict).
GIT_TIMEOUT = 10


def checkout_commit(package_dir: Path = PACKAGE_DIR) -> tuple[str, bool] | None:
    """The commit of the git checkout the suite's own files are tracked in, and whether tracked
    files differ from it: an editable install of a checkout.

    None for a wheel (its files are tracked by no checkout, even in a virtualenv inside one), and
    wherever git is missing or cannot say: the report then says it does not know.
    """
    git = shutil.which("git")
    if git is None:
        return None
    # No index lock taken in a tree others may be working in; none of the caller's GIT_DIR.
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    env["GIT_OPTIONAL_LOCKS"] = "0"

    def git_says(*args: str) -> str:
        return subprocess.run(
            [git, "-C", str(package_dir), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=GIT_TIMEOUT,
            env=env,
            stdin=subprocess.DEVNULL,
        ).stdout.strip()

    try:
        git_says("ls-files", "--error-unmatch", "--", ENTRY_FILE)  # the checkout's own file
        commit = git_says("rev-parse", "HEAD")
        dirty = bool(git_says("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return commit, dirty


def suite_version() -> str | None:
    """The suite's version, from its distribution's metadata."""
    try:
        return importlib.metadata.version(reporting.DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None


def suite_identity(package_dir: Path = PACKAGE_DIR) -> dict[str, Any]:
    """The report's ``suite`` block: what judged (its version, and its commit where it has one)."""
    commit, dirty = checkout_commit(package_dir) or (None, None)
    return reporting.suite_block(suite_version(), commit, dirty)
