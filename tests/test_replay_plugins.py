"""The replay tests reject the broken plugins the cassettes are about, and pass the reference."""

from __future__ import annotations

import pytest

REPLAY = ("-k", "test_replay")
REPLAY_CLAUSES = {
    "dims.both-or-neither",
    "dims.published-size",
    "rejection.surfaced",
    "rejection.not-retried",
    "avatar.token",
    "avatar.joins",
    "avatar.audio-handoff",
}


def test_the_reference_plugin_passes_every_replay(run_suite) -> None:
    run = run_suite("plugin_under_test", *REPLAY)
    outcomes = run.outcomes()
    assert {c for c, o in outcomes.items() if o == "pass"} == REPLAY_CLAUSES, run.output
    assert "fail" not in outcomes.values()


@pytest.mark.parametrize(
    ("variant", "failing"),
    [
        ("half_pair_leak", {"dims.both-or-neither"}),
        ("retries_every_error", {"rejection.not-retried"}),
        ("swallows_400", {"rejection.surfaced"}),
        ("token_ignores_custom_identity", {"avatar.token"}),
        ("token_for_another_room", {"avatar.token"}),
        ("waits_for_wrong_identity", {"avatar.joins"}),
        ("audio_without_video_wait", {"avatar.audio-handoff"}),
    ],
)
def test_a_broken_plugin_fails_the_replay_of_what_it_breaks(
    run_suite, variant: str, failing: set[str]
) -> None:
    run = run_suite(f"broken_plugins.{variant}", *REPLAY)
    outcomes = run.outcomes()
    assert {c: outcomes[c] for c in failing} == {c: "fail" for c in failing}, run.output
    assert run.exit_code == 1


def test_the_half_pair_failure_quotes_anams_400(run_suite) -> None:
    run = run_suite("broken_plugins.half_pair_leak", "-k", "test_replayed_half_pair")
    assert "the half pair was sent" in run.output
    assert "If you provide one dimension field, you must provide both." in run.output


def test_an_unmatched_request_names_the_clause_the_closest_request_and_a_json_diff(run_suite) -> None:
    run = run_suite("broken_plugins.snake_case_keys", "-k", "test_replayed_session_publishes and landscape")
    assert run.report is not None, run.output
    published = next(c for c in run.report["clauses"] if c["id"] == "dims.published-size")
    (replayed,) = (t for t in published["tests"] if "landscape" in t["nodeid"])
    # Blocked by the clause that owns the difference, the replay's evidence kept in full below it.
    assert replayed["outcome"] == "blocked" and replayed["blocked_by"] == "dims.verbatim", replayed
    detail = replayed["detail"]
    assert "landscape-1152x768-cara-4.one-request.json [dims.published-size]" in detail
    assert "closest recorded POST /v1/engine/session" in detail
    assert '-    "videoWidth": 1152' in detail and '+    "video_width": 1152' in detail
    # pytest's own lines show it as the skip of an unmet precondition, naming the blocker.
    assert "1 skipped" in run.output and "FAILED" not in run.output, run.output


def test_live_mode_is_refused_without_a_key(run_suite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANAM_API_KEY", raising=False)
    run = run_suite("plugin_under_test", "--anam-cassettes=live", *REPLAY)
    assert run.exit_code == pytest.ExitCode.USAGE_ERROR
    assert "--anam-cassettes=live needs ANAM_API_KEY" in run.output
