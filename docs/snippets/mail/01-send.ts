import assert from 'node:assert/strict';
import { loadSettings } from 'voltjs';
import { MailMessageError, MemoryMailBackend, mailBackendFromSettings, sendMail } from 'voltjs/auth';

// EMAIL_BACKEND picks the backend; tests use `memory`, whose outbox holds what was sent.
const settings = loadSettings({
  env: { EMAIL_BACKEND: 'memory', DEFAULT_FROM_EMAIL: 'Shop <shop@example.com>' },
  envFile: false,
});
const mail = mailBackendFromSettings(settings);
assert.ok(mail instanceof MemoryMailBackend);
const options = { defaultFrom: settings.defaultFromEmail };

await sendMail(
  mail,
  { to: ['Ada Lovelace <ada@example.com>'], subject: 'Your order shipped', text: 'It arrives on Friday.' },
  options,
);
assert.equal(mail.outbox.length, 1);
assert.equal(mail.outbox[0]?.from, 'Shop <shop@example.com>');

// A line break in a header (header injection) or an invalid address is refused before anything
// is sent: a 422 problem if it escapes a handler, naming the field.
const subject = 'Hello\r\nBcc: everyone@example.com';
await assert.rejects(sendMail(mail, { to: ['ada@example.com'], subject, text: '…' }, options), (error) => {
  assert.ok(error instanceof MailMessageError);
  assert.equal(error.status, 422);
  assert.deepEqual(error.errors, [
    { loc: ['subject'], msg: 'must not contain line breaks (CR, LF) or NUL', type: 'header_injection' },
  ]);
  return true;
});
await assert.rejects(
  sendMail(mail, { to: ['ada@'], subject: 'Hi', text: '…' }, options),
  /to\.0: must be an email address like user@example\.com, got "ada@"/,
);
assert.equal(mail.outbox.length, 1);
