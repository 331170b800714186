"""``python -m anam_conformance.cassettes``: (re)record every cassette, against the emulator by default.

Re-recording is always an explicit act: this command, or ``--anam-cassettes=record``
(or ``=live``) on a pytest run. ``--live`` records against https://api.anam.ai and
needs both the option and ``ANAM_API_KEY``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from .library import FLOWS, SCENARIOS
from .recorder import record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m anam_conformance.cassettes", description=__doc__)
    parser.add_argument(
        "--live", action="store_true", help="record against the live API (needs ANAM_API_KEY)"
    )
    parser.add_argument("--only", action="append", default=[], metavar="SCENARIO", help="record only these")
    args = parser.parse_args(argv)
    if args.live and not os.environ.get("ANAM_API_KEY"):
        parser.error("--live needs ANAM_API_KEY in the environment")
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only]
    unknown = set(args.only) - {s.name for s in SCENARIOS}
    if unknown:
        parser.error(f"--only: unknown scenario(s) {', '.join(sorted(unknown))}")

    async def run() -> None:
        for found in chosen:
            for flow in FLOWS:
                print(await record(found, flow, live=args.live))

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
