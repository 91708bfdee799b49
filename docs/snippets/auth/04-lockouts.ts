import assert from 'node:assert/strict';
import { volt } from 'voltjs';
import { auth, createUser, MemoryMailBackend, User } from 'voltjs/auth';
import { testClient } from 'voltjs/testing';

const app = volt({
  logger: false,
  database: 'sqlite::memory:',
  apps: [auth({ mail: new MemoryMailBackend() })],
});
const login = (client: ReturnType<typeof testClient>, password: string) =>
  client.post('/auth/login', { json: { username: 'ada', password } });

await app.ready();
await app.migrate();
await createUser(app.db, User, { username: 'ada', password: 'analytical engine 1843' });

// Ada's browser logged in before: it holds a device cookie naming her.
const adasBrowser = testClient(app, { cookieJar: true });
assert.equal((await login(adasBrowser, 'analytical engine 1843')).status, 200);
assert.ok(adasBrowser.cookies.has('volt_session_device'));

// Someone else guesses: five failures lock the username for every client without that cookie.
const attacker = testClient(app);
for (let i = 0; i < 5; i++) assert.equal((await login(attacker, `guess ${i}`)).status, 401);
const locked = await login(attacker, 'analytical engine 1843');
assert.equal(locked.status, 429);
assert.ok(Number(locked.headers['retry-after']) > 0);

// Days later her session has ended; her browser still has the device cookie. It is counted
// apart: the lockout does not keep her out.
adasBrowser.cookies.delete('volt_session');
assert.equal((await login(adasBrowser, 'analytical engine 1843')).status, 200);
await app.close();
