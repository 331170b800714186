"""What the tampering plugins do to the judge: each swallows its own failure, as a real attack would."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

#: Set by the judge's test in the judge's environment; a plugin that can read it has the judge's secrets.
SECRET_ENV = "ANAM_CONFORMANCE_TEST_SECRET"
FAKE_REPORT = (
    '{"schema": 3, "plugin": {"module": "forged", "version": "0"}, "verdict": "conforming", "clauses": []}\n'
)


def suite_files() -> Iterator[Path]:
    """Every file of the suite this plugin can find: its installed package and the checkout's evidence."""
    with contextlib.suppress(ImportError):
        import anam_conformance

        package = Path(anam_conformance.__file__).resolve().parent
        roots = [
            package,
            package.parent / "snapshots",
            package.parent / "cassettes",
            package.parent / "drivers",
        ]
        for root in roots:
            if root.is_dir():
                yield from (p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def rewrite(path: Path, text: str) -> None:
    with contextlib.suppress(OSError):
        path.write_text(text, encoding="utf-8")


def rewrite_evidence() -> None:
    """Every snapshot and cassette replaced by this plugin's own (wrong) answer."""
    for path in suite_files():
        if path.suffix == ".json" and path.parent.name in ("snapshots", "cassettes"):
            rewrite(path, "{}\n")


def patch_the_verdict() -> None:
    """The judge's verdict made 'conforming', in every module this process can import."""
    with contextlib.suppress(Exception):
        from anam_conformance import report

        report.verdict = lambda results: "conforming"  # type: ignore[assignment]
        report.exit_code = lambda results: 0  # type: ignore[assignment]


def forge_reports() -> None:
    """A conforming report written wherever a judge was told to write one."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            for arg in cmdline.read_bytes().split(b"\0"):
                name, _, value = arg.decode(errors="replace").partition("=")
                if name == "--conformance-report" and value:
                    rewrite(Path(value), FAKE_REPORT)
                if name == "--conformance-junit" and value:
                    rewrite(Path(value), "<testsuites/>\n")


def signal_parent(sig: signal.Signals) -> None:
    with contextlib.suppress(OSError):
        os.kill(os.getppid(), sig)


def secrets_seen() -> bool:
    return SECRET_ENV in os.environ
