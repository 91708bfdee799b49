/**
 * Password validation, in Django's manner: each validator returns its message when the
 * password fails it, and `validatePassword()` returns every message (none: the password is
 * acceptable). The defaults: at least 8 characters, not one of about 20,000 common passwords,
 * not too like the user's username, email or names, not entirely numeric.
 */
import { readFileSync } from 'node:fs';
import { ownFile } from '../http/own-files.ts';

/** What a validator may compare the password with. */
export interface PasswordContext {
  /** The user (a row or the input of a new one): its `username`, `email`, `firstName`, `lastName`. */
  user?: Readonly<Record<string, unknown>> | undefined;
}

/** One rule a password must pass. */
export interface PasswordValidator {
  /** A short name (`minimumLength`). */
  readonly name: string;
  /** The message when `password` fails the rule, else `undefined`. */
  validate(password: string, context: PasswordContext): string | undefined;
  /** What the rule asks, for a form's help text. */
  readonly help: string;
}

/**
 * At least `min` characters (default 8).
 *
 * @example
 * ```ts
 * minimumLength(12).validate('short', {}); // 'This password is too short. It must contain at least 12 characters.'
 * ```
 */
export function minimumLength(min = 8): PasswordValidator {
  if (!Number.isInteger(min) || min < 1)
    throw new RangeError(`minimumLength needs a whole number ≥ 1, got ${min}`);
  const characters = `${min} character${min === 1 ? '' : 's'}`;
  return {
    name: 'minimumLength',
    help: `Your password must contain at least ${characters}.`,
    validate: (password) =>
      [...password].length < min
        ? `This password is too short. It must contain at least ${characters}.`
        : undefined,
  };
}

/** The list shipped with Volt (src/auth/common-passwords.txt; its header names the source). */
const COMMON_PASSWORDS_FILE = 'auth/common-passwords.txt';
let shipped: ReadonlySet<string> | undefined;

/**
 * The common passwords shipped with Volt: 19,727 lower-cased entries, the list Django ships
 * (made by Royce Williams from breach corpora). Read on first use.
 */
export function commonPasswordList(): ReadonlySet<string> {
  if (!shipped) {
    const text = readFileSync(ownFile(COMMON_PASSWORDS_FILE), 'utf8');
    // The header ends at the first empty line; entries may themselves start with '#'.
    const body = text.slice(text.indexOf('\n\n') + 2);
    shipped = new Set(
      body
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    );
  }
  return shipped;
}

/**
 * Not one of the common passwords (compared lower-cased and trimmed); `list` replaces the
 * shipped one.
 *
 * @example
 * ```ts
 * commonPassword().validate('Password1', {}); // 'This password is too common.'
 * ```
 */
export function commonPassword(list?: Iterable<string>): PasswordValidator {
  const own = list === undefined ? undefined : new Set([...list].map((entry) => entry.trim().toLowerCase()));
  return {
    name: 'commonPassword',
    help: "Your password can't be a commonly used password.",
    validate: (password) =>
      (own ?? commonPasswordList()).has(password.trim().toLowerCase())
        ? 'This password is too common.'
        : undefined,
  };
}

/** Options of {@link userAttributeSimilarity}. */
export interface SimilarityOptions {
  /** The user fields to compare with, and how to name them (default username, email, first and last name). */
  attributes?: Readonly<Record<string, string>>;
  /** From 0.1 to 1: how alike (see {@link similarity}) is too alike (default 0.7). */
  maxSimilarity?: number;
}

const ATTRIBUTES = {
  username: 'username',
  email: 'email address',
  firstName: 'first name',
  lastName: 'last name',
};

/**
 * How alike two strings are, from 0 to 1: twice their longest common subsequence over their
 * total length (1 for equal strings).
 */
export function similarity(a: string, b: string): number {
  if (!a.length && !b.length) return 1;
  const previous = new Array<number>(b.length + 1).fill(0);
  const current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++)
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    for (let j = 0; j <= b.length; j++) previous[j] = current[j]!;
  }
  return (2 * previous[b.length]!) / (a.length + b.length);
}

/**
 * Not too like the user's own attributes: the whole value or any of its parts (an email's
 * name and domain words) compared case-insensitively.
 *
 * @example
 * ```ts
 * userAttributeSimilarity().validate('ada.lovelace1', { user: { username: 'adalovelace' } });
 * // 'The password is too similar to the username.'
 * ```
 */
export function userAttributeSimilarity(options: SimilarityOptions = {}): PasswordValidator {
  const attributes = options.attributes ?? ATTRIBUTES;
  const max = options.maxSimilarity ?? 0.7;
  if (!(max >= 0.1 && max <= 1)) throw new RangeError(`maxSimilarity must be from 0.1 to 1, got ${max}`);
  return {
    name: 'userAttributeSimilarity',
    help: "Your password can't be too similar to your other personal information.",
    validate: (password, { user }) => {
      if (!user) return undefined;
      const lower = password.toLowerCase();
      for (const [key, label] of Object.entries(attributes)) {
        const value = user[key];
        if (typeof value !== 'string' || !value) continue;
        const whole = value.toLowerCase();
        // A password far longer than the value cannot be "too similar" to it (and would be slow to compare).
        if (lower.length > whole.length * 10) continue;
        const parts = [whole, ...whole.split(/\W+/u).filter((part) => part.length > 0)];
        if (parts.some((part) => similarity(lower, part) >= max))
          return `The password is too similar to the ${label}.`;
      }
      return undefined;
    },
  };
}

/**
 * Not made of digits only.
 *
 * @example
 * ```ts
 * numericPassword().validate('20251125', {}); // 'This password is entirely numeric.'
 * ```
 */
export function numericPassword(): PasswordValidator {
  return {
    name: 'numericPassword',
    help: "Your password can't be entirely numeric.",
    validate: (password) => (/^\d+$/u.test(password) ? 'This password is entirely numeric.' : undefined),
  };
}

/** The validators `validatePassword()` runs when given none: similarity, length 8, common, numeric. */
export const DEFAULT_PASSWORD_VALIDATORS: readonly PasswordValidator[] = Object.freeze([
  userAttributeSimilarity(),
  minimumLength(8),
  commonPassword(),
  numericPassword(),
]);

/**
 * Every message of the validators `password` fails, in their order (`[]`: acceptable).
 *
 * @example
 * ```ts
 * validatePassword('12345678', { user: { username: 'ada' } });
 * // ['This password is too common.', 'This password is entirely numeric.']
 * ```
 */
export function validatePassword(
  password: string,
  context: PasswordContext = {},
  validators: readonly PasswordValidator[] = DEFAULT_PASSWORD_VALIDATORS,
): string[] {
  if (typeof password !== 'string') return ['The password must be a string.'];
  const messages: string[] = [];
  for (const validator of validators) {
    const message = validator.validate(password, context);
    if (message) messages.push(message);
  }
  return messages;
}
