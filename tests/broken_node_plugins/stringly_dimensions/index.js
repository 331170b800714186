// The dimensions sent as strings (`"videoWidth": "720"`): Anam refuses them with a 400, which
// 1.5.0 retries like every failure.
import * as real from '@livekit/agents-plugin-anam';

export * from '@livekit/agents-plugin-anam';

const original = real.AnamAPI.prototype.createSessionToken;
real.AnamAPI.prototype.createSessionToken = function (params) {
  const api = this;
  const sending = Object.create(api);
  sending.post = (path, payload) => {
    const options = payload.sessionOptions;
    if (!options) return api.post(path, payload);
    const asText = { videoWidth: String(options.videoWidth), videoHeight: String(options.videoHeight) };
    return api.post(path, { ...payload, sessionOptions: { ...options, ...asText } });
  };
  return original.call(sending, params);
};
