// The feature's first commit: a lone dimension goes to Anam instead of being refused locally.
import * as real from '@livekit/agents-plugin-anam';

export * from '@livekit/agents-plugin-anam';

const original = real.AnamAPI.prototype.createSessionToken;
real.AnamAPI.prototype.createSessionToken = function (params) {
  const given = params.sessionOptions;
  const half = given && (given.videoWidth === undefined) !== (given.videoHeight === undefined);
  if (!half) return original.call(this, params);
  const api = this;
  const sending = Object.create(api);
  sending.post = (path, payload) => api.post(path, { ...payload, sessionOptions: { ...given } });
  return original.call(sending, { ...params, sessionOptions: undefined });
};
