/**
 * Profiles one server of the auth benchmark under load: starts it with `--cpu-prof` on a
 * fresh fixture (logging in through a Volt server for the session cookie), loads one scenario
 * after a 2 s warm-up that the summary leaves out, stops it and prints where the CPU went, per
 * request: by area, the top functions by self time, and Volt's functions by inclusive time.
 *
 * Usage: node --conditions=volt-source bench/auth/profile.ts --server volt --scenario session [--duration 10s]
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, type RunningServer, startServer, stopProcess } from '../harness/processes.ts';
import { printProfileReport } from '../harness/profile-report.ts';
import { profileUnderLoad } from '../harness/profiled-load.ts';
import { runWrk } from '../harness/wrk.ts';
import {
  LABEL,
  logIn,
  pathOf,
  prepareDatabase,
  SCENARIO_IDS,
  type ScenarioId,
  SERVER_IDS,
  type ServerId,
  serverCommand,
  TITLE,
  writeScript,
} from './setup.ts';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'volt' },
    scenario: { type: 'string', default: 'session' },
    duration: { type: 'string', default: '10s' },
    connections: { type: 'string', default: '64' },
    top: { type: 'string', default: '25' },
  },
});
const server = values.server as ServerId;
const scenario = values.scenario as ScenarioId;
if (!SERVER_IDS.includes(server)) throw new Error(`--server must be one of ${SERVER_IDS.join(', ')}`);
if (!SCENARIO_IDS.includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIO_IDS.join(', ')}`);
const seconds = Number.parseInt(values.duration, 10);
const top = Number(values.top);

const fixture = await prepareDatabase();
const secretKey = randomBytes(48).toString('base64url');
let login: RunningServer | undefined;
try {
  // The session cookie comes from a login through Volt, in a server that is not profiled.
  const loginPort = await freePort();
  login = await startServer('0', serverCommand('volt', loginPort, fixture, secretKey), loginPort, '/open');
  const cookie = await logIn(loginPort);
  await stopProcess(login.child);
  const port = await freePort();
  const script = writeScript(dirname(fixture.file), scenario, fixture.token, cookie);
  const { result, summary } = await profileUnderLoad({
    command: serverCommand(server, port, fixture, secretKey),
    port,
    readyPath: '/open',
    load: (forSeconds) =>
      runWrk({
        url: `http://127.0.0.1:${port}${pathOf(scenario)}`,
        seconds: forSeconds,
        connections: Number(values.connections),
        threads: 1,
        script,
        cpu: '1',
      }),
    seconds,
  });
  if (result.non2xx > 0)
    throw new Error(`${result.non2xx} answers were not 2xx: the credentials were refused`);
  printProfileReport(summary, { title: `${LABEL[server]}, ${TITLE[scenario]}`, result, top });
} finally {
  if (login) await stopProcess(login.child);
  rmSync(dirname(fixture.file), { recursive: true, force: true });
}
