/**
 * The auth app's packaged migrations and post-migrate hook, as an app installing `auth()` hands
 * them to the loader and to `migrate()`: for tests that migrate without building an app.
 */
import { auth } from '../../src/auth/auth.ts';
import type { NamedPostMigrateHook } from '../../src/orm/migrations/post-migrate.ts';
import { migrationSources } from '../../src/orm/migrations/sources.ts';

const users = auth();

/** Auth's migrations folder, for `loadMigrations(root, { packaged: AUTH_PACKAGED })`. */
export const AUTH_PACKAGED = migrationSources([{ app: 'auth', folder: users.migrations! }]);

/** Auth's post-migrate hook (the permission rows), for `migrate(db, migrations, { hooks: AUTH_HOOKS })`. */
export const AUTH_HOOKS: NamedPostMigrateHook[] = [['auth', users.postMigrate!]];
