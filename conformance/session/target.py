"""The implementation a run judges: named by ``--anam-plugin``, loaded once, closed with the run.

A name that cannot be judged is a usage error (the only line of the run); a
driver that breaks while it loads leaves the run going, every check its error
naming the driver, so the reports say why there is no verdict.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from ..implementations import sandbox, specs
from ..implementations.loading import ENV_VAR, REFERENCE_MODULE, TargetBroke, TargetError, load_target
from ..implementations.process import DriverError
from ..implementations.specs import Placement
from ..port.implementation import Implementation


def say_to(config: pytest.Config) -> Callable[[str], None]:
    """One line of the suite's own, in the process that prints (never an xdist worker)."""
    terminal = config.pluginmanager.get_plugin("terminalreporter")

    def say(message: str) -> None:
        if terminal is not None and not hasattr(config, "workerinput"):
            terminal.write_line(f"anam-conformance: {message}")

    return say


def placement(config: pytest.Config) -> Placement:
    """Where the judged code runs, from the options (or the environment)."""
    caller = os.environ.get(specs.CALLER_DIR_ENV)
    return Placement(
        isolation=config.getoption("anam_isolation") or os.environ.get(sandbox.ENV_VAR) or "auto",
        python=config.getoption("anam_python") or os.environ.get(specs.PYTHON_ENV) or None,
        cwd=Path(caller) if caller else None,
    )


class Target:
    """The implementation under test, loaded when first asked for; or the driver error that broke it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._loaded: Implementation | None = None
        #: The driver that broke while the plugin loaded: every check is the suite's error, naming it.
        self.broke: TargetBroke | None = None

    @property
    def module(self) -> str:
        return self.config.getoption("anam_plugin") or os.environ.get(ENV_VAR) or REFERENCE_MODULE

    def get(self) -> Implementation:
        if self.broke is not None:
            raise self.broke.error
        if self._loaded is None:
            say = say_to(self.config)
            try:
                self._loaded = load_target(self.module, say, placement(self.config))
            except TargetBroke as broke:
                # The judge goes on: every check is its error, naming the driver, and the reports say so.
                self.broke = broke
                say(f"no verdict: {broke}")
                raise broke.error from None
            except TargetError as error:
                raise pytest.UsageError(str(error)) from error
        return self._loaded

    def broken(self) -> TargetBroke | None:
        """The implementation's driver, if it broke while the plugin loaded (see :class:`TargetBroke`)."""
        if self.broke is None:
            with contextlib.suppress(DriverError):
                self.get()
        return self.broke

    def close(self) -> None:
        if self._loaded is not None:
            self._loaded.close()  # whatever the implementation runs lives as long as the run
