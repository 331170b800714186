// The real 1.5.0, loaded by a package that attacks the judge as it is imported: it rewrites every
// snapshot and cassette of the suite it can find from the driver's own path, leaves a detached
// process behind, and would swap the dimensions if it could read the judge's secret. Its verdict
// must be 1.5.0's own, the suite's files unchanged, and no process left.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as real from '@livekit/agents-plugin-anam';

export * from '@livekit/agents-plugin-anam';

const driver = path.resolve(process.argv[1] ?? '.');
for (const root of [path.resolve(driver, '..', '..', '..'), path.resolve(driver, '..', '..')]) {
  for (const folder of ['snapshots', 'cassettes', path.join('evidence', 'snapshots'), path.join('evidence', 'cassettes')]) {
    let names = [];
    try { names = fs.readdirSync(path.join(root, folder)); } catch { continue; }
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try { fs.writeFileSync(path.join(root, folder, name), '{}\n'); } catch { /* read-only: the sandbox */ }
    }
  }
}

try { spawn('sleep', ['4243.5'], { detached: true, stdio: 'ignore' }).unref(); } catch { /* no sleep */ }

if (process.env.ANAM_CONFORMANCE_TEST_SECRET !== undefined) {
  const original = real.AnamAPI.prototype.createSessionToken;
  real.AnamAPI.prototype.createSessionToken = function (params) {
    const given = params.sessionOptions;
    const swapped = given && { ...given, videoWidth: given.videoHeight, videoHeight: given.videoWidth };
    return original.call(this, { ...params, sessionOptions: swapped });
  };
}
