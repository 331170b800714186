// The API key sent bare (`Authorization: <key>`, no `Bearer `): Anam answers 401, and 1.5.0,
// which retries every failure, sends the same request again until its attempts run out.
import * as real from '@livekit/agents-plugin-anam';

export * from '@livekit/agents-plugin-anam';

real.AnamAPI.prototype.post = function (path, body) {
  return this.postWithHeaders(path, body, { Authorization: this.apiKey });
};
