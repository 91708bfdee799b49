/**
 * Volt with `volt/auth` on the benchmark's SQLite file (`DATABASE_URL`): `GET /me` guarded by
 * `auth.requireUser` (a bearer API token or the session cookie), `GET /open` with no guard, and
 * Volt's auth routes (the benchmark logs in once through `/auth/login`).
 *
 * Usage: `PORT=3000 SECRET_KEY=… DATABASE_URL=sqlite:/tmp/…/auth.db node --conditions=volt-source bench/auth/servers/volt.ts`
 */
import { t, volt } from 'voltjs';
import { auth as users } from 'voltjs/auth';

process.env.LOG_LEVEL ??= 'silent';

// The database is DATABASE_URL, opened at startup by the app.
const auth = users();
const app = volt({ apps: [auth] });
const Me = t.Object({ id: t.Integer(), username: t.String() });

app.get('/me', { deps: { user: auth.requireUser }, response: { 200: Me } }, (ctx) => ({
  id: Number(ctx.deps.user.row.id),
  username: ctx.deps.user.row.username as string,
}));

app.get('/open', { response: { 200: Me } }, () => ({ id: 0, username: 'anonymous' }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });
