/**
 * Time zones: the names Volt accepts (IANA names that Node's Intl knows, checked before they
 * reach SQL) and the wall-clock arithmetic SQLite's date functions need
 * (`dialects/sqlite/date-functions.ts`): an instant's wall time in a zone, and the instant a
 * wall time names there, resolved across DST changes exactly as PostgreSQL resolves
 * `timestamp … at time zone …`.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A zone name: letters first, then letters, digits, `/`, `_`, `+`, `-` (`Etc/GMT+5`). */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/u;

const canonical = new Map<string, string | undefined>();

/**
 * The canonical spelling of the IANA time zone `name` (`'europe/paris'` → `'Europe/Paris'`),
 * or `undefined` when Node's Intl does not know it. Offsets (`'+02:00'`) are not names: POSIX
 * and PostgreSQL read their sign the other way round, so they are refused.
 *
 * @example
 * ```ts
 * timeZoneName('Europe/Paris'); // 'Europe/Paris'
 * timeZoneName('Mars/Olympus'); // undefined
 * ```
 */
export function timeZoneName(name: unknown): string | undefined {
  if (typeof name !== 'string' || !ZONE_NAME.test(name)) return undefined;
  if (canonical.has(name)) return canonical.get(name);
  let found: string | undefined;
  try {
    found = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    found = undefined;
  }
  if (canonical.size < 1000) canonical.set(name, found);
  return found;
}

/**
 * `name` as a time zone, or an `Error` (of the class `error` makes) saying what is wrong and
 * what is accepted; `where` names the caller (`TIME_ZONE`, `trunc()`).
 */
export function checkTimeZone(name: unknown, where: string, error: (message: string) => Error): string {
  const zone = timeZoneName(name);
  if (zone === undefined)
    throw error(
      `${where}: ${JSON.stringify(name)} is not a time zone; give an IANA name like 'UTC', 'Europe/Paris' or 'America/New_York'`,
    );
  return zone;
}

/** `connect()`'s `timeZone` option, checked: `'UTC'` when not given. */
export function connectionTimeZone(value: unknown): string {
  if (value === undefined) return 'UTC';
  return checkTimeZone(value, 'connect({ timeZone })', (message) => new Error(message));
}

/** `withTimeZone(name)`'s zone: an IANA name, checked (`Error` naming it otherwise). */
export function viewTimeZone(value: unknown): string {
  return checkTimeZone(value, 'withTimeZone()', (message) => new Error(message));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  return format;
}

/** `Date.UTC` for every year (`Date.UTC` reads years 0 to 99 as 1900 to 1999). */
export function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
  date.setUTCFullYear(year, month, day);
  return date.getTime();
}

/** How far the wall clock of `zone` is ahead of UTC at `instant` (ms since the epoch), in ms. */
export function offsetAt(instant: number, zone: string): number {
  if (zone === 'UTC') return 0;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatter(zone).formatToParts(instant)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
    }
  }
  const wholeSeconds = Math.floor(instant / 1000) * 1000;
  return utc(year, month - 1, day, hour, minute, second) - wholeSeconds;
}

/** The wall time of `instant` in `zone`, as ms since the epoch of a UTC clock showing it. */
export function wallTime(instant: number, zone: string): number {
  return instant + offsetAt(instant, zone);
}

/**
 * The instant at which the wall clock of `zone` shows `wall` (ms of a UTC clock showing it).
 * A wall time that happens twice (clocks set back) or never (clocks set forward) resolves as
 * PostgreSQL's `timestamp at time zone` does: the later of the two readings with the offsets
 * before and after the change.
 */
export function instantAt(wall: number, zone: string): number {
  if (zone === 'UTC') return wall;
  const before = offsetAt(wall - DAY, zone);
  const after = offsetAt(wall + DAY, zone);
  if (before === after) return wall - before;
  const beforeTime = wall - before;
  const afterTime = wall - after;
  const beforeHolds = offsetAt(beforeTime, zone) === before;
  const afterHolds = offsetAt(afterTime, zone) === after;
  if (beforeHolds && !afterHolds) return beforeTime;
  if (afterHolds && !beforeHolds) return afterTime;
  return Math.max(beforeTime, afterTime);
}

/** The units `trunc()` cuts a date or datetime down to. */
export type TruncUnit = (typeof TRUNC_UNITS)[number];

/** Every unit `trunc()` takes, largest first. */
export const TRUNC_UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute'] as const;

/** The parts `extract()` reads from a date, datetime or time. */
export type ExtractPart = (typeof EXTRACT_PARTS)[number];

/** Every part `extract()` reads. */
export const EXTRACT_PARTS = [
  'year',
  'quarter',
  'month',
  'day',
  'week',
  'weekDay',
  'isoWeekDay',
  'isoYear',
  'hour',
  'minute',
  'second',
] as const;

/** The start of the `unit` holding the wall time `wall` (both ms of a UTC clock); weeks start on Monday. */
export function truncateWall(wall: number, unit: TruncUnit): number {
  const date = new Date(wall);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  switch (unit) {
    case 'year':
      return utc(year, 0, 1);
    case 'quarter':
      return utc(year, month - (month % 3), 1);
    case 'month':
      return utc(year, month, 1);
    case 'week':
      return utc(year, month, day) - ((date.getUTCDay() + 6) % 7) * DAY;
    case 'day':
      return utc(year, month, day);
    case 'hour':
      return utc(year, month, day, date.getUTCHours());
    case 'minute':
      return utc(year, month, day, date.getUTCHours(), date.getUTCMinutes());
  }
}

/** The ISO-8601 year and week (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(wall: number): { year: number; week: number } {
  const date = new Date(wall);
  const midnight = utc(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const thursday = midnight + (3 - ((date.getUTCDay() + 6) % 7)) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  return { year, week: Math.floor((thursday - utc(year, 0, 1)) / (7 * DAY)) + 1 };
}

/** A part of the wall time `wall` (ms of a UTC clock), as PostgreSQL's `extract` gives it (whole seconds). */
export function wallPart(wall: number, part: ExtractPart): number {
  const date = new Date(wall);
  switch (part) {
    case 'year':
      return date.getUTCFullYear();
    case 'quarter':
      return Math.floor(date.getUTCMonth() / 3) + 1;
    case 'month':
      return date.getUTCMonth() + 1;
    case 'day':
      return date.getUTCDate();
    case 'week':
      return isoWeek(wall).week;
    case 'weekDay':
      return date.getUTCDay() + 1;
    case 'isoWeekDay':
      return date.getUTCDay() || 7;
    case 'isoYear':
      return isoWeek(wall).year;
    case 'hour':
      return date.getUTCHours();
    case 'minute':
      return date.getUTCMinutes();
    case 'second':
      return date.getUTCSeconds();
  }
}
