/**
 * The file mail backend: one `.eml` file per message, for development and staging.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MailBackend } from './backend.ts';
import { checkMessages, type EmailMessage } from './message.ts';
import { renderMessage } from './render.ts';

/**
 * Writes each message to its own file in `folder` (created when missing), named
 * `<UTC time>-<random>.eml`, as RFC 5322 text any mail client opens. `Bcc` is kept.
 *
 * @example
 * ```ts
 * const mail = new FileMailBackend('./data/mail');
 * ```
 */
export class FileMailBackend implements MailBackend {
  /** The absolute folder the files go to. */
  readonly folder: string;

  constructor(folder: string) {
    if (typeof folder !== 'string' || folder === '')
      throw new TypeError('FileMailBackend needs a folder (EMAIL_FILE_PATH), e.g. ./data/mail');
    this.folder = resolve(folder);
  }

  async send(messages: EmailMessage[]): Promise<void> {
    const checked = checkMessages(messages);
    await mkdir(this.folder, { recursive: true });
    for (const message of checked) {
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '-');
      const name = `${stamp}-${randomBytes(4).toString('hex')}.eml`;
      // 'wx': never overwrite a file; messages may hold reset links, so only the owner reads them.
      await writeFile(join(this.folder, name), await renderMessage(message, { keepBcc: true }), {
        flag: 'wx',
        mode: 0o600,
      });
    }
  }
}
