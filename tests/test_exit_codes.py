"""The exit codes mean what docs/usage.md says they mean, and bad input fails fast, in one line.

The table under "Exit codes" in docs/usage.md is read here, and each code it
documents is produced by real runs of ``anam-conformance``: the code, and the
tool's last line saying the row's first words. A usage error is the only line
printed, before the plugin is even loaded; ``pytest conformance``
refuses the same bad paths the same way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest
from anam_conformance import __version__, matrix, runner
from anam_conformance.evidence import cassette_dir

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
USAGE_DOC = ROOT / "docs" / "usage.md"
#: A plugin that leaves a file behind when anything imports it: a usage error must come first.
WITNESS = "witness_plugin"
WITNESS_SOURCE = 'import pathlib\n\npathlib.Path("imported").write_text("yes")\n'


def documented_exit_codes() -> dict[int, str]:
    """The rows of the table under ``## Exit codes`` in docs/usage.md: code -> meaning."""
    text = USAGE_DOC.read_text(encoding="utf-8")
    section = text.split("\n## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", section, re.MULTILINE)
    assert rows, "docs/usage.md has no exit code table under '## Exit codes'"
    return {int(code): meaning for code, meaning in rows}


def headline(meaning: str) -> str:
    """A row's first words, before its first colon or comma: what the tool's last line must say."""
    return re.split(r"[:,]", meaning, maxsplit=1)[0].strip()


@dataclass(frozen=True)
class Run:
    code: int
    lines: list[str]
    seconds: float

    @property
    def last(self) -> str:
        return self.lines[-1] if self.lines else ""


def tool(cwd: Path, *args: str) -> Run:
    script = shutil.which("anam-conformance", path=str(Path(sys.executable).parent))
    assert script, "anam-conformance is not installed in this environment"
    env = {k: v for k, v in os.environ.items() if k != runner.TARGET_ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    began = time.monotonic()
    done = subprocess.run(
        [script, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    seconds = time.monotonic() - began
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    # The tool's own verdict line goes to stderr, after the child's output on stdout.
    own = [line for line in done.stderr.splitlines() if line.startswith(f"{runner.PROG}: ")]
    return Run(done.returncode, [*[line for line in lines if line not in own], *own], seconds)


def corrupt_cassettes(into: Path) -> Path:
    shutil.copytree(cassette_dir(), into)
    (into / "default-size-cara-3.one-request.json").write_text("{ not json", encoding="utf-8")
    return into


#: For each documented code, runs that must end with it: (name, arguments; {tmp} is the test's folder).
CASES: dict[int, list[tuple[str, tuple[str, ...]]]] = {
    runner.EXIT_CONFORMING: [
        ("the reference plugin, in full", ("--anam-plugin=plugin_under_test", "--conformance-report=r.json")),
        (
            "a partial run whose selected checks pass",
            ("--anam-plugin=plugin_under_test", "-k", "half_pair", "--conformance-report=r.json"),
        ),
    ],
    runner.EXIT_NONCONFORMING: [
        (
            "a partial run in which a MUST fails",
            (
                "--anam-plugin=broken_plugins.swallows_400",
                "-k",
                "test_rejection",
                "--conformance-report=r.json",
            ),
        ),
    ],
    runner.EXIT_NO_VERDICT: [
        (
            "a selection matching no check",
            ("--anam-plugin=plugin_under_test", "-k", "no_check_is_called_this"),
        ),
        (
            "the suite's own error: a corrupt cassette",
            ("--anam-plugin=plugin_under_test", "-k", "replay", "--conformance-cassettes=bad-cassettes"),
        ),
        ("a run cut off", ("--anam-plugin=broken_plugins._blocks_in_start", "--time-limit=2")),
    ],
    runner.EXIT_USAGE: [
        ("no implementation named", ()),
        ("a report path that is a directory", ("--anam-plugin=plugin_under_test", "--conformance-report=.")),
        ("a JUnit path that is a directory", ("--anam-plugin=plugin_under_test", "--conformance-junit=.")),
        (
            "a Markdown path under a file",
            ("--anam-plugin=plugin_under_test", "--conformance-markdown=a-file/summary.md"),
        ),
        (
            "snapshots that do not exist",
            ("--anam-plugin=plugin_under_test", "--conformance-snapshots=nowhere"),
        ),
        (
            "cassettes that do not exist",
            ("--anam-plugin=plugin_under_test", "--conformance-cassettes=nowhere"),
        ),
        ("an unknown option", ("--anam-plugin=plugin_under_test", "--no-such-option")),
        ("an unknown choice", ("--anam-plugin=plugin_under_test", "--anam-isolation=nowhere")),
    ],
}


def test_the_documented_codes_are_the_tools_codes() -> None:
    documented = documented_exit_codes()
    assert (
        set(documented)
        == set(CASES)
        == {
            runner.EXIT_CONFORMING,
            runner.EXIT_NONCONFORMING,
            runner.EXIT_NO_VERDICT,
            runner.EXIT_USAGE,
        }
    )
    for code in documented:  # the tool's own help lists the same codes
        assert re.search(rf"^  {code}  ", runner.USAGE, re.MULTILINE), code
    assert [headline(documented[c]) for c in sorted(documented)] == [
        "conforming",
        "nonconforming",
        "no verdict",
        "usage error",
    ]


@pytest.mark.parametrize(
    ("code", "name", "args"),
    [(code, name, args) for code, cases in CASES.items() for name, args in cases],
    ids=[name for cases in CASES.values() for name, _ in cases],
)
def test_each_documented_exit_code_means_what_the_docs_say(
    tmp_path: Path, code: int, name: str, args: tuple[str, ...]
) -> None:
    corrupt_cassettes(tmp_path / "bad-cassettes")
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    run = tool(tmp_path, *args)
    assert run.code == code, (name, run.lines[-15:])
    said = headline(documented_exit_codes()[code])
    assert re.search(rf"\b{re.escape(said)}\b", run.last), (name, said, run.last)
    assert run.last.startswith(f"{runner.PROG}: "), run.last
    report = tmp_path / "r.json"
    if code == runner.EXIT_USAGE:
        # One line, and nothing of pytest's temporary ini file or rootdir; nothing ran, nothing written.
        assert len(run.lines) == 1, run.lines
        assert "anam-conformance-" not in run.last and "rootdir" not in run.last, run.last
        assert not report.exists()
    elif "--conformance-report=r.json" in args:
        written = json.loads(report.read_text(encoding="utf-8"))
        assert written["verdict"] == {0: "conforming", 1: "nonconforming"}[code]
        assert written["partial"] is ("-k" in args)
        assert ("verdict: partial," in run.last) is ("-k" in args), run.last


@pytest.mark.parametrize(
    ("option", "said"),
    [
        ("--conformance-report=.", "--conformance-report=.: a directory, not a file"),
        ("--conformance-junit=.", "--conformance-junit=.: a directory, not a file"),
        ("--conformance-markdown=.", "--conformance-markdown=.: a directory, not a file"),
        ("--conformance-report=a-file/r.json", "a-file is not a directory"),
        # A folder nobody can make, root included (permission bits would say yes to root).
        ("--conformance-junit=/proc/anam-nowhere/j.xml", "/proc/anam-nowhere/j.xml: cannot be written"),
        ("--conformance-snapshots=nowhere", "--conformance-snapshots=nowhere: no such directory"),
        ("--conformance-cassettes=nowhere", "--conformance-cassettes=nowhere: no such directory"),
        ("--conformance-cassettes=a-file", "--conformance-cassettes=a-file: not a directory"),
    ],
)
def test_pytest_conformance_refuses_a_bad_path_in_one_line_before_any_check(
    tmp_path: Path, option: str, said: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / f"{WITNESS}.py").write_text(WITNESS_SOURCE, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(ROOT / "conformance"),
            "-c",
            str(ROOT / "pyproject.toml"),
            f"--anam-plugin={WITNESS}",
            "--anam-isolation=process",  # where it could write its file, had it been loaded
            option,
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == runner.EXIT_USAGE, lines[-15:]
    assert len(lines) == 1 and said in lines[0], lines
    assert not (tmp_path / "imported").exists(), "the plugin was loaded before the bad path was refused"


def test_the_tool_refuses_a_bad_path_before_the_plugin_loads(tmp_path: Path) -> None:
    (tmp_path / f"{WITNESS}.py").write_text(WITNESS_SOURCE, encoding="utf-8")
    named = (f"--anam-plugin={WITNESS}", "--anam-isolation=process")  # where it can write its file
    run = tool(tmp_path, *named, "--conformance-report=.")
    assert run.code == runner.EXIT_USAGE and len(run.lines) == 1, run.lines
    assert not (tmp_path / "imported").exists(), "the plugin was loaded before the bad path was refused"
    tool(tmp_path, *named, "--collect-only")  # the witness itself: loaded, it says so
    assert (tmp_path / "imported").exists()


def test_version_prints_the_suites_version(tmp_path: Path) -> None:
    run = tool(tmp_path, "--version")
    assert run.code == 0
    assert run.lines == [f"anam-conformance {__version__}"]
    assert __version__ == version("anam-conformance")


def test_pytests_usage_error_becomes_one_line_naming_what_was_refused() -> None:
    held = [
        "ERROR: usage: python -m pytest [options] [file_or_dir] [file_or_dir] [...]\n",
        "python -m pytest: error: unrecognized arguments: --no-such-option\n",
        "  inifile: /tmp/anam-conformance-x/pytest.ini\n",
        "  rootdir: /tmp/anam-conformance-x\n",
    ]
    assert runner.pytest_refusal(held) == "unrecognized arguments: --no-such-option"
    assert runner.pytest_refusal(["ERROR: usage: pytest\n"]) is None


@pytest.mark.parametrize("option", ["--html", "--markdown"])
def test_the_matrix_refuses_an_output_it_could_not_write_before_reading_a_report(
    tmp_path: Path, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert matrix.main(["no-such-report.json", f"{option}={tmp_path}"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"anam_conformance.matrix: {option}={tmp_path}: a directory, not a file: name the file to write"
    ]
