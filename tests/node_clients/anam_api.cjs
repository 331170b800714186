// The Node plugin's own AnamAPI (both requests of its wire flow) against an Anam at a URL.
// usage: node anam_api.cjs PLUGIN_DIR API_URL API_KEY SCENARIOS_JSON
// Prints one JSON line per scenario: the two answers, or the error the client raised.
'use strict';
const { createRequire } = require('node:module');
const path = require('node:path');

const [pluginDir, apiUrl, apiKey, scenariosJson] = process.argv.slice(2);
const fromPlugin = createRequire(path.join(pluginDir, 'package.json'));
fromPlugin('@livekit/agents').initializeLogger({ pretty: false, level: 'fatal' });
const { AnamAPI } = fromPlugin(pluginDir);

async function one({ avatarId, model, size }) {
  // One attempt, no pause: the answer is judged, not the retry policy.
  const api = new AnamAPI(apiKey, apiUrl, { maxRetry: 1, retryInterval: 0, timeout: 10 });
  try {
    const token = await api.createSessionToken({
      personaConfig: { name: 'Node client test', avatarId, avatarModel: model ?? undefined },
      livekitUrl: 'wss://conformance.livekit.invalid',
      livekitToken: 'not-a-real-livekit-token',
      sessionOptions: size ? { videoWidth: size[0], videoHeight: size[1] } : undefined,
    });
    const session = await api.startEngineSession({ sessionToken: token.sessionToken });
    return { ok: true, tokenKeys: Object.keys(token).sort(), session };
  } catch (error) {
    return { ok: false, type: error?.constructor?.name, message: String(error?.message ?? error) };
  }
}

(async () => {
  for (const scenario of JSON.parse(scenariosJson)) {
    process.stdout.write(JSON.stringify(await one(scenario)) + '\n');
  }
})();
