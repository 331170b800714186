"""The suite's libraries, imported as Python imports them: never through pytest's assertion rewriter.

pytest rewrites the asserts of every module of every distribution that ships a
pytest plugin, not only of the plugin module: all of hypothesis, anyio and
syrupy, whose asserts are not tests. Where it cannot cache what it rewrote
(``PYTHONDONTWRITEBYTECODE``, a read-only site-packages: common in CI images)
it parses and compiles them again on every run, from source: about 0.9 s of a
verdict that otherwise needs 2 s of imports in all (``scripts/profile_verdict.py``).

Imported here first, with the rewriting import hook stepped aside, they load
from the bytecode their installer wrote; modules imported afterwards (the
suite's test modules, a project's own tests) are rewritten exactly as before.
Nothing here touches pytest's internals: the hook is found by its type's name
among ``sys.meta_path``'s finders and put back where it was.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator

#: The third-party packages a verdict needs whose asserts pytest would otherwise rewrite.
#: pytest-recording comes first: on import it asks pytest to rewrite ``vcr.matchers``, and asked
#: once vcr is imported, pytest warns "Module already imported so cannot be rewritten", which
#: ``pytest -W error`` turns into a plugin that fails to load. Asked here, it finds no rewriter.
LIBRARIES = (
    "pytest_recording",
    "hypothesis",
    "syrupy",
    "vcr",
    "aiohttp",
    "jwt",
    "livekit.api",
)
#: What the pytest plugins of the suite's dependencies load in every run, measured with a timer
#: around pytest's rewriter (``docs/results.md``): anyio's backend alone took 160 ms to rewrite.
#: Imported when installed: an environment without one of them loses nothing. A plugin pytest has
#: loaded before the suite's (entry points come in the order the environment lists distributions)
#: was rewritten already; the libraries it loads lazily are still plain.
PLUGIN_LIBRARIES = (
    "anyio._backends._asyncio",
    "anyio.pytest_plugin",
    "pytest_asyncio.plugin",
    "xdist.plugin",
    "xdist.looponfail",
    "pytest_recording.plugin",
    "platformdirs",
    "_hypothesis_pytestplugin",
    "hypothesis.internal.conjecture.optimiser",
    "syrupy.extensions.json",
)
REWRITING_HOOK = "AssertionRewritingHook"


@contextlib.contextmanager
def rewriting_suspended() -> Iterator[None]:
    """Imports inside are plain; the rewriting hook is back, at its place, on the way out."""
    hooks = [(i, f) for i, f in enumerate(sys.meta_path) if type(f).__name__ == REWRITING_HOOK]
    for _, hook in reversed(hooks):
        sys.meta_path.remove(hook)
    try:
        yield
    finally:
        for index, hook in hooks:
            sys.meta_path.insert(index, hook)


def import_libraries() -> None:
    with rewriting_suspended():
        for name in LIBRARIES:
            importlib.import_module(name)
        for name in PLUGIN_LIBRARIES:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
