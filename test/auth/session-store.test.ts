/**
 * Session stores: one behaviour suite run against the database (SQLite and PostgreSQL), memory
 * and Redis stores, plus what is particular to each.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { Session } from '../../src/auth/models.ts';
import { RedisSessionStore } from '../../src/auth/redis-session-store.ts';
import {
  DatabaseSessionStore,
  MemorySessionStore,
  type SessionRecord,
  type SessionStore,
  sessionKey,
} from '../../src/auth/session-store.ts';
import { Sessions } from '../../src/auth/sessions.ts';
import { loadSettings } from '../../src/http/settings.ts';
import { createTables } from '../../src/orm/ddl.ts';
import type { NodeRedisCommands } from '../../src/security/redis-client.ts';
import { forEachDialect } from '../../src/testing/database.ts';
import { REDIS_SKIP, REDIS_URL } from '../redis.ts';

type Context = { after: (fn: () => unknown) => void };
type OpenStore = (t: Context) => Promise<SessionStore>;

const key = () => sessionKey(randomBytes(32).toString('base64url'));
const HOUR = 3_600_000;

function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = Date.now();
  return {
    userId: '1',
    data: { cart: [1, 2], theme: 'dark' },
    expiresAt: now + HOUR,
    lastSeen: now,
    ...overrides,
  };
}

/**
 * The behaviour every store shares. `countsExpired`: clearExpired() returns the number of
 * expired sessions (Redis expires them itself and counts only the index entries it prunes).
 */
function behavesLikeASessionStore(open: OpenStore, { countsExpired = true } = {}): void {
  test('stores, replaces and returns records', async (t) => {
    const store = await open(t);
    const k = key();
    assert.equal(await store.get(k), undefined);
    const first = record({ userId: null, data: { nested: { list: ['a', 1, true, null] } } });
    await store.set(k, first);
    assert.deepEqual(await store.get(k), first);
    const second = record({ userId: '42', data: { step: 2 } });
    await store.set(k, second);
    assert.deepEqual(await store.get(k), second);
  });

  test('keeps a copy: changing a record after set or get changes nothing stored', async (t) => {
    const store = await open(t);
    const k = key();
    const original = record();
    await store.set(k, original);
    (original.data.cart as number[]).push(3);
    const read = await store.get(k);
    (read!.data.cart as number[]).push(4);
    assert.deepEqual((await store.get(k))?.data.cart, [1, 2]);
  });

  test('never returns an expired record', async (t) => {
    const store = await open(t);
    const k = key();
    await store.set(k, record({ expiresAt: Date.now() - 1 }));
    assert.equal(await store.get(k), undefined);
    const soon = key();
    const expiresAt = Date.now() + 300;
    await store.set(soon, record({ expiresAt }));
    const before = await store.get(soon);
    // On a busy machine the read may itself end after the expiry: only then may it miss.
    if (Date.now() < expiresAt) assert.ok(before);
    await sleep(Math.max(0, expiresAt - Date.now()) + 30);
    assert.equal(await store.get(soon), undefined);
  });

  test('destroy deletes one session, and accepts a key that is not there', async (t) => {
    const store = await open(t);
    const [a, b] = [key(), key()];
    await store.set(a, record());
    await store.set(b, record());
    await store.destroy(a);
    await store.destroy(key());
    assert.equal(await store.get(a), undefined);
    assert.ok(await store.get(b));
  });

  test('destroyUser deletes every session of the user but the one kept', async (t) => {
    const store = await open(t);
    const [a1, a2, a3, b1, anon] = [key(), key(), key(), key(), key()];
    for (const k of [a1, a2, a3]) await store.set(k, record({ userId: '7' }));
    await store.set(b1, record({ userId: '8' }));
    await store.set(anon, record({ userId: null }));
    await store.destroyUser('7', { except: a2 });
    assert.equal(await store.get(a1), undefined);
    assert.equal(await store.get(a3), undefined);
    assert.ok(await store.get(a2));
    assert.ok(await store.get(b1));
    assert.ok(await store.get(anon));
    await store.destroyUser('7');
    assert.equal(await store.get(a2), undefined);
  });

  test('a session that changes user is no longer one of the old user’s', async (t) => {
    const store = await open(t);
    const k = key();
    await store.set(k, record({ userId: '7' }));
    await store.set(k, record({ userId: '8' }));
    await store.destroyUser('7');
    assert.equal((await store.get(k))?.userId, '8');
    await store.destroyUser('8');
    assert.equal(await store.get(k), undefined);
  });

  test('clearExpired removes expired sessions and says how many', async (t) => {
    const store = await open(t);
    const [old1, old2, alive] = [key(), key(), key()];
    await store.set(old1, record({ userId: '5', expiresAt: Date.now() + 30 }));
    await store.set(old2, record({ userId: '6', expiresAt: Date.now() + 30 }));
    await store.set(alive, record({ userId: '5' }));
    await sleep(50);
    const removed = await store.clearExpired();
    if (countsExpired) assert.equal(removed, 2);
    assert.equal(await store.clearExpired(), 0);
    assert.equal(await store.get(old1), undefined);
    assert.ok(await store.get(alive));
    await store.destroyUser('5');
    assert.equal(await store.get(alive), undefined);
  });

  test('the idle-timeout touch writes only the time: a save made meanwhile by another request stays', async (t) => {
    const inner = await open(t);
    let meanwhile: (() => Promise<void>) | undefined;
    // The store as the request sees it: another request saves the session just after this one read it.
    const store: SessionStore = {
      get: async (k) => {
        const read = await inner.get(k);
        const other = meanwhile;
        meanwhile = undefined;
        await other?.();
        return read;
      },
      set: (k, r) => inner.set(k, r),
      destroy: (k) => inner.destroy(k),
      destroyUser: (id, options) => inner.destroyUser(id, options),
      clearExpired: () => inner.clearExpired(),
      ...(inner.touch ? { touch: (k: string, at: number) => inner.touch!(k, at) } : {}),
    };
    const settings = loadSettings({ env: {}, envFile: false, overrides: { sessionIdleTimeout: 3600 } });
    const sessions = new Sessions(store, settings);
    let cookie = '';
    const reply = { header: (_: string, value: string) => (cookie = value.split(';')[0]!) };
    const { key } = await sessions.rotate({ headers: {} } as never, reply as never, '7', { theme: 'dark' });
    const started = (await inner.get(key!))!;
    // Two minutes idle: the next request writes lastSeen back.
    await inner.set(key!, { ...started, lastSeen: started.lastSeen - 120_000 });
    meanwhile = async () => {
      const current = (await inner.get(key!))!;
      await inner.set(key!, { ...current, data: { ...current.data, cart: ['saved meanwhile'] } });
    };
    const loaded = await sessions.load({ headers: { cookie } } as never);
    assert.ok(loaded.record, 'the session is live');
    const stored = (await inner.get(key!))!;
    assert.deepEqual(stored.data.cart, ['saved meanwhile']);
    assert.equal(stored.data.theme, 'dark');
    assert.ok(stored.lastSeen >= started.lastSeen, 'lastSeen was written');
  });

  test('touch sets lastSeen only, and leaves a missing session missing', async (t) => {
    const store = await open(t);
    assert.ok(store.touch, 'the store has touch()');
    const k = key();
    const original = record({ data: { a: 'x,"lastSeen":1}', nested: { lastSeen: 5 } }, lastSeen: 1000 });
    await store.set(k, original);
    await store.touch(k, 5000);
    assert.deepEqual(await store.get(k), { ...original, lastSeen: 5000 });
    const none = key();
    await store.touch(none, 5000);
    assert.equal(await store.get(none), undefined);
  });

  test('refuses a key that is not a SHA-256 hex digest, and a malformed record', async (t) => {
    const store = await open(t);
    await assert.rejects(store.get('raw-cookie-id'), /SHA-256 hex of the cookie id/);
    await assert.rejects(store.set('A'.repeat(64), record()), /SHA-256 hex/);
    await assert.rejects(store.destroy(''), /SHA-256 hex/);
    await assert.rejects(
      store.set(key(), record({ userId: 42 as never })),
      /userId must be a non-empty string or null/,
    );
    await assert.rejects(store.set(key(), record({ userId: '' })), /userId must be a non-empty string/);
    await assert.rejects(store.set(key(), record({ expiresAt: Number.NaN })), /expiresAt must be a time/);
    await assert.rejects(store.set(key(), record({ data: [] as never })), /data must be a plain object/);
  });
}

test('sessionKey is the SHA-256 hex of the cookie id', () => {
  assert.equal(sessionKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

describe('DatabaseSessionStore', () => {
  forEachDialect((_dialect, openDb) => {
    async function open(t: Context) {
      const db = await openDb();
      t.after(() => db.close());
      await createTables(db, [Session]);
      return new DatabaseSessionStore(() => db);
    }
    behavesLikeASessionStore(open);

    test('stores one row per session, with the hashed key only', async (t) => {
      const db = await openDb();
      t.after(() => db.close());
      await createTables(db, [Session]);
      const store = new DatabaseSessionStore(db);
      const k = key();
      await store.set(k, record());
      await store.set(k, record({ data: { again: true } }));
      const rows = await db.all<{ key: string }>('select key from auth_session');
      assert.deepEqual(rows, [{ key: k }]);
    });
  });
});

describe('MemorySessionStore', () => {
  behavesLikeASessionStore(async () => new MemorySessionStore());

  test('set sweeps expired records once per interval, keeping memory bounded', async () => {
    const store = new MemorySessionStore({ sweepInterval: 0.02 });
    for (let i = 0; i < 5; i++) await store.set(key(), record({ expiresAt: Date.now() + 10 }));
    assert.equal(store.size, 5);
    await sleep(30);
    await store.set(key(), record());
    assert.equal(store.size, 1);
  });
});

describe('RedisSessionStore', { skip: REDIS_SKIP }, () => {
  async function client(t: Context) {
    const redis = createClient({ url: REDIS_URL ?? '' });
    redis.on('error', () => {});
    await redis.connect();
    const prefix = `volt-test:${randomBytes(6).toString('hex')}:`;
    t.after(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(keys);
      redis.destroy();
    });
    return { redis, prefix };
  }

  behavesLikeASessionStore(
    async (t) => {
      const { redis, prefix } = await client(t);
      return new RedisSessionStore(redis, { prefix });
    },
    { countsExpired: false },
  );

  test('clearExpired prunes the user index entries of expired sessions', async (t) => {
    const { redis, prefix } = await client(t);
    const store = new RedisSessionStore(redis, { prefix });
    const [old, alive] = [key(), key()];
    await store.set(old, record({ userId: '5', expiresAt: Date.now() + 30 }));
    await store.set(alive, record({ userId: '5' }));
    await sleep(50);
    assert.equal(await redis.exists(`${prefix}s:${old}`), 0);
    assert.equal(await store.clearExpired(), 1);
    assert.deepEqual(await redis.zRange(`${prefix}u:5`, 0, -1), [alive]);
  });

  test('keys carry a TTL from expiresAt, and the user index expires with the last session', async (t) => {
    const { redis, prefix } = await client(t);
    const store = new RedisSessionStore(redis, { prefix });
    const k = key();
    const expiresAt = Date.now() + HOUR;
    await store.set(k, record({ userId: '9', expiresAt }));
    assert.equal(await redis.pExpireTime(`${prefix}s:${k}`), expiresAt);
    assert.equal(await redis.pExpireTime(`${prefix}u:9`), expiresAt);
    // An expired record is not written at all.
    const gone = key();
    await store.set(gone, record({ userId: '9', expiresAt: Date.now() - 1 }));
    assert.equal(await redis.exists(`${prefix}s:${gone}`), 0);
    assert.deepEqual(await redis.zRange(`${prefix}u:9`, 0, -1), [k]);
  });

  test('works through any client with sendCommand, and reloads its scripts when Redis forgot them', async (t) => {
    const { redis, prefix } = await client(t);
    const seen: string[] = [];
    const minimal: NodeRedisCommands = {
      sendCommand: (args) => {
        seen.push(args[0]!);
        return redis.sendCommand(args);
      },
    };
    const store = new RedisSessionStore(minimal, { prefix });
    await redis.sendCommand(['SCRIPT', 'FLUSH']);
    const k = key();
    await store.set(k, record());
    await store.set(k, record());
    assert.deepEqual(seen, ['EVALSHA', 'EVAL', 'EVALSHA']);
    assert.ok(await store.get(k));
  });

  test('refuses a client without sendCommand', () => {
    assert.throws(
      () => new RedisSessionStore({} as never),
      /needs a connected Redis client of redis \(node-redis\) or ioredis/,
    );
  });
});
