import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { MailDeliveryError, SmtpMailBackend, sendMail } from 'voltjs/auth';

// A local SMTP server standing in for the real one (smtp-server, a devDependency of Volt).
const received: string[] = [];
const server = new SMTPServer({
  disabledCommands: ['STARTTLS'],
  allowInsecureAuth: true,
  logger: false,
  onAuth: (auth, _session, done) =>
    auth.username === 'app' && auth.password === 's3cret/!'
      ? done(null, { user: 'app' })
      : done(new Error('Bad login')),
  onData(stream, session, done) {
    stream.resume();
    stream.on('end', () => {
      received.push(...session.envelope.rcptTo.map((r) => r.address));
      done();
    });
  },
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.server.address() as { port: number };

// EMAIL_URL: smtp:// (STARTTLS when offered) or smtps:// (TLS); user and password URL-encoded.
const mail = new SmtpMailBackend(`smtp://app:${encodeURIComponent('s3cret/!')}@127.0.0.1:${port}`);
await sendMail(
  mail,
  { to: ['ada@example.com'], bcc: ['audit@example.com'], subject: 'Welcome', text: 'Hello Ada' },
  { defaultFrom: 'shop@example.com' },
);
assert.deepEqual(received, ['ada@example.com', 'audit@example.com']);

// A wrong password, an unreachable server… are a MailDeliveryError saying what to check.
const wrong = new SmtpMailBackend({ host: '127.0.0.1', port, auth: { user: 'app', pass: 'nope' } });
await assert.rejects(
  wrong.send([{ from: 'shop@example.com', to: ['ada@example.com'], subject: 'x', text: '' }]),
  (error) => {
    assert.ok(error instanceof MailDeliveryError);
    assert.equal(error.reason, 'EAUTH');
    assert.match(error.message, /refused the login \(check the user and password in EMAIL_URL\)/);
    return true;
  },
);

mail.close();
wrong.close();
await new Promise<void>((resolve) => server.close(() => resolve()));
