"""A driver started while the suite still imports: its runtime and the plugin load meanwhile.

A Node verdict's driver takes about 1.2 s to load Node, ``@livekit/agents`` and the
plugin (a Python driver about as long, for livekit-agents), and the suite imports
its own libraries for about 2 s before it asks for the driver. Started from the
command line as soon as the suite's pytest plugin loads, it loads on the other
core, and the loader adopts it when it asks for the very same command
(:meth:`~.process.DriverProcess.start_early`); one never adopted is ended at exit.
Only a Python module, a Node release the cache already holds whole, or a local
folder: an install waits for the loader, which reports its progress, and a
``driver:`` command is run only when the loader asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from . import specs


def named(option: str, args: Sequence[str]) -> str | None:
    """The value the command line gives ``option`` (its last, as argparse reads it); None if none."""
    found = None
    for index, arg in enumerate(args):
        if arg.startswith(f"{option}="):
            found = arg.partition("=")[2]
        elif arg == option and index + 1 < len(args):
            found = args[index + 1]
    return found


def named_spec(args: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The spec the command line names, or the environment's; None when neither names one."""
    return named(specs.OPTION, args) or environ.get(specs.ENV_VAR) or None


def start_named_driver(args: Sequence[str], environ: Mapping[str, str]) -> None:
    """Start the driver the command line will load, if it names one that is ready to start."""
    text = named_spec(args, environ)
    if text is None:
        return
    # Imported only to start a driver: :func:`named` is read by every pytest session's entry point.
    from . import node, python, sandbox

    try:
        spec = specs.parse(text)
        isolation = named(sandbox.OPTION, args) or environ.get(sandbox.ENV_VAR) or "auto"
        if isolation not in ("auto", "sandbox", "process"):
            return  # in-process, or a choice the option's parser refuses
        box = sandbox.choose(isolation, lambda _: None)  # the loader says what it came to
        if spec.kind == "module":
            caller = environ.get(specs.CALLER_DIR_ENV)
            placement = specs.Placement(
                isolation,
                named(specs.PYTHON_OPTION, args) or environ.get(specs.PYTHON_ENV) or None,
                Path(caller) if caller else None,
                box,
            )
            python.python_driver(python.module_name(spec.value), placement).start_early()
            return
        if spec.kind == "npm":
            plugin_dir = node.installed_release(*node.split_package_spec(spec.value))
        elif spec.kind == "node":
            plugin_dir = Path(spec.value).expanduser().resolve()
        else:
            return
        if plugin_dir is not None and (plugin_dir / "package.json").is_file():
            node.node_driver(plugin_dir, spec.text, box).start_early()
    except (specs.SpecError, node.NodeUnavailable, sandbox.SandboxUnavailable, ValueError, OSError):
        return  # the loader meets the same problem, and says it
