#!/usr/bin/env node
// The anam-conformance driver for @livekit/agents-plugin-anam (protocol: ../PROTOCOL.md).
//
// One JSON object per line on stdin (a command), one per line on stdout (its answer).
// stdout carries nothing else: the plugin's and the framework's logs are sent to stderr,
// so a line the suite cannot parse is always the driver's fault, never a log line.
//
// Usage: node driver.mjs --plugin-dir DIR
//   DIR is the plugin package (the folder with its package.json); @livekit/agents and
//   @livekit/rtc-node are resolved from there, as the plugin itself resolves them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export const PROTOCOL_VERSION = 1;
const DRIVER_NAME = 'anam-conformance-node-driver';

// --- stdout is the protocol's alone -------------------------------------------------------
const protocolWrite = process.stdout.write.bind(process.stdout);
process.stdout.write = (...args) => process.stderr.write(...args);
console.log = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

function send(message) {
  protocolWrite(`${JSON.stringify(message)}\n`);
}

// --- loading the plugin and its peers as the plugin itself resolves them -------------------
function packageDir(fromDir, name) {
  let dir = resolve(fromDir);
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${name} from ${fromDir}`);
    dir = parent;
  }
}

function esmEntry(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  let entry = pkg.exports?.['.'] ?? pkg.exports;
  for (let depth = 0; entry && typeof entry === 'object' && depth < 5; depth++) {
    entry = entry.import ?? entry.node ?? entry.default;
  }
  return { pkg, file: join(dir, typeof entry === 'string' ? entry : pkg.module ?? pkg.main ?? 'index.js') };
}

async function importFrom(dir) {
  const { pkg, file } = esmEntry(dir);
  return { pkg, module: await import(pathToFileURL(file).href) };
}

function argValue(name) {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const pluginDir = resolve(argValue('--plugin-dir') ?? '.');
const agentsDir = packageDir(pluginDir, '@livekit/agents');
const rtcDir = packageDir(agentsDir, '@livekit/rtc-node');
const agents = (await importFrom(agentsDir)).module;
const rtc = (await importFrom(rtcDir)).module;
// The plugin's own logs are not evidence (the suite judges what was sent and answered), and a
// release logs each refused request with its whole body: 4 MB a verdict, written here and read
// there. ANAM_DRIVER_LOG_LEVEL=warn (or info, debug) brings them back, on stderr.
agents.initializeLogger({ pretty: false, level: process.env.ANAM_DRIVER_LOG_LEVEL ?? 'fatal' });
const { pkg: pluginPkg, module: plugin } = await importFrom(pluginDir);
const agentsVersion = JSON.parse(readFileSync(join(agentsDir, 'package.json'), 'utf8')).version;
const rtcVersion = JSON.parse(readFileSync(join(rtcDir, 'package.json'), 'utf8')).version;
const { RoomEvent, TrackKind, ParticipantKind } = rtc;

// --- what the plugin sends: counted at fetch, so "thrown before any request" is observed ----
// Each start counts its own, so starts made together (`start-batch`) are told apart.
const counting = new AsyncLocalStorage();
const realFetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  const counter = counting.getStore();
  if (counter) counter.requests += 1;
  return realFetch(...args);
};

// --- the surface, from the package's own type declarations and classes ---------------------
function declarations(dir = pluginDir) {
  const dist = join(dir, 'dist');
  let text = '';
  for (const name of ['types.d.ts', 'avatar.d.ts', 'index.d.ts', 'api.d.ts']) {
    const file = join(dist, name);
    if (existsSync(file)) text += readFileSync(file, 'utf8');
  }
  // A package that wraps the plugin (declaring it as a peer) has the surface it re-exports.
  const wrapped = '@livekit/agents-plugin-anam';
  if (!text && pluginPkg.peerDependencies?.[wrapped] && dir === pluginDir) {
    return declarations(packageDir(pluginDir, wrapped));
  }
  return text;
}

function typeFields(text, typeName) {
  const match = new RegExp(`type ${typeName} = \\{([^}]*)\\}`, 's').exec(text);
  if (!match) return null;
  return [...match[1].matchAll(/^\s*(?:readonly\s+)?(\w+)\??\s*:/gm)].map((m) => m[1]);
}

function blockFields(text, opener) {
  const match = new RegExp(`${opener}\\s*\\{([^}]*)\\}`, 's').exec(text);
  if (!match) return [];
  return [...match[1].matchAll(/^\s*(?:readonly\s+)?(\w+)\??\s*:/gm)].map((m) => m[1]);
}

function describe() {
  const text = declarations();
  const sessionFields = typeFields(text, 'SessionOptions');
  const personaFields = typeFields(text, 'PersonaConfig') ?? [];
  const AvatarSession = plugin.AvatarSession;
  const frameworkBase = agents.voice?.AvatarSession;
  const proto = AvatarSession?.prototype;
  return {
    protocol: PROTOCOL_VERSION,
    name: pluginPkg.name,
    version: pluginPkg.version,
    language: 'javascript',
    runtime: `node ${process.version}`,
    driver: DRIVER_NAME,
    commands: ['start-batch'],
    framework: { '@livekit/agents': agentsVersion, '@livekit/rtc-node': rtcVersion },
    surface: {
      avatar_session: typeof AvatarSession === 'function',
      framework_avatar_session:
        typeof frameworkBase === 'function' && proto instanceof frameworkBase,
      wait_for_join: typeof proto?.waitForJoin === 'function',
      session_options: sessionFields !== null,
      session_option_fields: sessionFields ?? [],
      disclosure: (sessionFields ?? []).includes('showAIAvatarDisclosure'),
      director_notes: personaFields.includes('directorNotes'),
      persona_fields: personaFields,
      constructor_options: blockFields(text, 'constructor\\((?:private\\s+)?opts\\??:'),
      start_params: blockFields(text, 'start\\([^)]*params\\??:'),
      custom_identity: blockFields(text, 'constructor\\((?:private\\s+)?opts\\??:').includes(
        'avatarParticipantIdentity',
      ),
    },
  };
}

// --- the room and agent session the plugin is given: duck-typed, no server ------------------
class FakeLocalParticipant {
  constructor(identity) {
    this.identity = identity;
    this.name = identity;
    this.kind = ParticipantKind?.AGENT ?? 4;
    this.attributes = {};
    this.trackPublications = new Map();
    this.rpcHandlers = new Map();
  }
  registerRpcMethod(method, handler) {
    this.rpcHandlers.set(method, handler);
  }
  unregisterRpcMethod(method) {
    this.rpcHandlers.delete(method);
  }
  async streamBytes() {
    throw new Error('no LiveKit server behind the conformance room');
  }
  async publishData() {}
  async performRpc() {
    throw new Error('no LiveKit server behind the conformance room');
  }
}

class FakeRoom extends EventEmitter {
  constructor(name, localIdentity) {
    super();
    this.name = name;
    this.isConnected = true;
    this.localParticipant = new FakeLocalParticipant(localIdentity);
    this.remoteParticipants = new Map();
  }
}

class FakeAgentSession extends EventEmitter {
  constructor() {
    super();
    this.output = { audio: null };
    this._started = false;
  }
}

// --- errors, as language-neutral facts ------------------------------------------------------
function bodyText(body) {
  if (body === undefined || body === null) return null;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function errorFacts(error, sentAny) {
  const typeName = error?.constructor?.name ?? typeof error;
  const message = error instanceof Error ? error.message : String(error);
  if (agents.APIStatusError && error instanceof agents.APIStatusError) {
    return { kind: 'api-status', type_name: typeName, message, status: error.statusCode ?? null, body: bodyText(error.body) };
  }
  if (agents.APITimeoutError && error instanceof agents.APITimeoutError) {
    return { kind: 'api-timeout', type_name: typeName, message, status: null, body: null };
  }
  if (agents.APIConnectionError && error instanceof agents.APIConnectionError) {
    return { kind: 'api-connection', type_name: typeName, message, status: null, body: null };
  }
  // JavaScript has no ValueError: an Error thrown before the plugin sent any request is the
  // language's refusal of its arguments.
  const kind = sentAny ? 'other' : 'argument';
  return { kind, type_name: typeName, message, status: null, body: null };
}

function audioFacts(sink) {
  if (sink === null || sink === undefined) return null;
  const isDataStream =
    agents.voice?.DataStreamAudioOutput && sink instanceof agents.voice.DataStreamAudioOutput;
  return {
    type_name: sink.constructor?.name ?? typeof sink,
    destination: isDataStream ? sink.destinationIdentity ?? null : null,
    waits_for_video: Boolean(isDataStream && sink.waitRemoteTrack === TrackKind.KIND_VIDEO),
  };
}

// --- starts: one kept for its avatar events, or many together, each closed before the answer ---
let current = null;

function jsValue(value) {
  // Python's None is JavaScript's undefined: an option left unset, not a null sent to Anam.
  return value === null ? undefined : value;
}

function sessionOptionsOf(given) {
  if (given === null || given === undefined) return undefined;
  const options = {};
  const names = { video_width: 'videoWidth', video_height: 'videoHeight', show_ai_avatar_disclosure: 'showAIAvatarDisclosure' };
  for (const [key, value] of Object.entries(given)) {
    const name = names[key] ?? key;
    if (jsValue(value) !== undefined) options[name] = value;
  }
  return options;
}

function personaOf(persona) {
  const config = { name: persona.name, avatarId: persona.avatar_id };
  if (persona.avatar_model !== null && persona.avatar_model !== undefined) config.avatarModel = persona.avatar_model;
  if (persona.director_notes !== null && persona.director_notes !== undefined) config.directorNotes = persona.director_notes;
  return config;
}

async function start(params) {
  if (current) await close();
  const made = await counting.run({ requests: 0 }, () => startOne(params));
  current = made.started;
  return made.result;
}

// Starts made together: each as a start of its own, all at once, each closed before the answer.
async function startBatch(params) {
  const made = await Promise.all(params.starts.map((one) => counting.run({ requests: 0 }, () => startOne(one))));
  await Promise.all(made.map(({ started }) => closeStarted(started)));
  return { results: made.map(({ result }) => result) };
}

async function startOne(params) {
  const room = new FakeRoom(params.room.name, params.room.local_identity);
  const agentSession = new FakeAgentSession();
  const conn = params.conn_options ?? {};
  const options = {
    personaConfig: personaOf(params.persona),
    apiUrl: params.api_url,
    apiKey: params.api_key,
    // The Python max_retry counts retries; the Node plugin's maxRetry counts attempts.
    connOptions: { maxRetry: (conn.max_retry ?? 2) + 1, retryInterval: conn.retry_interval ?? 0, timeout: conn.timeout ?? 5 },
  };
  const sessionOptions = sessionOptionsOf(params.session_options);
  if (sessionOptions !== undefined) options.sessionOptions = sessionOptions;
  if (params.avatar_identity) options.avatarParticipantIdentity = params.avatar_identity;
  const started = { room, agentSession, avatar: null };
  const counter = counting.getStore();
  let stage = 'construct';
  let failure = null;
  try {
    started.avatar = new plugin.AvatarSession(options);
    stage = 'start';
    await started.avatar.start(agentSession, room, {
      livekitUrl: params.livekit.url,
      livekitApiKey: params.livekit.api_key,
      livekitApiSecret: params.livekit.api_secret,
    });
    stage = null;
  } catch (error) {
    failure = errorFacts(error, counter.requests > 0);
  }
  const result = {
    stage,
    failure,
    audio: audioFacts(agentSession.output.audio),
    avatar_identity: typeof started.avatar?.avatarIdentity === 'string' ? started.avatar.avatarIdentity : (params.avatar_identity ?? null),
    requests_seen: counter.requests,
  };
  return { started, result };
}

function turns(count) {
  return new Promise((resolveTurns) => {
    let left = count;
    const next = () => (left-- <= 0 ? resolveTurns() : setImmediate(next));
    next();
  });
}

// waitForJoin() asked now, given `grace` event-loop turns: 'resolved', 'rejected' or 'pending'.
// An ask still pending is left to settle on its own (its outcome is then ignored).
async function askWaitForJoin(avatar, timeoutMs, grace) {
  const asked = { state: 'pending', failure: null };
  const waiting = Promise.resolve()
    .then(() => avatar.waitForJoin({ timeout: timeoutMs }))
    .then(
      () => { asked.state = 'resolved'; },
      (error) => { asked.state = 'rejected'; asked.failure = errorFacts(error, true); },
    );
  await Promise.race([waiting, turns(grace)]);
  return asked;
}

async function avatarEvents(params) {
  if (!current) throw new Error('avatar-events without a start');
  const { room, avatar } = current;
  const arrival = params.avatar;
  const hasWait = Boolean(avatar) && typeof avatar.waitForJoin === 'function';
  const timeoutMs = params.timeout_ms ?? 5000;
  const grace = params.grace_turns ?? 50;
  // Asked first with nobody in the room: only 'pending' is right. A wait that resolves now
  // reports a join that has not happened (a start() that skipped the framework's super.start()).
  const before = hasWait ? (await askWaitForJoin(avatar, timeoutMs, grace)).state : 'absent';
  if (arrival) {
    const participant = {
      identity: arrival.identity,
      name: arrival.name ?? arrival.identity,
      sid: `PA_${arrival.identity}`,
      kind: arrival.kind === 'agent' ? (ParticipantKind?.AGENT ?? 4) : (ParticipantKind?.STANDARD ?? 0),
      attributes: { ...(arrival.attributes ?? {}) },
      trackPublications: new Map(),
    };
    room.remoteParticipants.set(participant.identity, participant);
    room.emit(RoomEvent.ParticipantConnected, participant);
    room.emit(RoomEvent.ParticipantActive, participant);
    for (const track of arrival.tracks ?? []) {
      const publication = {
        sid: track.sid ?? 'TR_avatar_video',
        name: track.name ?? 'avatar_video',
        kind: track.kind === 'video' ? TrackKind.KIND_VIDEO : TrackKind.KIND_AUDIO,
        width: track.width,
        height: track.height,
        mimeType: 'video/vp8',
        subscribed: false,
        track: undefined,
      };
      participant.trackPublications.set(publication.sid, publication);
      room.emit(RoomEvent.TrackPublished, publication, participant);
    }
  }
  if (!hasWait) {
    return { wait_for_join: 'absent', wait_for_join_before: 'absent', joined: false, failure: { kind: 'other', type_name: 'TypeError', message: 'the avatar session has no waitForJoin()', status: null, body: null } };
  }
  // Asked again once the avatar is in (or is not coming): the room sees nothing more, so a few
  // turns decide it.
  const after = await askWaitForJoin(avatar, timeoutMs, grace);
  return {
    wait_for_join: after.state,
    wait_for_join_before: before,
    joined: after.state === 'resolved' && Boolean(arrival),
    failure: after.failure,
  };
}

async function close() {
  if (!current) return { closed: false };
  const started = current;
  current = null;
  await closeStarted(started);
  return { closed: true };
}

async function closeStarted({ avatar }) {
  if (avatar && typeof avatar.aclose === 'function') {
    await Promise.race([avatar.aclose().catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
  }
}

const COMMANDS = { describe: async () => describe(), start, 'start-batch': startBatch, 'avatar-events': avatarEvents, close };

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    if (!line.trim()) return;
    let request;
    try {
      request = JSON.parse(line);
    } catch (error) {
      send({ id: null, ok: false, error: { type_name: 'SyntaxError', message: `not JSON: ${error.message}` } });
      return;
    }
    const handler = COMMANDS[request.command];
    if (!handler) {
      send({ id: request.id ?? null, ok: false, error: { type_name: 'UnknownCommand', message: `unknown command ${JSON.stringify(request.command)}` } });
      return;
    }
    try {
      send({ id: request.id, ok: true, result: await handler(request) });
    } catch (error) {
      send({ id: request.id, ok: false, error: { type_name: error?.constructor?.name ?? 'Error', message: String(error?.stack ?? error) } });
    }
  });
});
lines.on('close', () => {
  queue.then(() => close()).finally(() => process.exit(0));
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`unhandled rejection in the plugin: ${reason?.stack ?? reason}\n`);
});
