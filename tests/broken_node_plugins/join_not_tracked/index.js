// start() without its first line, `await super.start(agentSession, room)`: the framework never
// starts tracking the avatar's join, so waitForJoin() resolves at once, avatar or not.
import { voice } from '@livekit/agents';
import * as real from '@livekit/agents-plugin-anam';

export * from '@livekit/agents-plugin-anam';

export class AvatarSession extends real.AvatarSession {
  async start(agentSession, room, params) {
    // 1.5.0's own start(), run with the framework's start() it calls first made a no-op. The
    // call reaches super.start() synchronously, so the framework is restored before any await.
    const framework = voice.AvatarSession.prototype;
    const frameworkStart = framework.start;
    framework.start = async () => undefined;
    try {
      return super.start(agentSession, room, params);
    } finally {
      framework.start = frameworkStart;
    }
  }
}
