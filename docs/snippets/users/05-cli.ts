import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { volt } from 'voltjs';
import { auth, User, verifyPassword } from 'voltjs/auth';
import { query } from 'voltjs/orm';

// run(…): `volt <args>` in the example project (project/app.ts), on a fresh SQLite file.
const data = mkdtempSync(join(tmpdir(), 'volt-users-'));
const url = `sqlite:${join(data, 'app.db')}`;
const cli = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
const run = (args: string[], options: { env?: Record<string, string>; input?: string } = {}) =>
  execFileSync(process.execPath, ['--conditions=volt-source', cli, ...args], {
    cwd: join(import.meta.dirname, 'project'),
    env: { ...process.env, DATABASE_URL: url, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
  });

try {
  run(['migrate']); // the auth tables, and the permission rows

  // In a script or a container: nothing asked, everything from flags and variables.
  const created = run(
    ['createsuperuser', '--no-input', '--username', 'admin', '--email', 'admin@example.com'],
    {
      env: { VOLT_SUPERUSER_PASSWORD: 'plum-orbit-gazette-41' },
    },
  );
  assert.equal(created, 'Superuser created successfully.\n');

  // Interactive: the answers, one a line (typed on a terminal, where passwords are not echoed).
  const changed = run(['changepassword', 'admin'], {
    input: 'quiet-meadow-sparrow-8\nquiet-meadow-sparrow-8\n',
  });
  assert.match(changed, /Password changed successfully for user 'admin'\.\n$/);

  // What the commands wrote, read through an app on the same database.
  const app = volt({ database: url, apps: [auth()], logger: false });
  await app.ready();
  const admin = await query(app.db, User).get({ username: 'admin' });
  assert.equal(admin.isSuperuser && admin.isStaff, true);
  assert.ok(await verifyPassword('quiet-meadow-sparrow-8', admin.password));
  await app.close();
} finally {
  rmSync(data, { recursive: true, force: true });
}
