/**
 * Mail: messages are checked before anything is sent; console, file, memory and SMTP backends;
 * the backend chosen by the settings.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import {
  ConsoleMailBackend,
  type EmailMessage,
  FileMailBackend,
  MailDeliveryError,
  MailMessageError,
  MemoryMailBackend,
  mailBackendFromSettings,
  SmtpMailBackend,
  sendMail,
  smtpOptionsFromUrl,
} from '../../src/auth/mail/index.ts';

const message: EmailMessage = {
  from: 'Shop <shop@example.com>',
  to: ['ada@example.com'],
  cc: ['Grace Hopper <grace@example.com>'],
  bcc: ['audit@example.com'],
  replyTo: ['help@example.com'],
  subject: 'Your order ✓',
  text: 'Thanks, Ada.\nIt ships today.',
  html: '<p>Thanks, Ada.</p>',
  headers: { 'X-Order': '42' },
};

function refused(send: Promise<unknown>, loc: (string | number)[], type: string) {
  return assert.rejects(send, (error) => {
    assert.ok(error instanceof MailMessageError, String(error));
    assert.equal(error.status, 422);
    assert.equal(error.code, 'VOLT_MAIL_INVALID_MESSAGE');
    assert.deepEqual(
      error.errors?.map((e) => [e.loc, e.type]),
      [[loc, type]],
    );
    return true;
  });
}

describe('messages are checked before anything is sent', () => {
  test('a line break in the subject, an address or a header is refused as header injection', async () => {
    const mail = new MemoryMailBackend();
    await refused(
      sendMail(mail, { ...message, subject: 'Hi\r\nBcc: victim@example.com' }),
      ['subject'],
      'header_injection',
    );
    await refused(sendMail(mail, { ...message, subject: 'Hi\nthere' }), ['subject'], 'header_injection');
    await refused(
      sendMail(mail, { ...message, to: ['a@example.com\nBcc: b@example.com'] }),
      ['to', 0],
      'header_injection',
    );
    await refused(
      sendMail(mail, { ...message, from: 'Shop\r <shop@example.com>' }),
      ['from'],
      'header_injection',
    );
    await refused(
      sendMail(mail, { ...message, cc: ['ok@example.com', 'x@example.com\r'] }),
      ['cc', 1],
      'header_injection',
    );
    await refused(
      sendMail(mail, { ...message, headers: { 'X-A': 'b\r\nBcc: c@example.com' } }),
      ['headers', 'X-A'],
      'header_injection',
    );
    await refused(
      sendMail(mail, { ...message, headers: { 'X A:': 'b' } }),
      ['headers', 'X A:'],
      'header_name',
    );
    await refused(
      sendMail(mail, { ...message, headers: { bcc: 'c@example.com' } }),
      ['headers', 'bcc'],
      'header_reserved',
    );
    await refused(
      sendMail(mail, { ...message, headers: { 'Content-Type': 'text/html' } }),
      ['headers', 'Content-Type'],
      'header_reserved',
    );
    assert.deepEqual(mail.outbox, []);
  });

  test('invalid addresses are refused, naming the field', async () => {
    const mail = new MemoryMailBackend();
    for (const bad of [
      'ada',
      'ada@',
      '@example.com',
      'ada@exa mple.com',
      'a..b@example.com',
      'Ada <ada>',
      'ada@-x.com',
    ]) {
      await refused(sendMail(mail, { ...message, to: [bad] }), ['to', 0], 'email_address');
    }
    await refused(sendMail(mail, { ...message, replyTo: ['nope'] }), ['replyTo', 0], 'email_address');
    await refused(sendMail(mail, { ...message, to: [], cc: [], bcc: [] }), ['to'], 'missing');
    await refused(sendMail(mail, { to: ['ada@example.com'], subject: 'Hi', text: '' }), ['from'], 'missing');
    assert.deepEqual(mail.outbox, []);
    // Plain, named, quoted and local-domain addresses are fine.
    await sendMail(mail, {
      ...message,
      from: 'webmaster@localhost',
      to: ['"Lovelace, Ada" <ada+shop@example.co.uk>', 'zoe@exämple.de'],
    });
    assert.equal(mail.outbox.length, 1);
  });

  test('a batch with one bad message sends none of them, and names its index', async () => {
    const mail = new MemoryMailBackend();
    await assert.rejects(mail.send([message, { ...message, to: ['bad'] }]), (error) => {
      assert.ok(error instanceof MailMessageError);
      assert.deepEqual(error.errors?.[0]?.loc, [1, 'to', 0]);
      return true;
    });
    assert.equal(mail.outbox.length, 0);
  });

  test('sendMail fills in the default sender only when the message has none', async () => {
    const mail = new MemoryMailBackend();
    const { from: _, ...noSender } = message;
    await sendMail(mail, noSender, { defaultFrom: 'webmaster@localhost' });
    await sendMail(mail, message, { defaultFrom: 'webmaster@localhost' });
    assert.deepEqual(
      mail.outbox.map((m) => m.from),
      ['webmaster@localhost', 'Shop <shop@example.com>'],
    );
    await refused(sendMail(mail, noSender, { defaultFrom: 'not an address' }), ['from'], 'email_address');
  });
});

describe('backends', () => {
  test('the memory backend keeps copies of the messages in its outbox', async () => {
    const mail = new MemoryMailBackend();
    const sent = structuredClone(message);
    await mail.send([sent]);
    sent.to.push('later@example.com');
    assert.deepEqual(mail.outbox, [message]);
  });

  test('the console backend writes the message as text, Bcc included', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk) => {
      text += chunk;
    });
    await new ConsoleMailBackend(out).send([message, { ...message, subject: 'Second' }]);
    assert.match(text, /^From: Shop <shop@example\.com>$/m);
    assert.match(text, /^To: ada@example\.com$/m);
    assert.match(text, /^Cc: Grace Hopper <grace@example\.com>$/m);
    assert.match(text, /^Bcc: audit@example\.com$/m);
    assert.match(text, /^Reply-To: help@example\.com$/m);
    assert.match(text, /^Subject: =\?UTF-8\?Q\?Your_order_=E2=9C=93\?=$/m);
    assert.match(text, /^X-Order: 42$/m);
    assert.match(text, /Thanks, Ada\.\nIt ships today\./);
    assert.equal(text.match(/^-{79}$/gm)?.length, 2);
    assert.ok(!text.includes('\r'));
  });

  test('the file backend writes one RFC 5322 .eml file per message into a folder it creates', async (t) => {
    const root = await mkdtemp(join(tmpdir(), 'volt-mail-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const folder = join(root, 'nested', 'mail');
    const mail = new FileMailBackend(folder);
    await mail.send([message, { ...message, subject: 'Second' }]);
    const files = (await readdir(folder)).sort();
    assert.equal(files.length, 2);
    for (const file of files) assert.match(file, /^\d{8}T\d{6}-\d{3}Z-[0-9a-f]{8}\.eml$/);
    const texts = await Promise.all(files.map((f) => readFile(join(folder, f), 'utf8')));
    const first = texts.find((s) => s.includes('Your_order'))!;
    const [head, ...body] = first.split('\r\n\r\n');
    // Headers and body separated by an empty line, every line ended by CRLF.
    assert.ok(!first.replace(/\r\n/g, '').includes('\n'));
    assert.match(head!, /^Message-ID: <[^>]+>$/m);
    assert.match(head!, /^Date: .+$/m);
    assert.match(head!, /^MIME-Version: 1\.0$/m);
    assert.match(head!, /^Content-Type: multipart\/alternative;/m);
    assert.match(body.join('\r\n\r\n'), /Thanks, Ada\.\r\nIt ships today\./);
    assert.ok(texts.some((s) => /^Subject: Second$/m.test(s)));
    if (process.platform !== 'win32') assert.equal((await stat(join(folder, files[0]!))).mode & 0o777, 0o600);
  });

  test('the file backend needs a folder', () => {
    assert.throws(() => new FileMailBackend(''), /EMAIL_FILE_PATH/);
  });
});

interface Received {
  from: string | false;
  to: string[];
  user: string | undefined;
  data: string;
}

async function smtpServer(
  t: { after: (fn: () => Promise<void>) => void },
  options: { login?: [string, string] } = {},
) {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: options.login ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !options.login,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.login?.[0] && auth.password === options.login?.[1])
        return callback(null, { user: auth.username });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => {
        data += chunk.toString('utf8');
      });
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : false,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, received };
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('SMTP backend', () => {
  test('delivers to every recipient, Bcc in the envelope but not in the headers', async (t) => {
    const { port, received } = await smtpServer(t);
    const mail = new SmtpMailBackend(`smtp://127.0.0.1:${port}`);
    t.after(() => mail.close());
    await mail.send([message]);
    assert.equal(received.length, 1);
    const [got] = received;
    assert.equal(got!.from, 'shop@example.com');
    assert.deepEqual(got!.to.sort(), ['ada@example.com', 'audit@example.com', 'grace@example.com']);
    assert.match(got!.data, /^To: ada@example\.com\r$/m);
    assert.doesNotMatch(got!.data, /^Bcc:/im);
    assert.doesNotMatch(got!.data, /audit@example\.com/);
    assert.match(got!.data, /^X-Order: 42\r$/m);
  });

  test('logs in with the user and password of the URL', async (t) => {
    const { port, received } = await smtpServer(t, { login: ['app@example.com', 'p@ss:word'] });
    const good = new SmtpMailBackend(`smtp://app%40example.com:p%40ss%3Aword@127.0.0.1:${port}`);
    t.after(() => good.close());
    await sendMail(
      good,
      { to: ['ada@example.com'], subject: 'Hi', text: 'Hello' },
      { defaultFrom: 'app@example.com' },
    );
    assert.equal(received[0]?.user, 'app@example.com');

    const bad = new SmtpMailBackend({
      host: '127.0.0.1',
      port,
      auth: { user: 'app@example.com', pass: 'wrong' },
    });
    t.after(() => bad.close());
    await assert.rejects(bad.send([message]), (error) => {
      assert.ok(error instanceof MailDeliveryError);
      assert.equal(error.code, 'VOLT_MAIL_DELIVERY');
      assert.equal(error.reason, 'EAUTH');
      assert.match(error.message, /refused the login \(check the user and password in EMAIL_URL\)/);
      assert.doesNotMatch(error.message, /wrong/);
      return true;
    });
    assert.equal(received.length, 1);
  });

  test('a refused connection is a clear delivery error', async (t) => {
    const port = await closedPort();
    const mail = new SmtpMailBackend({ host: '127.0.0.1', port, timeout: 5 });
    t.after(() => mail.close());
    await assert.rejects(mail.send([message]), (error) => {
      assert.ok(error instanceof MailDeliveryError);
      assert.equal(
        error.message,
        `Mail not sent: could not connect to the SMTP server 127.0.0.1:${port}: connection refused (is it running, and is EMAIL_URL right?)`,
      );
      assert.ok(error.cause instanceof Error);
      return true;
    });
  });

  test('an invalid message never reaches the server', async (t) => {
    const { port, received } = await smtpServer(t);
    const mail = new SmtpMailBackend(`smtp://127.0.0.1:${port}`);
    t.after(() => mail.close());
    await refused(mail.send([{ ...message, subject: 'a\r\nb' }]), ['subject'], 'header_injection');
    assert.equal(received.length, 0);
  });

  test('SMTP URLs are read with their defaults; other schemes are refused', () => {
    assert.deepEqual(smtpOptionsFromUrl('smtps://u%40x.com:s%2Fecret@mail.example.com'), {
      host: 'mail.example.com',
      port: 465,
      secure: true,
      auth: { user: 'u@x.com', pass: 's/ecret' },
    });
    assert.deepEqual(smtpOptionsFromUrl('smtp://mail.example.com'), {
      host: 'mail.example.com',
      port: 587,
      secure: false,
    });
    assert.throws(
      () => smtpOptionsFromUrl('http://mail.example.com'),
      /must start with smtp:\/\/ or smtps:\/\//,
    );
    assert.throws(() => smtpOptionsFromUrl('not a url'), /EMAIL_URL must be an SMTP URL/);
  });
});

describe('mailBackendFromSettings', () => {
  const base = { emailBackend: 'console', emailUrl: '', emailFilePath: './data/mail' } as const;

  test('picks the backend the settings name', () => {
    assert.ok(mailBackendFromSettings(base) instanceof ConsoleMailBackend);
    assert.ok(mailBackendFromSettings({ ...base, emailBackend: 'memory' }) instanceof MemoryMailBackend);
    const file = mailBackendFromSettings({ ...base, emailBackend: 'file', emailFilePath: '/tmp/volt-mail' });
    assert.ok(file instanceof FileMailBackend);
    assert.equal(file.folder, '/tmp/volt-mail');
    const smtp = mailBackendFromSettings({
      ...base,
      emailBackend: 'smtp',
      emailUrl: 'smtp://mail.example.com:2525',
    });
    assert.ok(smtp instanceof SmtpMailBackend);
    assert.equal(smtp.address, 'mail.example.com:2525');
  });

  test('names the missing setting', () => {
    assert.throws(
      () => mailBackendFromSettings({ ...base, emailBackend: 'smtp' }),
      /EMAIL_BACKEND=smtp needs EMAIL_URL/,
    );
    assert.throws(
      () => mailBackendFromSettings({ ...base, emailBackend: 'file', emailFilePath: '' }),
      /EMAIL_BACKEND=file needs EMAIL_FILE_PATH/,
    );
    assert.throws(
      () => mailBackendFromSettings({ ...base, emailBackend: 'pigeon' as never }),
      /EMAIL_BACKEND must be one of console, file, memory, smtp/,
    );
  });
});
