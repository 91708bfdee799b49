/**
 * Profiles one Node server of the TechEmpower run under load: resets the database, starts the
 * server with `--cpu-prof`, verifies its answers to the test, loads it with wrk (after a 2 s
 * warm-up that the summary leaves out), stops it and prints where its CPU time went: by area
 * of the code, the top functions by self time, and Volt's own functions by inclusive time.
 *
 * Usage: `node --conditions=volt-source bench/tfb/profile.ts --server volt --test db [--duration 10s]`
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { list, positiveInt, seconds } from '../harness/options.ts';
import { PEERS, type PeerId } from '../harness/peers.ts';
import { freePort } from '../harness/processes.ts';
import { printProfileReport } from '../harness/profile-report.ts';
import { profileUnderLoad } from '../harness/profiled-load.ts';
import { runWrk } from '../harness/wrk.ts';
import { loadPath, TEST_IDS, TITLES } from './checks.ts';
import { applicationName, DATABASE, databaseUrl, prepareDatabase } from './database.ts';
import { TFB_SERVERS } from './peers.ts';
import { verifyServer } from './verify.ts';

const NODE_SERVERS: readonly PeerId[] = ['volt', 'fastify', 'node-http'];

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'volt' },
    test: { type: 'string', default: 'db' },
    duration: { type: 'string', default: '10s' },
    connections: { type: 'string', default: '64' },
    queries: { type: 'string', default: '20' },
    top: { type: 'string', default: '25' },
    postgres: { type: 'string', default: process.env.TFB_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432' },
  },
});
const [server] = list(values.server, NODE_SERVERS, '--server');
const [test] = list(values.test, TEST_IDS, '--test');
if (!server || !test) throw new Error('--server and --test each take one id');

await prepareDatabase(values.postgres);
const port = await freePort();
const checker = new pg.Client({ connectionString: databaseUrl(values.postgres, DATABASE) });
await checker.connect();
try {
  const { result, summary } = await profileUnderLoad({
    command: TFB_SERVERS[server].command(
      port,
      databaseUrl(values.postgres, DATABASE, applicationName(server)),
    ),
    port,
    readyPath: '/plaintext',
    check: () => verifyServer(PEERS[server].label, port, [test], checker),
    load: (forSeconds) =>
      runWrk({
        url: `http://127.0.0.1:${port}${loadPath(test, positiveInt(values.queries, '--queries'), 100)}`,
        seconds: forSeconds,
        connections: positiveInt(values.connections, '--connections'),
        threads: 1,
        cpu: '1',
        timeoutSeconds: 8,
      }),
    seconds: seconds(values.duration, '--duration'),
  });
  printProfileReport(summary, {
    title: `${PEERS[server].label}, ${TITLES[test]}`,
    result,
    top: Number(values.top),
    own: (f) => f.area.startsWith('volt ') || f.area === 'app code',
    ownTitle: 'Volt and app functions by inclusive time',
  });
} finally {
  await checker.end();
}
