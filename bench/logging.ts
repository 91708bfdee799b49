/**
 * What production logging costs a request: the hello example's `GET /json` with
 * `VOLT_ENV=production` and the default `LOG_LEVEL=info` (one line per request, to a pipe the
 * harness reads, as a log collector would) against the same server with `LOG_LEVEL=silent`,
 * rounds alternating which goes first. Prints the medians, the ratio and the CPU per request.
 *
 * Usage: `node --conditions=volt-source bench/logging.ts [--rounds 5] [--duration 8s]`
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { cpuTime, loadClockTicks } from './harness/cpu.ts';
import { freePort, startServer, stopProcess } from './harness/processes.ts';
import { median, textTable } from './harness/stats.ts';
import { runWrk } from './harness/wrk.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '8s' },
    warmup: { type: 'string', default: '2s' },
    connections: { type: 'string', default: '64' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number.parseInt(values.duration, 10);
const warmup = Number.parseInt(values.warmup, 10);

type Level = 'silent' | 'info';
const LEVELS: readonly Level[] = ['silent', 'info'];
const results: Record<Level, { rps: number[]; cpuUs: number[]; lines: number[] }> = {
  silent: { rps: [], cpuUs: [], lines: [] },
  info: { rps: [], cpuUs: [], lines: [] },
};

await loadClockTicks();
const secret = randomBytes(48).toString('base64url');

async function measure(level: Level): Promise<void> {
  const port = await freePort();
  const server = await startServer(
    '0',
    {
      command: process.execPath,
      args: ['--conditions=volt-source', 'bench/servers/volt.ts'],
      env: { PORT: String(port), VOLT_ENV: 'production', SECRET_KEY: secret, LOG_LEVEL: level },
    },
    port,
    '/json',
  );
  let lines = 0;
  // The log's reader stands for a collector: counting lines natively keeps it light.
  server.child.stdout?.on('data', (chunk: Buffer) => {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
  });
  try {
    const load = (s: number) =>
      runWrk({
        url: `http://127.0.0.1:${port}/json`,
        seconds: s,
        connections: Number(values.connections),
        threads: 1,
        cpu: '1',
      });
    await load(warmup);
    const before = cpuTime(server.child.pid!);
    const linesBefore = lines;
    const result = await load(seconds);
    const after = cpuTime(server.child.pid!);
    const ms = after && before ? after.userMs + after.systemMs - before.userMs - before.systemMs : Number.NaN;
    results[level].rps.push(result.requestsPerSec);
    results[level].cpuUs.push((ms * 1000) / result.requests);
    results[level].lines.push((lines - linesBefore) / result.requests);
  } finally {
    await stopProcess(server.child);
  }
}

for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? LEVELS : [...LEVELS].reverse();
  for (const level of order) await measure(level);
  console.log(
    `round ${round + 1}/${rounds}: ${LEVELS.map((l) => `${l} ${Math.round(results[l].rps.at(-1)!)} req/s`).join(', ')}`,
  );
}

const rps = (l: Level) => median(results[l].rps);
const cpu = (l: Level) => median(results[l].cpuUs);
console.log(`\nGET /json, VOLT_ENV=production, medians of ${rounds} alternating rounds\n`);
console.log(
  textTable(
    [
      ['LOG_LEVEL', 'req/s', 'min–max', 'CPU µs/req', 'lines/req'],
      ...LEVELS.map((l) => [
        l,
        String(Math.round(rps(l))),
        `${Math.round(Math.min(...results[l].rps))}–${Math.round(Math.max(...results[l].rps))}`,
        cpu(l).toFixed(1),
        median(results[l].lines).toFixed(2),
      ]),
    ],
    [false, true, true, true, true],
  ),
);
const ratios = results.info.rps.map((r, i) => r / results.silent.rps[i]!);
const ratio = rps('info') / rps('silent');
console.log(
  `\ninfo ÷ silent: ${ratio.toFixed(2)}× (per round ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}); ` +
    `bar ≥ 0.8×: ${ratio >= 0.8 ? 'MET' : 'MISSED'}; logging costs ${(cpu('info') - cpu('silent')).toFixed(1)} µs of CPU a request`,
);
