// The dimensions reach Anam as sessionOptions.width/height: Anam ignores them silently.
import * as real from '@livekit/agents-plugin-anam';

export * from '@livekit/agents-plugin-anam';

const original = real.AnamAPI.prototype.createSessionToken;
real.AnamAPI.prototype.createSessionToken = function (params) {
  const api = this;
  const sending = Object.create(api);
  sending.post = (path, payload) => {
    const options = payload.sessionOptions;
    if (!options) return api.post(path, payload);
    const { videoWidth, videoHeight, ...rest } = options;
    return api.post(path, { ...payload, sessionOptions: { ...rest, width: videoWidth, height: videoHeight } });
  };
  return original.call(sending, params);
};
