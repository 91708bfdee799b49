/**
 * The console mail backend: writes each message as text, for development.
 */
import type { Writable } from 'node:stream';
import type { MailBackend } from './backend.ts';
import { checkMessages, type EmailMessage } from './message.ts';
import { renderMessage } from './render.ts';

const SEPARATOR = '-'.repeat(79);

/**
 * Writes each message (headers, `Bcc` included, and MIME body) to a stream, stdout by default,
 * followed by a line of dashes. Nothing is delivered.
 *
 * @example
 * ```ts
 * const mail = new ConsoleMailBackend(); // or new ConsoleMailBackend(process.stderr)
 * ```
 */
export class ConsoleMailBackend implements MailBackend {
  readonly #stream: Writable;

  constructor(stream: Writable = process.stdout) {
    this.#stream = stream;
  }

  async send(messages: EmailMessage[]): Promise<void> {
    const checked = checkMessages(messages);
    for (const message of checked) {
      const text = (await renderMessage(message, { keepBcc: true })).replace(/\r\n/g, '\n');
      await new Promise<void>((resolve, reject) =>
        this.#stream.write(`${text}\n${SEPARATOR}\n`, (error) => (error ? reject(error) : resolve())),
      );
    }
  }
}
