/**
 * Sending mail: messages, backends (console, file, memory, SMTP) and `sendMail()`.
 */
export type { MailBackend } from './backend.ts';
export { ConsoleMailBackend } from './console.ts';
export { FileMailBackend } from './file.ts';
export { MemoryMailBackend } from './memory.ts';
export {
  type CheckedMessage,
  checkMessage,
  checkMessages,
  type EmailMessage,
  MailMessageError,
  type ParsedAddress,
  parseAddress,
} from './message.ts';
export { type SendMailOptions, sendMail } from './send.ts';
export { mailBackendFromSettings } from './settings.ts';
export { MailDeliveryError, SmtpMailBackend, type SmtpOptions, smtpOptionsFromUrl } from './smtp.ts';
