/**
 * API tokens: shown once, stored as a hash, verified by hash, expiring, revocable per user.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Token } from '../../src/auth/models.ts';
import {
  createToken,
  listTokens,
  revokeToken,
  revokeUserTokens,
  verifyToken,
} from '../../src/auth/tokens.ts';
import { createTables } from '../../src/orm/ddl.ts';
import { ValidationError } from '../../src/orm/query/errors.ts';
import { query } from '../../src/orm/query/queryset.ts';
import { forEachDialect } from '../../src/testing/database.ts';
import { countQueries } from '../../src/testing/queries.ts';

forEachDialect((_dialect, open) => {
  async function setup(t: { after: (fn: () => Promise<void>) => void }) {
    const db = await open();
    t.after(() => db.close());
    await createTables(db, [Token]);
    return db;
  }

  test('a new token is volt_ and 43 base64url characters; only its SHA-256 is stored', async (t) => {
    const db = await setup(t);
    const { token, record } = await createToken(db, 7, { name: 'CI' });
    assert.match(token, /^volt_[A-Za-z0-9_-]{43}$/);
    assert.equal(record.prefix, token.slice(0, 12));
    assert.equal(record.userId, '7');
    assert.equal(record.name, 'CI');
    assert.equal(record.expiresAt, null);
    assert.ok(!('keyHash' in record));
    const rows = await db.all<Record<string, unknown>>('select * from auth_token');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.key_hash, createHash('sha256').update(token).digest('hex'));
    assert.ok(!JSON.stringify(rows).includes(token));
    const other = await createToken(db, 7, { name: 'CI' });
    assert.notEqual(other.token, token);
  });

  test('verifyToken returns the record of a valid token', async (t) => {
    const db = await setup(t);
    const { token, record } = await createToken(db, 'ada', { name: 'laptop', expiresIn: 3600 });
    const verified = await verifyToken(db, token);
    assert.equal(verified?.id, record.id);
    assert.equal(verified?.userId, 'ada');
    assert.ok(verified?.lastUsed instanceof Date);
    assert.ok(!('keyHash' in verified!));
  });

  test('unknown, malformed, too long and non-string tokens are undefined', async (t) => {
    const db = await setup(t);
    const { token } = await createToken(db, 1, { name: 'x' });
    const counter = countQueries(db);
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    assert.equal(await verifyToken(counter.db, flipped), undefined);
    assert.equal(counter.count, 1);
    counter.reset();
    for (const bad of [
      '',
      token.slice(5),
      `${token}x`,
      `${token}${'x'.repeat(10_000)}`,
      token.replace('volt_', 'VOLT_'),
      `${token.slice(0, -1)}=`,
      undefined,
      42,
    ])
      assert.equal(await verifyToken(counter.db, bad), undefined);
    assert.equal(counter.count, 0, 'a malformed token never reaches the database');
  });

  test('an expired token is undefined', async (t) => {
    const db = await setup(t);
    const { token, record } = await createToken(db, 1, { name: 'short', expiresIn: 60 });
    assert.ok(await verifyToken(db, token));
    await query(db, Token)
      .filter({ id: record.id })
      .update({ expiresAt: new Date(Date.now() - 1) });
    assert.equal(await verifyToken(db, token), undefined);
  });

  test('lastUsed is written at most once a minute', async (t) => {
    const db = await setup(t);
    const { token, record } = await createToken(db, 1, { name: 'x' });
    const counter = countQueries(db);
    const first = await verifyToken(counter.db, token);
    assert.equal(counter.count, 2, 'a lookup and the lastUsed update');
    counter.reset();
    const second = await verifyToken(counter.db, token);
    assert.equal(counter.count, 1, 'a lookup only');
    assert.equal(second?.lastUsed?.getTime(), first?.lastUsed?.getTime());
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await query(db, Token).filter({ id: record.id }).update({ lastUsed: twoMinutesAgo });
    const third = await verifyToken(db, token);
    assert.ok(third!.lastUsed!.getTime() > twoMinutesAgo.getTime() + 60_000);
    const [stored] = await query(db, Token).filter({ id: record.id }).values('lastUsed');
    assert.equal(stored?.lastUsed?.getTime(), third?.lastUsed?.getTime());
  });

  test('listTokens lists one user’s tokens, newest first, without hashes', async (t) => {
    const db = await setup(t);
    const a = await createToken(db, 1, { name: 'first' });
    const b = await createToken(db, 1, { name: 'second' });
    await createToken(db, 2, { name: 'other user' });
    const list = await listTokens(db, 1);
    assert.deepEqual(
      list.map((r) => r.id),
      [b.record.id, a.record.id],
    );
    for (const record of list)
      assert.deepEqual(Object.keys(record).sort(), [
        'created',
        'expiresAt',
        'id',
        'lastUsed',
        'name',
        'prefix',
        'userId',
      ]);
    assert.deepEqual(await listTokens(db, 3), []);
  });

  test('revokeToken deletes only the user’s own token', async (t) => {
    const db = await setup(t);
    const mine = await createToken(db, 1, { name: 'mine' });
    const theirs = await createToken(db, 2, { name: 'theirs' });
    assert.equal(await revokeToken(db, 1, theirs.record.id), false);
    assert.ok(await verifyToken(db, theirs.token));
    assert.equal(await revokeToken(db, '1', String(mine.record.id)), true);
    assert.equal(await verifyToken(db, mine.token), undefined);
    assert.equal(await revokeToken(db, 1, mine.record.id), false);
    assert.equal(await revokeToken(db, 1, 'abc'), false);
    assert.equal(await revokeToken(db, 1, '99999999999999999999'), false);
  });

  test('revokeUserTokens deletes every token of a user and says how many', async (t) => {
    const db = await setup(t);
    const a = await createToken(db, 1, { name: 'a' });
    await createToken(db, 1, { name: 'b' });
    const other = await createToken(db, 2, { name: 'c' });
    assert.equal(await revokeUserTokens(db, 1), 2);
    assert.equal(await verifyToken(db, a.token), undefined);
    assert.ok(await verifyToken(db, other.token));
  });

  test('a bad name or expiresIn is a validation error', async (t) => {
    const db = await setup(t);
    for (const expiresIn of [0, -5, Number.POSITIVE_INFINITY, Number.NaN])
      await assert.rejects(createToken(db, 1, { name: 'x', expiresIn }), (error) => {
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(error.errors[0]?.loc, ['expiresIn']);
        return true;
      });
    await assert.rejects(createToken(db, 1, { name: 'x'.repeat(101) }), (error) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.errors[0]?.loc, ['name']);
      return true;
    });
    assert.equal(await query(db, Token).count(), 0);
  });
});
