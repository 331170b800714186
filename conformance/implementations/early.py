"""A Node driver started while the suite still imports: the Node runtime and the plugin load meanwhile.

A Node verdict's driver takes about 1.2 s to load Node, ``@livekit/agents`` and the
plugin, and the suite imports its own libraries for about 2.5 s before it asks for
the driver. Started from the command line as soon as the suite's pytest plugin
loads, it loads on the other core, and the loader adopts it when it asks for the
very same command (:meth:`~.process.DriverProcess.start_early`); one never adopted
is ended at exit. Only a release the cache already holds whole, or a local folder:
an install waits for the loader, which reports its progress, and a ``driver:``
command is run only when the loader asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from . import node, specs


def named_spec(args: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The spec the command line names (its last ``--anam-plugin``, as argparse reads it), or the
    environment's; None when neither names one."""
    named = None
    for index, arg in enumerate(args):
        if arg.startswith(f"{specs.OPTION}="):
            named = arg.partition("=")[2]
        elif arg == specs.OPTION and index + 1 < len(args):
            named = args[index + 1]
    return named or environ.get(specs.ENV_VAR) or None


def start_named_driver(args: Sequence[str], environ: Mapping[str, str]) -> None:
    """Start the Node driver the command line will load, if it names one that is ready to start."""
    text = named_spec(args, environ)
    if text is None:
        return
    try:
        spec = specs.parse(text)
        if spec.kind == "npm":
            plugin_dir = node.installed_release(*node.split_package_spec(spec.value))
        elif spec.kind == "node":
            plugin_dir = Path(spec.value).expanduser().resolve()
        else:
            return
        if plugin_dir is not None and (plugin_dir / "package.json").is_file():
            node.node_driver(plugin_dir, spec.text).start_early()
    except (specs.SpecError, node.NodeUnavailable, ValueError, OSError):
        return  # the loader meets the same problem, and says it
