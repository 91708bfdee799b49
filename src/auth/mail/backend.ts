/**
 * What sends mail: the `MailBackend` interface every backend implements.
 */
import type { EmailMessage } from './message.ts';

/**
 * Sends messages. Every built-in backend checks all messages of a batch first
 * (`checkMessages()`) and sends nothing when one is invalid.
 *
 * @example
 * ```ts
 * class AuditedBackend implements MailBackend {
 *   constructor(private inner: MailBackend) {}
 *   async send(messages: EmailMessage[]) { log(messages.length); await this.inner.send(messages); }
 * }
 * ```
 */
export interface MailBackend {
  /** Sends every message; rejects when one could not be sent. */
  send(messages: EmailMessage[]): Promise<void>;
}
