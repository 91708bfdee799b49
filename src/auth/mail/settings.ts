/**
 * The mail backend the settings ask for: `EMAIL_BACKEND`, `EMAIL_URL`, `EMAIL_FILE_PATH`.
 */
import type { Settings } from '../../http/settings.ts';
import type { MailBackend } from './backend.ts';
import { ConsoleMailBackend } from './console.ts';
import { FileMailBackend } from './file.ts';
import { MemoryMailBackend } from './memory.ts';
import { SmtpMailBackend } from './smtp.ts';

/**
 * A new backend from the settings: `console` (stdout), `file` (`EMAIL_FILE_PATH`), `memory`
 * or `smtp` (`EMAIL_URL`, required). Throws a `TypeError` naming the setting to fix.
 *
 * @example
 * ```ts
 * const mail = mailBackendFromSettings(loadSettings());
 * ```
 */
export function mailBackendFromSettings(
  settings: Pick<Settings, 'emailBackend' | 'emailUrl' | 'emailFilePath'>,
): MailBackend {
  switch (settings.emailBackend) {
    case 'console':
      return new ConsoleMailBackend();
    case 'file':
      if (!settings.emailFilePath)
        throw new TypeError('EMAIL_BACKEND=file needs EMAIL_FILE_PATH, the folder to write messages to');
      return new FileMailBackend(settings.emailFilePath);
    case 'memory':
      return new MemoryMailBackend();
    case 'smtp':
      if (!settings.emailUrl)
        throw new TypeError(
          'EMAIL_BACKEND=smtp needs EMAIL_URL, e.g. smtps://user:password@mail.example.com:465',
        );
      return new SmtpMailBackend(settings.emailUrl);
    default:
      throw new TypeError(
        `EMAIL_BACKEND must be one of console, file, memory, smtp, got "${String(settings.emailBackend)}"`,
      );
  }
}
