"""A driver that describes itself correctly, then misbehaves on ``start`` as its first argument says.

crash: exits with code 3 after printing to stderr (a log line with a JWT and a key among it);
hang: never answers; garbage: prints a line that is not JSON; off-schema: answers with JSON
outside the protocol; wrong-id: answers another command; refuses: reports its own failure
(ok: false); short-batch: offers start-batch, and answers a batch with one result too few;
whole-surface: describes every part of the surface, and offers no capability.
"""

from __future__ import annotations

import json
import sys
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else "crash"
DESCRIBE = {
    "protocol": 1,
    "name": "broken-driver",
    "version": "0.0.0",
    "language": "javascript",
    "surface": {
        "avatar_session": True,
        "framework_avatar_session": True,
        "wait_for_join": True,
        "session_options": True,
        "session_option_fields": ["videoWidth", "videoHeight"]
        + (["showAIAvatarDisclosure"] if MODE == "whole-surface" else []),
        "disclosure": MODE == "whole-surface",
        "director_notes": MODE == "whole-surface",
        "custom_identity": True,
    },
    **({"commands": ["start-batch"]} if MODE == "short-batch" else {}),
}
START = {"stage": None, "failure": None, "audio": None, "avatar_identity": "anam-avatar-agent"}


def send(message: object) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    request = json.loads(line)
    if request["command"] == "describe":
        send({"id": request["id"], "ok": True, "result": DESCRIBE})
        continue
    if MODE == "short-batch":
        results = [START] * (len(request.get("starts", [None])) - 1)
        send(
            {
                "id": request["id"],
                "ok": True,
                "result": {"results": results} if "starts" in request else START,
            }
        )
        continue
    if MODE == "crash":
        # As the Node plugin 1.5.0 logs a refused request: the LiveKit JWT in the body it logs.
        token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbmFtLWF2YXRhci1hZ2VudCJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
        headers = {"Authorization": "Bearer sk-live-0123456789"}
        log = {"level": 50, "body": {"livekitToken": token}, "headers": headers}
        sys.stderr.write(json.dumps(log) + "\n")
        sys.stderr.write("fatal: the plugin blew up (segfault in the fake runtime)\n")
        sys.stderr.flush()
        sys.exit(3)
    if MODE == "hang":
        sys.stderr.write("waiting forever\n")
        sys.stderr.flush()
        time.sleep(3600)
    if MODE == "garbage":
        sys.stdout.write("Hello from console.log, not the protocol\n")
        sys.stdout.flush()
        continue
    if MODE == "off-schema":
        send({"id": request["id"], "ok": True, "result": {"failure": "a string, not facts"}})
        continue
    if MODE == "wrong-id":
        send({"id": request["id"] + 100, "ok": True, "result": {"closed": True}})
        continue
    send({"id": request["id"], "ok": False, "error": {"type_name": "Error", "message": "cannot start"}})
