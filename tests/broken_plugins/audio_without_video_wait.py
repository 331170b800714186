"""Streams the agent's audio to the avatar without waiting for its video track."""

from anam_conformance.plugin_under_test import *  # noqa: F403
from anam_conformance.plugin_under_test import avatar
from livekit import rtc
from livekit.agents.voice.avatar import DataStreamAudioOutput

BREAKS = ("avatar.audio-handoff",)


class AvatarSession(avatar.AvatarSession):
    def _audio_output(self, room: rtc.Room) -> DataStreamAudioOutput:
        return DataStreamAudioOutput(
            room=room, destination_identity=self._identity, sample_rate=avatar.SAMPLE_RATE
        )
