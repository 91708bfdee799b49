/**
 * Profiles one server under load: starts it with `--cpu-prof`, checks its answer, loads it
 * with wrk (after a 2 s warm-up that the summary leaves out), stops it and prints where the
 * CPU time went: by area of the code, the top functions by self time, and Volt's own
 * functions by inclusive time.
 *
 * Usage: `node --conditions=volt-source bench/profile.ts --server volt --scenario items [--duration 10s]`
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeProfile } from './harness/cpu-profile.ts';
import { PEERS, type PeerId } from './harness/peers.ts';
import { fetchOnce, freePort, startServer, stopProcess } from './harness/processes.ts';
import { printProfileReport } from './harness/profile-report.ts';

import { runWrk } from './harness/wrk.ts';
import { checkAnswer, SCENARIO_IDS, SCENARIOS, type ScenarioId } from './scenarios/index.ts';

const NODE_PEERS: readonly PeerId[] = ['volt', 'fastify', 'node-http'];

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'volt' },
    scenario: { type: 'string', default: 'items' },
    duration: { type: 'string', default: '10s' },
    connections: { type: 'string', default: '64' },
    top: { type: 'string', default: '25' },
  },
});
const server = values.server as PeerId;
const scenarioId = values.scenario as ScenarioId;
if (!NODE_PEERS.includes(server)) throw new Error(`--server must be one of ${NODE_PEERS.join(', ')}`);
if (!SCENARIO_IDS.includes(scenarioId))
  throw new Error(`--scenario must be one of ${SCENARIO_IDS.join(', ')}`);
const seconds = Number.parseInt(values.duration, 10);
const top = Number(values.top);

const dir = mkdtempSync(join(tmpdir(), 'volt-profile-'));
try {
  const port = await freePort();
  const command = PEERS[server].command(port);
  // 100 µs sampling: a request takes tens of microseconds.
  command.args.unshift('--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100');
  const running = await startServer('0', command, port, '/plaintext');
  const scenario = SCENARIOS[scenarioId];
  const wrong = checkAnswer(scenario, await fetchOnce(port, scenario.request));
  if (wrong) throw new Error(`${server} answers wrongly: ${wrong}`);
  const load = (forSeconds: number) =>
    runWrk({
      url: `http://127.0.0.1:${port}${scenario.request.path}`,
      seconds: forSeconds,
      connections: Number(values.connections),
      threads: 1,
      script: scenario.script,
      cpu: '1',
    });
  // Warm up (JIT, caches), then keep only the samples taken during the measured load.
  await load(2);
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const result = await load(seconds);
  const toUs = Number(process.hrtime.bigint() / 1000n);
  // The profile is written when the process exits normally (each server handles SIGTERM).
  await stopProcess(running.child, 15_000);
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written; server output:\n${running.output()}`);
  const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), { fromUs, toUs });
  printProfileReport(summary, {
    title: `${PEERS[server].label}, ${scenario.title}`,
    result,
    top,
    own: (f) => f.area.startsWith('volt ') || f.area === 'app code',
    ownTitle: 'Volt and app functions by inclusive time',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
