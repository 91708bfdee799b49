/**
 * The pieces the one-page load benchmarks (bench/crud, bench/admin, bench/auth) share: their
 * flags checked into options, and the table of a run's medians and ratios.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LoadCell, type LoadMeasurement, loadRows, stallLine } from '../../bench/harness/load.ts';
import { loadOptions, loadUsage } from '../../bench/harness/options.ts';

const SERVERS = ['volt', 'raw', 'django'] as const;
const DEFAULTS = { rounds: 5, out: 'bench/results/x-latest.json' };

function measurement(requestsPerSec: number, cpu: number, stall: number): LoadMeasurement {
  return {
    requestsPerSec,
    latencyMs: { p50: 10, p75: 12, p90: 15, p99: 20 },
    requests: requestsPerSec * 5,
    non2xx: 0,
    socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
    cpuUsPerRequest: cpu,
    stall,
  };
}

describe('bench harness: load options', () => {
  test('no flags: the runner defaults, every server in its order', () => {
    assert.deepEqual(loadOptions({}, SERVERS, DEFAULTS), {
      rounds: 5,
      seconds: 5,
      warmupSeconds: 1,
      connections: 64,
      servers: ['volt', 'raw', 'django'],
      serverCpu: '0',
      clientCpu: '1',
      out: 'bench/results/x-latest.json',
    });
  });

  test('flags are checked; --only keeps the canonical order', () => {
    const options = loadOptions(
      { rounds: '2', duration: '1m', warmup: '0', only: 'django,volt', out: '/tmp/x.json' },
      SERVERS,
      DEFAULTS,
    );
    assert.deepEqual(
      [options.rounds, options.seconds, options.warmupSeconds, options.servers, options.out],
      [2, 60, 0, ['volt', 'django'], '/tmp/x.json'],
    );
    assert.throws(
      () => loadOptions({ rounds: '0' }, SERVERS, DEFAULTS),
      /--rounds must be a whole number ≥ 1/,
    );
    assert.throws(
      () => loadOptions({ duration: '0.5s' }, SERVERS, DEFAULTS),
      /--duration must be whole seconds/,
    );
    assert.throws(() => loadOptions({ only: 'fastapi' }, SERVERS, DEFAULTS), /--only: unknown fastapi/);
  });

  test('the usage names the defaults, the servers and the extra flags', () => {
    const usage = loadUsage('npm run bench:x', SERVERS, DEFAULTS, ['  --no-index            no index']);
    assert.match(usage, /^Usage: npm run bench:x -- \[options\]/);
    assert.match(usage, /--rounds <5>/);
    assert.match(usage, /--no-index/);
    assert.match(usage, /servers, comma-separated: volt,raw,django/);
    assert.match(usage, /bench\/results\/x-latest\.json/);
  });
});

describe('bench harness: a run table', () => {
  const cell = (server: string, rounds: LoadMeasurement[], rps: number, cpuUs: number): LoadCell<string> => ({
    server,
    rounds,
    rps,
    p50: 10,
    p99: 20,
    cpuUs,
    errors: 0,
  });
  const volt = cell('volt', [measurement(800, 1200, 0.05), measurement(600, 1500, 0.1)], 700, 1350);
  const raw = cell('raw', [measurement(1000, 900, 0.02), measurement(1000, 950, 0.04)], 1000, 925);

  test('ratios of the subject over each server, median and per round, and CPU ratios', () => {
    const rows = loadRows([volt, raw], (s) => s.toUpperCase(), volt);
    assert.equal(rows[0]![4], 'VOLT ÷ server');
    assert.deepEqual(rows[1]!.slice(0, 1).concat(rows[1]!.slice(4, 9)), [
      'VOLT',
      '1.00×',
      '',
      '1350 µs',
      '1.00×',
      '0',
    ]);
    assert.deepEqual(rows[2]!.slice(4, 8), ['0.70×', '0.80 0.60', '925 µs', '0.69×']);
  });

  test('without a subject the ratios are blank', () => {
    const rows = loadRows([raw], (s) => s, undefined, 'Volt');
    assert.equal(rows[0]![4], 'Volt ÷ server');
    assert.equal(rows[1]![4], '–');
  });

  test('the stall line gives the median and the max; nothing without measurements', () => {
    assert.equal(stallLine([volt, raw]), 'CPU stall (Linux PSI) during the measurements: median 5%, max 10%');
    assert.equal(stallLine([]), '');
  });
});
