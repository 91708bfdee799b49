/**
 * `sendMail()`: one message through a backend, with the default sender filled in.
 */
import type { MailBackend } from './backend.ts';
import { checkMessage, type EmailMessage } from './message.ts';

/** Options of {@link sendMail}. */
export interface SendMailOptions {
  /** The sender when the message names none: usually `settings.defaultFromEmail` (`DEFAULT_FROM_EMAIL`). */
  defaultFrom?: string;
}

/**
 * Checks `message` (addresses, no line breaks in headers) and sends it. A bad message throws a
 * `MailMessageError` (a 422 problem) before the backend is called.
 *
 * @example
 * ```ts
 * await sendMail(mail, { to: [user.email], subject: 'Reset your password', text: link }, {
 *   defaultFrom: settings.defaultFromEmail,
 * });
 * ```
 */
export async function sendMail(
  backend: MailBackend,
  message: EmailMessage,
  options: SendMailOptions = {},
): Promise<void> {
  const full: EmailMessage =
    message && typeof message === 'object' && message.from === undefined && options.defaultFrom !== undefined
      ? { ...message, from: options.defaultFrom }
      : message;
  checkMessage(full);
  await backend.send([full]);
}
