/**
 * How long a refused login takes for a known user (wrong password), an unknown username and an
 * account without a usable password, at Volt's default scrypt cost: the three must not be told
 * apart by their time (user enumeration). The tests check that the same hashing work is done;
 * this measures the time, which only a quiet machine can: many samples, the three kinds
 * interleaved so a busy moment hits all of them alike, medians and their ratios.
 *
 * Usage: node --conditions=volt-source bench/auth/login-timing.ts [--samples 40]
 */
import { parseArgs } from 'node:util';
import { volt } from 'voltjs';
import { auth, createUser, MemoryMailBackend, User } from 'voltjs/auth';
import { connect, loadMigrations, migrate } from 'voltjs/orm';
import { testClient } from 'voltjs/testing';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '40' } } });
const samples = Number(values.samples);
if (!Number.isSafeInteger(samples) || samples < 3) throw new Error('--samples must be a whole number ≥ 3');

const db = await connect('sqlite::memory:');
const users = auth({
  mail: new MemoryMailBackend(),
  loginLimits: { perUser: 1e9, perIp: 1e9, perDevice: 1e9 },
});
const app = volt({ logger: false, envFile: false, database: db, apps: [users] });
await migrate(db, await loadMigrations('/nonexistent', { packaged: app.migrationSources() }), {
  log: () => {},
});
await createUser(db, User, { username: 'known', password: 'the right passphrase 1' });
await createUser(db, User, { username: 'unusable', password: null });
const client = testClient(app);

const kinds = { known: 'known', unknown: '', unusable: 'unusable' } as const;
const times: Record<keyof typeof kinds, number[]> = { known: [], unknown: [], unusable: [] };
const login = async (username: string) => {
  const start = process.hrtime.bigint();
  const res = await client.post('/auth/login', { json: { username, password: 'a wrong guess' } });
  if (res.status !== 401) throw new Error(`expected 401, got ${res.status} ${res.text}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
await login('warm-up'); // the dummy hash is made on first use
for (let i = 0; i < samples; i++)
  for (const kind of Object.keys(kinds) as Array<keyof typeof kinds>)
    times[kind].push(await login(kinds[kind] || `ghost${i}`));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const known = median(times.known);
console.log(`refused logins, ${samples} samples each, default scrypt cost (N=2^15)`);
for (const kind of Object.keys(kinds) as Array<keyof typeof kinds>) {
  const m = median(times[kind]);
  console.log(`${kind.padEnd(9)} median ${m.toFixed(1).padStart(7)} ms   ÷ known ${(m / known).toFixed(2)}`);
}
await client.close();
await db.close();
