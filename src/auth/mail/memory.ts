/**
 * The memory mail backend: keeps messages in `outbox`, for tests.
 */
import type { MailBackend } from './backend.ts';
import { checkMessages, type EmailMessage } from './message.ts';

/**
 * Keeps every sent message in {@link MemoryMailBackend.outbox} (copies, in sending order).
 *
 * @example
 * ```ts
 * const mail = new MemoryMailBackend();
 * await sendMail(mail, { to: ['ada@example.com'], subject: 'Hi', text: '…' }, { defaultFrom: 'app@example.com' });
 * assert.equal(mail.outbox[0]?.subject, 'Hi');
 * ```
 */
export class MemoryMailBackend implements MailBackend {
  /** The messages sent so far; empty it with `outbox.length = 0`. */
  readonly outbox: EmailMessage[] = [];

  async send(messages: EmailMessage[]): Promise<void> {
    checkMessages(messages);
    for (const message of messages) this.outbox.push(structuredClone(message));
  }
}
