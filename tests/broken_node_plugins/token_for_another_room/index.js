// The LiveKit token is minted for another room: Anam starts a session the avatar cannot join.
import * as real from '@livekit/agents-plugin-anam';

export * from '@livekit/agents-plugin-anam';

export class AvatarSession extends real.AvatarSession {
  async start(agentSession, room, params) {
    const elsewhere = new Proxy(room, {
      get: (target, key) => (key === 'name' ? `${target.name}-elsewhere` : Reflect.get(target, key)),
    });
    return super.start(agentSession, elsewhere, params);
  }
}
