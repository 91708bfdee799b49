/**
 * The SMTP mail backend, on nodemailer.
 */
import type { Transporter } from 'nodemailer';
import type { MailBackend } from './backend.ts';
import { checkMessages, type EmailMessage } from './message.ts';
import { nodemailerOptions } from './render.ts';

/** Where and how to reach an SMTP server. */
export interface SmtpOptions {
  /** The server's host name. */
  host: string;
  /** Its port. Default 465 when `secure`, else 587. */
  port?: number;
  /** TLS from the first byte (port 465, `smtps://`). Default false: STARTTLS when the server offers it. */
  secure?: boolean;
  /** Refuse to send when the server does not offer STARTTLS. Default false. */
  requireTLS?: boolean;
  /** The login, when the server wants one. */
  auth?: { user: string; pass: string };
  /** Check the server's certificate. Default true; turn off only for a local test server. */
  rejectUnauthorized?: boolean;
  /** Seconds to wait for the connection and for each reply. Default 30. */
  timeout?: number;
}

/**
 * Sending failed after the message was accepted as valid: the server could not be reached,
 * refused the login, or refused a recipient or the message. `cause` keeps nodemailer's error;
 * messages of the batch before the failing one were sent.
 */
export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
  /** Stable code: `VOLT_MAIL_DELIVERY`. */
  readonly code = 'VOLT_MAIL_DELIVERY';
  /** nodemailer's error code (`ESOCKET`, `ECONNECTION`, `EAUTH`, `EENVELOPE`, `ETIMEDOUT`…), when known. */
  readonly reason: string | undefined;

  constructor(message: string, options: { cause: unknown; reason: string | undefined }) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
  }
}

/**
 * Reads `smtp://user:pass@host:port` or `smtps://…` (user and password URL-encoded).
 *
 * @example
 * ```ts
 * smtpOptionsFromUrl('smtps://app%40example.com:secret@mail.example.com');
 * // { host: 'mail.example.com', port: 465, secure: true, auth: { user: 'app@example.com', pass: 'secret' } }
 * ```
 */
export function smtpOptionsFromUrl(url: string): SmtpOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError('EMAIL_URL must be an SMTP URL like smtp://user:pass@mail.example.com:587');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:')
    throw new TypeError(
      `EMAIL_URL must start with smtp:// or smtps:// (e.g. smtps://user:pass@mail.example.com:465), got ${parsed.protocol}//`,
    );
  if (!parsed.hostname) throw new TypeError('EMAIL_URL names no host, e.g. smtp://mail.example.com:587');
  const secure = parsed.protocol === 'smtps:';
  const options: SmtpOptions = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
  };
  if (parsed.username)
    options.auth = { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) };
  return options;
}

/**
 * Sends through an SMTP server, one connection per message. Give a URL (`EMAIL_URL`) or
 * {@link SmtpOptions}. nodemailer is loaded on the first send.
 *
 * @example
 * ```ts
 * const mail = new SmtpMailBackend('smtps://app:secret@mail.example.com:465');
 * await sendMail(mail, { to: ['ada@example.com'], subject: 'Hi', text: '…' }, { defaultFrom: 'app@example.com' });
 * ```
 */
export class SmtpMailBackend implements MailBackend {
  /** The options in use (the password included: do not log them). */
  readonly options: SmtpOptions;
  #transport: Promise<Transporter> | undefined;

  constructor(target: string | SmtpOptions) {
    this.options = typeof target === 'string' ? smtpOptionsFromUrl(target) : { ...target };
    if (typeof this.options.host !== 'string' || this.options.host === '')
      throw new TypeError('SmtpMailBackend needs a host, e.g. { host: "mail.example.com" }');
  }

  /** `host:port`, for messages. */
  get address(): string {
    const { host, secure, port = secure ? 465 : 587 } = this.options;
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  async send(messages: EmailMessage[]): Promise<void> {
    const checked = checkMessages(messages);
    const transport = await this.#connect();
    for (const [index, message] of checked.entries()) {
      try {
        await transport.sendMail(nodemailerOptions(message));
      } catch (error) {
        throw this.#failure(error, index, checked.length);
      }
    }
  }

  /** Closes idle connections; sending again reconnects. */
  close(): void {
    const transport = this.#transport;
    this.#transport = undefined;
    void transport?.then((t) => t.close());
  }

  #connect(): Promise<Transporter> {
    this.#transport ??= import('nodemailer').then(({ default: nodemailer }) => {
      const { host, secure = false, port = secure ? 465 : 587, requireTLS = false, auth } = this.options;
      const timeout = Math.round((this.options.timeout ?? 30) * 1000); // nodemailer takes ms
      return nodemailer.createTransport({
        host,
        port,
        secure,
        requireTLS,
        ...(auth ? { auth: { user: auth.user, pass: auth.pass } } : {}),
        tls: { rejectUnauthorized: this.options.rejectUnauthorized ?? true },
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      });
    });
    return this.#transport;
  }

  #failure(error: unknown, index: number, total: number): MailDeliveryError {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : undefined;
    const text = error instanceof Error ? error.message : String(error);
    const where = `SMTP server ${this.address}`;
    let why: string;
    if (reason === 'EAUTH')
      why = `${where} refused the login (check the user and password in EMAIL_URL): ${text}`;
    else if (reason === 'EENVELOPE') why = `${where} refused a sender or recipient: ${text}`;
    else if (reason === 'EMESSAGE') why = `${where} refused the message: ${text}`;
    else if (/ECONNREFUSED/.test(text))
      why = `could not connect to the ${where}: connection refused (is it running, and is EMAIL_URL right?)`;
    else if (reason === 'ETIMEDOUT' || /timeout/i.test(text))
      why = `${where} did not answer in time: ${text}`;
    else why = `could not talk to the ${where}: ${text}`;
    const batch = total > 1 ? ` (message ${index + 1} of ${total}; the ones before it were sent)` : '';
    return new MailDeliveryError(`Mail not sent: ${why}${batch}`, { cause: error, reason });
  }
}
