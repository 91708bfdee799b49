/**
 * Renders a checked message as RFC 5322 text (MIME, CRLF line ends), for the console and file
 * backends. nodemailer's composer does the encoding (encoded words, quoted-printable, multipart).
 */
import type MailComposerClass from 'nodemailer/lib/mail-composer/index.js';
import type { CheckedMessage, ParsedAddress } from './message.ts';

type Composer = typeof MailComposerClass;
let composer: Promise<Composer> | undefined;

/** The nodemailer options of a checked message (addresses as parsed objects, never re-parsed). */
export function nodemailerOptions(checked: CheckedMessage) {
  const { message } = checked;
  const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
  const addresses = (list: ParsedAddress[]) => list.map((a) => ({ name: a.name, address: a.address }));
  return {
    from: { name: checked.from.name, address: checked.from.address },
    to: addresses(checked.to),
    cc: addresses(checked.cc),
    bcc: addresses(checked.bcc),
    replyTo: addresses(checked.replyTo),
    subject: message.subject,
    text: crlf(message.text),
    ...(message.html === undefined ? {} : { html: crlf(message.html) }),
    headers: { ...message.headers },
  };
}

/**
 * The message as RFC 5322 text. `keepBcc` keeps the `Bcc` header, which a file or the console
 * shows but a sent message must not carry.
 */
export async function renderMessage(
  checked: CheckedMessage,
  options: { keepBcc?: boolean } = {},
): Promise<string> {
  composer ??= import('nodemailer/lib/mail-composer/index.js').then((m) => m.default);
  const MailComposer = await composer;
  const node = new MailComposer(nodemailerOptions(checked)).compile();
  if (options.keepBcc) node.keepBcc = true;
  const buffer = await new Promise<Buffer>((resolve, reject) =>
    node.build((error: Error | null, built: Buffer) => (error ? reject(error) : resolve(built))),
  );
  return buffer.toString('utf8');
}
