"""A failing run shows requests and errors, but never the key, the LiveKit secret or a token."""

from __future__ import annotations

import re

from anam_conformance.harness import start as driver

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.")


def test_failure_output_and_report_redact_every_secret(run_suite, pytester) -> None:
    # Its failures quote the requests it sent, body and all, in the output and the report.
    run = run_suite("broken_plugins.retries_every_error", "-rA", "--tb=long", "-vv")
    report_text = (pytester.path / "report.json").read_text()
    assert run.outcomes()["rejection.not-retried"] == "fail"
    assert "livekitToken" in report_text
    for text in (run.output, report_text):
        assert driver.ANAM_API_KEY not in text
        assert driver.LIVEKIT_API_SECRET not in text
        assert not JWT.search(text)
