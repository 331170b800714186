"""Streams the agent's audio to the local agent's own identity instead of the avatar's."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar
from livekit import rtc
from livekit.agents import get_job_context
from livekit.agents.voice.avatar import DataStreamAudioOutput

BREAKS = ("avatar.audio-handoff",)


class AvatarSession(avatar.AvatarSession):
    def _audio_output(self, room: rtc.Room) -> DataStreamAudioOutput:
        return DataStreamAudioOutput(
            room=room,
            destination_identity=get_job_context().local_participant_identity,
            sample_rate=avatar.SAMPLE_RATE,
            wait_remote_track=rtc.TrackKind.KIND_VIDEO,
            wait_playback_start=True,
        )
