/**
 * Profiles one server under load: starts it with `--cpu-prof`, checks its answer, loads it
 * with wrk (after a 2 s warm-up that the summary leaves out), stops it and prints where the
 * CPU time went: by area of the code, the top functions by self time, and Volt's own
 * functions by inclusive time.
 *
 * Usage: `node --conditions=volt-source bench/profile.ts --server volt --scenario items [--duration 10s] [--log-level info]`
 */
import { parseArgs } from 'node:util';
import { PEERS, type PeerId } from './harness/peers.ts';
import { fetchOnce, freePort } from './harness/processes.ts';
import { printProfileReport } from './harness/profile-report.ts';
import { profileUnderLoad } from './harness/profiled-load.ts';
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
    'log-level': { type: 'string' },
  },
});
const server = values.server as PeerId;
const scenarioId = values.scenario as ScenarioId;
if (!NODE_PEERS.includes(server)) throw new Error(`--server must be one of ${NODE_PEERS.join(', ')}`);
if (!SCENARIO_IDS.includes(scenarioId))
  throw new Error(`--scenario must be one of ${SCENARIO_IDS.join(', ')}`);
const seconds = Number.parseInt(values.duration, 10);
const top = Number(values.top);

const port = await freePort();
const scenario = SCENARIOS[scenarioId];
const command = PEERS[server].command(port);
// Volt logs at this level (its benchmarks run with LOG_LEVEL=silent): `--log-level info` is
// production's default; the log goes to the server's output, which the harness keeps.
if (values['log-level'] !== undefined) command.env = { ...command.env, LOG_LEVEL: values['log-level'] };
const { result, summary } = await profileUnderLoad({
  command,
  port,
  readyPath: '/plaintext',
  check: async () => {
    const wrong = checkAnswer(scenario, await fetchOnce(port, scenario.request));
    if (wrong) throw new Error(`${server} answers wrongly: ${wrong}`);
  },
  load: (forSeconds) =>
    runWrk({
      url: `http://127.0.0.1:${port}${scenario.request.path}`,
      seconds: forSeconds,
      connections: Number(values.connections),
      threads: 1,
      script: scenario.script,
      cpu: '1',
    }),
  seconds,
});
printProfileReport(summary, {
  title: `${PEERS[server].label}, ${scenario.title}`,
  result,
  top,
  own: (f) => f.area.startsWith('volt ') || f.area === 'app code',
  ownTitle: 'Volt and app functions by inclusive time',
});
