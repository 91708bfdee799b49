/**
 * `estimatedCount()`: the planner's figure on PostgreSQL (no row read), the exact count on
 * SQLite; the filters of the query apply either way.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTables, f, model, query } from 'voltjs/orm';
import { createRegistry } from '../../../src/orm/registry.ts';
import { forEachDialect } from '../support.ts';

forEachDialect((dialect, open) => {
  test(`${dialect}: estimatedCount() is about the rows a query matches`, async (t) => {
    const db = await open();
    t.after(() => db.close());
    const registry = createRegistry();
    const Event = model('stats.Event', { kind: f.string({ maxLength: 10 }) }, { registry });
    await createTables(db, [Event]);
    await query(db, Event).bulkCreate(
      Array.from({ length: 2000 }, (_, i) => ({ kind: i % 4 === 0 ? 'click' : 'view' })),
    );
    await db.run(dialect === 'postgres' ? `analyze ${db.quoteIdentifier(Event.meta.table)}` : 'analyze', []);
    const all = await query(db, Event).estimatedCount();
    const clicks = await query(db, Event).filter({ kind: 'click' }).estimatedCount();
    if (dialect === 'sqlite') {
      assert.equal(all, 2000);
      assert.equal(clicks, 500);
    } else {
      // An estimate: close on an analyzed table.
      assert.ok(all > 1800 && all < 2200, String(all));
      assert.ok(clicks > 350 && clicks < 650, String(clicks));
    }
    assert.equal((await query(db, Event).filter({ kind: 'none' }).estimatedCount()) <= 1, true);
  });
});
