/**
 * The admin's packaged migration: brought by the apps that install admin(), and matching its
 * models (the history and the saved list settings), so makemigrations has nothing to make.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Change, ListSetting } from '../../src/admin/history.ts';
import { admin } from '../../src/admin/site.ts';
import { auth } from '../../src/auth/auth.ts';
import { detectChanges } from '../../src/orm/migrations/autodetector.ts';
import { orderMigrations } from '../../src/orm/migrations/graph.ts';
import { loadMigrations } from '../../src/orm/migrations/loader.ts';
import { NonInteractiveQuestioner } from '../../src/orm/migrations/questioner.ts';
import { migrationSources } from '../../src/orm/migrations/sources.ts';
import { ProjectState } from '../../src/orm/migrations/state.ts';
import { volt } from '../../src/volt.ts';

const base = mkdtempSync(join(tmpdir(), 'volt-admin-migrations-'));
after(() => rmSync(base, { recursive: true, force: true }));

test('an app installing admin() brings its migrations folder', () => {
  const app = volt({ apps: [auth(), admin()], logger: false, envFile: false, database: false });
  const source = app.migrationSources().find((s) => s.app === 'admin');
  assert.equal(source?.folder, join(import.meta.dirname, '..', '..', 'src', 'admin', 'migrations'));
});

test('the admin models and their packaged migration agree: there is nothing to make', async () => {
  const packaged = migrationSources([{ app: 'admin', folder: admin().migrations! }]);
  const from = ProjectState.fromMigrations(
    orderMigrations(await loadMigrations(join(base, 'none'), { packaged })),
  );
  const changes = await detectChanges(
    from,
    ProjectState.fromModels([Change, ListSetting]),
    new NonInteractiveQuestioner(),
    {
      apps: ['admin'],
    },
  );
  assert.equal(
    changes.size,
    0,
    [...changes.values()]
      .flat()
      .map((o) => o.describe())
      .join('\n'),
  );
});
