"""A Python plugin module, judged through the product Python driver (``drivers/python/driver.py``).

The driver is one standalone file that needs only what a plugin's own
environment has (livekit-agents, aiohttp), so it runs under the plugin's
interpreter (``--anam-python``: a venv with the livekit-agents of the plugin's
own era), never the suite's, and imports the module exactly as that interpreter
would, from the caller's folder.
"""

from __future__ import annotations

import sys

from .locations import DRIVERS_DIR
from .process import DriverProcess
from .specs import Placement

PYTHON_DRIVER = DRIVERS_DIR / "python" / "driver.py"
#: The reference plugin travels inside the suite; ``plugin_under_test`` (its folder in the
#: repository) is accepted as its short name.
REFERENCE_MODULE = "anam_conformance.plugin_under_test"
REFERENCE_ALIASES = frozenset({"plugin_under_test", REFERENCE_MODULE})
#: The error type the driver answers ``describe`` with when the module is no plugin it can load.
PLUGIN_NOT_LOADED = "PluginNotLoaded"


def module_name(named: str) -> str:
    """The module a spec names; the reference plugin by its short name too."""
    return REFERENCE_MODULE if named in REFERENCE_ALIASES else named


def python_driver(module: str, placement: Placement) -> DriverProcess:
    """The Python driver for ``module`` as it runs: under the plugin's Python, from its folder."""
    return DriverProcess(
        f"python ({module})",
        [placement.python or sys.executable, str(PYTHON_DRIVER), module],
        cwd=placement.cwd,
        sandbox=placement.sandbox,
    )
