"""The suite's wheel, built as a fresh clone would build it, for the tests that install or read it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def uv(*args: str, cwd: Path | None = None) -> None:
    subprocess.run([sys.executable, "-m", "uv", *args], cwd=cwd, check=True, capture_output=True, text=True)


def tracked_copy(destination: Path) -> Path:
    """The checkout as a commit of this tree would hold it: tracked files, and new ones not ignored
    (a build must not need others)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def built_wheel(folder: Path) -> Path:
    """The wheel built from :func:`tracked_copy` into ``folder``."""
    source = tracked_copy(folder / "source")
    uv("build", "--quiet", "--wheel", "--out-dir", str(folder / "dist"), str(source))
    (wheel,) = (folder / "dist").glob("anam_conformance-*.whl")
    return wheel
