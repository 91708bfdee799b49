/**
 * An email message and the checks every message passes before any backend sends it: real
 * addresses, and no line breaks in a header (header injection).
 */
import { type FieldError, HttpError } from '../../http/errors.ts';

/**
 * One email. Addresses are `user@example.com` or `Name <user@example.com>`.
 *
 * @example
 * ```ts
 * const message: EmailMessage = { to: ['ada@example.com'], subject: 'Welcome', text: 'Hello Ada' };
 * ```
 */
export interface EmailMessage {
  /** The sender; `sendMail()` fills in its `defaultFrom` (`DEFAULT_FROM_EMAIL`) when missing. */
  from?: string;
  /** Recipients shown in the `To` header. */
  to: string[];
  /** Recipients shown in the `Cc` header. */
  cc?: string[];
  /** Recipients that receive the message without appearing in any header. */
  bcc?: string[];
  /** Where replies go (`Reply-To`). */
  replyTo?: string[];
  /** The subject line: one line, no CR or LF. */
  subject: string;
  /** The plain-text body. */
  text: string;
  /** An HTML alternative to `text`. */
  html?: string;
  /** Extra headers, e.g. `{ 'X-Campaign': 'welcome' }`: names are header tokens, values one line. */
  headers?: Record<string, string>;
}

/**
 * A message was refused before anything was sent: an invalid address, a line break in a header
 * (header injection) or a missing part. `errors` locates each problem (`loc: ['to', 0]`); as an
 * HTTP answer it is a 422 problem.
 *
 * @example
 * ```ts
 * try { await sendMail(backend, { to: [input.email], subject: 'Hi', text: '…' }); }
 * catch (error) { if (error instanceof MailMessageError) error.errors; } // [{ loc: ['to', 0], … }]
 * ```
 */
export class MailMessageError extends HttpError {
  override readonly name = 'MailMessageError';
  /** Stable code: `VOLT_MAIL_INVALID_MESSAGE`. */
  override readonly code = 'VOLT_MAIL_INVALID_MESSAGE';

  constructor(errors: FieldError[]) {
    super(422, {
      detail: `Invalid email message: ${errors.map((e) => `${e.loc.join('.')}: ${e.msg}`).join('; ')}`,
      errors,
    });
  }
}

/** An address split into its display name (possibly empty) and the address itself. */
export interface ParsedAddress {
  name: string;
  address: string;
}

const LINE_BREAK = /[\r\n\0]/;
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,76}$/;
const MAX_ADDRESS = 254;
// Headers the message's own fields or the MIME structure set: overriding them would send the
// message somewhere else than its fields say, or break its body.
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'sender',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);
const MAX_ADDRESS_TEXT = 998;

/**
 * Splits `Name <user@example.com>` or `user@example.com` into name and address, or tells why
 * it is not a valid address.
 */
export function parseAddress(value: unknown): ParsedAddress | string {
  if (typeof value !== 'string') return `must be a string, got ${value === null ? 'null' : typeof value}`;
  if (LINE_BREAK.test(value)) return 'must not contain line breaks (CR, LF) or NUL';
  if (value.length > MAX_ADDRESS_TEXT) return `must be at most ${MAX_ADDRESS_TEXT} characters`;
  const trimmed = value.trim();
  const angled = /^(.*?)\s*<([^<>]*)>$/.exec(trimmed);
  let name = '';
  let address = trimmed;
  if (angled) {
    name = angled[1]!.trim();
    address = angled[2]!.trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1);
    if (/[<>]/.test(name)) return `has a stray < or > in its display name: "${value}"`;
  }
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.length > MAX_ADDRESS)
    return `must be an email address like user@example.com, got "${value}"`;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local) || !domain.split('.').every((l) => DOMAIN_LABEL.test(l)))
    return `must be an email address like user@example.com, got "${value}"`;
  return { name, address };
}

/** A checked message, its addresses parsed: what the backends hand to the composer. */
export interface CheckedMessage {
  message: EmailMessage;
  from: ParsedAddress;
  to: ParsedAddress[];
  cc: ParsedAddress[];
  bcc: ParsedAddress[];
  replyTo: ParsedAddress[];
}

/**
 * Checks a message; throws a {@link MailMessageError} listing every problem. Every backend runs
 * this on all of a batch's messages before sending any of them.
 *
 * @example
 * ```ts
 * checkMessage({ from: 'a@example.com', to: ['b@example.com'], subject: 'Hi\r\nBcc: x@evil.test', text: '' });
 * // MailMessageError: Invalid email message: subject: must not contain line breaks (CR, LF) or NUL
 * ```
 */
export function checkMessage(message: EmailMessage): CheckedMessage {
  const errors: FieldError[] = [];
  const problem = (loc: (string | number)[], msg: string, type: string) => errors.push({ loc, msg, type });
  if (typeof message !== 'object' || message === null)
    throw new MailMessageError([
      { loc: [], msg: 'must be an object with to, subject and text', type: 'message' },
    ]);

  const one = (key: 'from', value: unknown): ParsedAddress => {
    const parsed = parseAddress(value);
    if (typeof parsed === 'string') {
      problem([key], parsed, LINE_BREAK.test(String(value)) ? 'header_injection' : 'email_address');
      return { name: '', address: '' };
    }
    return parsed;
  };
  const list = (key: 'to' | 'cc' | 'bcc' | 'replyTo', value: unknown): ParsedAddress[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      problem([key], 'must be a list of addresses', 'list');
      return [];
    }
    const out: ParsedAddress[] = [];
    value.forEach((item, i) => {
      const parsed = parseAddress(item);
      if (typeof parsed === 'string')
        problem(
          [key, i],
          parsed,
          typeof item === 'string' && LINE_BREAK.test(item) ? 'header_injection' : 'email_address',
        );
      else out.push(parsed);
    });
    return out;
  };

  if (message.from === undefined)
    problem(['from'], 'is missing: give a sender, or send with sendMail(…, { defaultFrom })', 'missing');
  const from = message.from === undefined ? { name: '', address: '' } : one('from', message.from);
  if (message.to === undefined) problem(['to'], 'is missing: give a list of recipients', 'missing');
  const to = list('to', message.to);
  const cc = list('cc', message.cc);
  const bcc = list('bcc', message.bcc);
  const replyTo = list('replyTo', message.replyTo);
  if (errors.length === 0 && to.length + cc.length + bcc.length === 0)
    problem(['to'], 'must name at least one recipient (in to, cc or bcc)', 'missing');

  if (typeof message.subject !== 'string') problem(['subject'], 'must be a string', 'string');
  else if (LINE_BREAK.test(message.subject))
    problem(['subject'], 'must not contain line breaks (CR, LF) or NUL', 'header_injection');
  else if (message.subject.length > MAX_ADDRESS_TEXT)
    problem(['subject'], `must be at most ${MAX_ADDRESS_TEXT} characters`, 'string_too_long');
  if (typeof message.text !== 'string') problem(['text'], 'must be a string', 'string');
  if (message.html !== undefined && typeof message.html !== 'string')
    problem(['html'], 'must be a string', 'string');
  if (message.headers !== undefined) {
    if (typeof message.headers !== 'object' || message.headers === null)
      problem(['headers'], 'must be an object of header names to values', 'object');
    else
      for (const [name, value] of Object.entries(message.headers)) {
        if (!HEADER_NAME.test(name))
          problem(
            ['headers', name],
            'is not a valid header name (letters, digits and - only)',
            'header_name',
          );
        else if (RESERVED_HEADERS.has(name.toLowerCase()))
          problem(
            ['headers', name],
            'is set from the message itself: use its fields instead',
            'header_reserved',
          );
        else if (typeof value !== 'string') problem(['headers', name], 'must be a string', 'string');
        else if (LINE_BREAK.test(value))
          problem(['headers', name], 'must not contain line breaks (CR, LF) or NUL', 'header_injection');
      }
  }
  if (errors.length > 0) throw new MailMessageError(errors);
  return { message, from, to, cc, bcc, replyTo };
}

/** Checks every message of a batch; the first failing one throws, naming its index. */
export function checkMessages(messages: readonly EmailMessage[]): CheckedMessage[] {
  if (!Array.isArray(messages))
    throw new MailMessageError([{ loc: [], msg: 'send() takes a list of messages', type: 'list' }]);
  return messages.map((message, index) => {
    try {
      return checkMessage(message);
    } catch (error) {
      if (!(error instanceof MailMessageError) || messages.length === 1) throw error;
      throw new MailMessageError(error.errors!.map((e) => ({ ...e, loc: [index, ...e.loc] })));
    }
  });
}
