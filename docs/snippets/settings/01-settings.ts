import assert from 'node:assert/strict';
import { loadSettings, SettingsError } from 'voltjs';

// Settings come from the environment (and `.env`); here an explicit object stands in for both.
const settings = loadSettings({
  env: { PORT: '3000', ALLOWED_HOSTS: 'api.example.com, example.com' },
  envFile: false,
});
assert.equal(settings.port, 3000);
assert.deepEqual(settings.allowedHosts, ['api.example.com', 'example.com']);

// Every bad value is named in one error, before the app starts.
try {
  loadSettings({ env: { VOLT_ENV: 'production', DEBUG: 'true', PORT: 'eighty' }, envFile: false });
  assert.fail('production with DEBUG on must not start');
} catch (error) {
  assert.ok(error instanceof SettingsError);
  assert.deepEqual(error.problems, [
    'PORT must be a whole number from 0 to 65535, got "eighty"',
    'DEBUG must be off when VOLT_ENV=production',
    'SECRET_KEY is not set; production needs a random key of 50+ characters',
  ]);
  // Each problem has a stable code too (docs/reference/errors.md): match on it, not on the text.
  assert.deepEqual(
    error.issues.map((issue) => [issue.code, issue.setting]),
    [
      ['VOLT_SETTINGS_INVALID_VALUE', 'PORT'],
      ['VOLT_SETTINGS_DEBUG_IN_PRODUCTION', 'DEBUG'],
      ['VOLT_SETTINGS_WEAK_SECRET_KEY', 'SECRET_KEY'],
    ],
  );
}
