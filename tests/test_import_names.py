"""Every module of the suite is imported under one name, whatever pytest's import mode.

The repository's ``conformance/`` folder is installed as ``anam_conformance``. pytest
names a collected module after its folders, so without the suite's own collection
(``pytest_plugin.SuiteModule``) a checkout's ``pytest conformance`` would load the checks as
``conformance.suite.*`` and, through their relative imports, the whole suite a second time:
two ``ClauseViolation`` classes, and a verdict that no longer recognises a failure.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
from pathlib import Path
import pytest
code = pytest.main(["conformance", "--collect-only", "-q", "-p", "no:randomly", *sys.argv[1:]])
root = Path.cwd().resolve()
owned = (root / "conformance", root / "plugin_under_test")
names = {}
for name, module in list(sys.modules.items()):
    file = getattr(module, "__file__", None)
    if file and any(Path(file).resolve().is_relative_to(folder) for folder in owned):
        names.setdefault(str(Path(file).resolve().relative_to(root)), []).append(name)
print("PROBE" + json.dumps({"exit": int(code), "names": names}))
"""


@pytest.mark.parametrize("mode", ["prepend", "append", "importlib"])
def test_a_checkout_run_imports_each_module_once_by_its_installed_name(mode: str) -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, f"--import-mode={mode}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = next((x for x in run.stdout.splitlines() if x.startswith("PROBE")), None)
    assert line is not None, run.stdout + run.stderr
    probe = json.loads(line.removeprefix("PROBE"))
    assert probe["exit"] == 0, run.stdout
    names: dict[str, list[str]] = probe["names"]
    assert "conformance/suite/test_answers.py" in names, "the probe collected no check"
    twice = {file: found for file, found in names.items() if len(found) > 1}
    assert twice == {}, "imported under more than one name"
    foreign = {file: found for file, found in names.items() if not found[0].startswith("anam_conformance")}
    assert foreign == {}, "imported under a name the distribution does not own"
