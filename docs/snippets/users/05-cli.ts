import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { User, verifyPassword } from 'volt/auth';
import { connect, query } from 'volt/orm';

// `volt <args>` in the example project (project/app.ts), on a fresh SQLite file.
const data = mkdtempSync(join(tmpdir(), 'volt-users-'));
const url = `sqlite:${join(data, 'app.db')}`;
const cli = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
const volt = (args: string[], options: { env?: Record<string, string>; input?: string } = {}) =>
  execFileSync(process.execPath, ['--conditions=volt-source', cli, ...args], {
    cwd: join(import.meta.dirname, 'project'),
    env: { ...process.env, DATABASE_URL: url, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
  });

try {
  volt(['migrate']); // the auth tables, and the permission rows

  // In a script or a container: nothing asked, everything from flags and variables.
  const created = volt(
    ['createsuperuser', '--no-input', '--username', 'admin', '--email', 'admin@example.com'],
    {
      env: { VOLT_SUPERUSER_PASSWORD: 'plum-orbit-gazette-41' },
    },
  );
  assert.equal(created, 'Superuser created successfully.\n');

  // Interactive: the answers, one a line (typed on a terminal, where passwords are not echoed).
  const changed = volt(['changepassword', 'admin'], {
    input: 'quiet-meadow-sparrow-8\nquiet-meadow-sparrow-8\n',
  });
  assert.match(changed, /Password changed successfully for user 'admin'\.\n$/);

  const db = await connect(url);
  const admin = await query(db, User).get({ username: 'admin' });
  assert.equal(admin.isSuperuser && admin.isStaff, true);
  assert.ok(await verifyPassword('quiet-meadow-sparrow-8', admin.password));
  await db.close();
} finally {
  rmSync(data, { recursive: true, force: true });
}
