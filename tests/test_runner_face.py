"""``anam-conformance`` as a user meets it: its own help, and errors in one clear line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from anam_conformance import runner
from anam_conformance.implementations import node, specs


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = shutil.which("anam-conformance", path=str(Path(sys.executable).parent))
    assert script, "anam-conformance is not installed in this environment"
    return subprocess.run(
        [script, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_help_is_the_suites_own_and_fits_one_screen(tmp_path: Path) -> None:
    done = run(tmp_path, "--help")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert len(lines) <= 60, len(lines)
    for form in ("livekit.plugins.anam", "npm:@livekit/agents-plugin-anam@", "node:", "driver:"):
        assert form in done.stdout
    for said in ("--conformance-junit", "-n N", "Exit codes", "--pytest-help", "warn"):
        assert said in done.stdout
    assert lines[0].startswith("usage: anam-conformance --anam-plugin=IMPLEMENTATION")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "usage error: name the implementation to judge"),
        (
            ("--anam-plugin=no.such.module",),
            "ERROR: --anam-plugin=no.such.module: the plugin module cannot be",
        ),
        (("--anam-plugin=plugin_under_test", "--time-limit=soon"), "not a number of seconds"),
    ],
)
def test_a_usage_error_is_the_only_thing_printed(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != runner.TARGET_ENV}
    done = run(tmp_path, *args, env=env)
    assert done.returncode == runner.EXIT_USAGE
    printed = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(printed) == 1 and said in printed[0], printed


def test_a_selection_that_matches_nothing_says_so(tmp_path: Path) -> None:
    done = run(tmp_path, "--anam-plugin=plugin_under_test", "-k", "no_check_is_called_this")
    assert done.returncode == runner.EXIT_NO_VERDICT
    assert "no verdict: the selection matched none of the suite's checks" in done.stderr


def test_a_release_that_does_not_exist_is_named_with_the_known_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """npm answers with the package's versions; the suite never installs an unknown one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_npm = bin_dir / "npm"
    fake_npm.write_text('#!/bin/sh\n[ "$3" = versions ] && echo \'["1.0.36", "1.5.0"]\' && exit 0\nexit 9\n')
    fake_npm.chmod(0o755)
    (bin_dir / "node").symlink_to(shutil.which("node") or sys.executable)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(
        ValueError,
        match=r"^no such release: @livekit/agents-plugin-anam@9\.9\.9; known releases: "
        r"1\.0\.36, 1\.5\.0$",
    ):
        node.install_release("@livekit/agents-plugin-anam", "9.9.9")


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("livekit.plugins.anam", "module", "livekit.plugins.anam"),
        ("npm:@livekit/agents-plugin-anam@1.5.0", "npm", "@livekit/agents-plugin-anam@1.5.0"),
        ("node:../plugins/anam", "node", "../plugins/anam"),
        ("driver:python drv.py", "driver", "python drv.py"),
    ],
)
def test_one_parser_names_every_kind(text: str, kind: str, value: str) -> None:
    parsed = specs.parse(text)
    assert (parsed.kind, parsed.value, parsed.text) == (kind, value, text)


def test_a_prefix_with_nothing_after_it_is_refused_with_an_example() -> None:
    with pytest.raises(
        specs.SpecError, match=r"after npm: \(e\.g\. npm:@livekit/agents-plugin-anam@1\.5\.0\)"
    ):
        specs.parse("npm:")


def test_the_help_and_the_usage_error_list_every_kind_the_parser_knows() -> None:
    for info in specs.KINDS:
        assert info.form in runner.USAGE and info.form in runner.NO_TARGET


def test_hypothesis_keeps_its_source_caches_in_the_users_cache_not_the_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(runner.HYPOTHESIS_STORAGE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert runner.child_env()[runner.HYPOTHESIS_STORAGE_ENV] == str(
        tmp_path / "anam-conformance" / "hypothesis"
    )
    monkeypatch.setenv(runner.HYPOTHESIS_STORAGE_ENV, "/elsewhere")
    assert runner.child_env()[runner.HYPOTHESIS_STORAGE_ENV] == "/elsewhere"


TESTS_DIR = Path(__file__).resolve().parent
REFERENCE, SWAPPED = "--anam-plugin=plugin_under_test", "--anam-plugin=broken_plugins.swapped_dimensions"


@pytest.mark.parametrize(
    ("args", "code", "last"),
    [
        ((REFERENCE, "-k", "surface"), 0, "verdict: partial, conforming so far"),
        ((SWAPPED, "-k", "verbatim"), 1, "verdict: partial, nonconforming"),
        ((REFERENCE, "-k", "no_check_is_called_this"), 3, "no verdict: the selection"),
    ],
    ids=["conforming", "nonconforming", "no-verdict"],
)
def test_the_tools_last_line_is_its_verdict_and_it_speaks_of_clauses_only(
    tmp_path: Path, args: tuple[str, ...], code: int, last: str
) -> None:
    """pytest's count of tests ("6 failed, 90 passed") is not printed: under the clause table it
    read as a second verdict. The clause table's own verdict line is right above the tool's."""
    script = shutil.which("anam-conformance", path=str(Path(sys.executable).parent))
    assert script
    env = {**os.environ, "PYTHONPATH": str(TESTS_DIR)}
    done = subprocess.run(
        [script, *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert done.returncode == code, lines[-10:]
    assert lines[-1].startswith(f"anam-conformance: {last}"), lines[-5:]
    if code != runner.EXIT_NO_VERDICT:
        assert lines[-2].startswith(last), lines[-5:]
    counts = [line for line in lines if re.search(r"\d+ (passed|failed|skipped|deselected|warned)\b", line)]
    assert not counts, counts
