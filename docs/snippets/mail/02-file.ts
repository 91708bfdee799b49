import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMailBackend, sendMail } from 'voltjs/auth';

// EMAIL_BACKEND=file writes one .eml file per message into EMAIL_FILE_PATH (created if missing).
const folder = join(mkdtempSync(join(tmpdir(), 'mail-')), 'outbox');
const mail = new FileMailBackend(folder);
await sendMail(mail, {
  from: 'shop@example.com',
  to: ['ada@example.com'],
  subject: 'Reset your password',
  text: 'Open https://shop.example.com/reset/… within an hour.',
  html: '<p>Open <a href="https://shop.example.com/reset/…">this link</a> within an hour.</p>',
});

// RFC 5322 text, CRLF line ends: any mail client opens it.
const [file] = readdirSync(folder);
assert.match(file!, /\.eml$/);
const eml = readFileSync(join(folder, file!), 'utf8');
assert.match(eml, /^Subject: Reset your password\r$/m);
assert.match(eml, /^Content-Type: multipart\/alternative;/m);
rmSync(join(folder, '..'), { recursive: true });
