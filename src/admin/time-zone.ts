/**
 * Datetimes in the app's time zone (`TIME_ZONE`), as Django's admin shows and reads them: a
 * stored instant shown as the zone's wall-clock time, and a wall-clock time typed into a form
 * read in the zone. A time the zone skips (clocks going forward) or has twice (going back) is
 * refused, as Django refuses it, rather than guessed. The zone arithmetic is the ORM's
 * (`orm/time-zone.ts`).
 */
import { offsetAt, utc, wallTime } from '../orm/time-zone.ts';

const DAY = 86_400_000;
const names = new Map<string, Intl.DateTimeFormat>();

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `date` as the zone's wall-clock time for a `datetime-local` input: `YYYY-MM-DDTHH:MM:SS`. */
export function zonedInput(date: Date, zone: string): string {
  return new Date(wallTime(date.getTime(), zone)).toISOString().slice(0, 19);
}

/** `date` as text in the zone, with the zone's short name: `2026-07-01 10:00:00 GMT+2` in Paris. */
export function zonedText(date: Date, zone: string): string {
  if (zone === 'UTC') return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  let format = names.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' });
    names.set(zone, format);
  }
  const name = format.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? zone;
  return `${zonedInput(date, zone).replace('T', ' ')} ${name}`;
}

/**
 * The instants that read as the wall-clock time `local` (milliseconds of that time taken as UTC)
 * in `zone`: one, none (a time the zone skips), or two (a time it has twice), earliest first.
 */
function instantsOf(local: number, zone: string): number[] {
  // Offsets a day either side: transitions are further apart than that.
  const offsets = new Set([offsetAt(local - DAY, zone), offsetAt(local + DAY, zone)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const at = local - offset;
    if (offsetAt(at, zone) === offset) found.add(at);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * The instant a wall-clock time typed in a form names in `zone`, or why it names none: text
 * `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]`, or with an explicit offset (`Z`, `+02:00`), which is kept.
 */
export function fromZoned(text: string, zone: string): { value: Date } | { problem: string } {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})?$/u.exec(
      text,
    );
  if (!match) return { problem: 'Enter a date and time, such as 2026-03-01T14:30.' };
  const [, y, mo, d, h, mi, s = '0', fraction = '', offset] = match;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = utc(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + ms;
  const check = new Date(local);
  const valid =
    check.getUTCFullYear() === Number(y) &&
    check.getUTCMonth() === Number(mo) - 1 &&
    check.getUTCDate() === Number(d) &&
    check.getUTCHours() === Number(h) &&
    check.getUTCMinutes() === Number(mi) &&
    check.getUTCSeconds() === Number(s);
  if (!valid) return { problem: 'Enter a valid date and time.' };
  if (offset) {
    const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${pad(Number(s))}.${pad(ms, 3)}${offset}`);
    return Number.isNaN(date.getTime()) ? { problem: 'Enter a valid date and time.' } : { value: date };
  }
  if (zone === 'UTC') return { value: check };
  const instants = instantsOf(local, zone);
  if (instants.length !== 1)
    return {
      problem: `${text.replace('T', ' ')} couldn’t be interpreted in time zone ${zone}; it may be ambiguous or it may not exist.`,
    };
  return { value: new Date(instants[0]!) };
}

/**
 * The first instant of the day `YYYY-MM-DD` in `zone`: its midnight, or when the zone skips
 * midnight that day, the moment its clocks jump to (the earlier midnight when it has two).
 */
export function startOfDay(day: string, zone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const local = utc(y, m - 1, d);
  if (zone === 'UTC') return new Date(local);
  const instants = instantsOf(local, zone);
  if (instants.length > 0) return new Date(instants[0]!);
  // Skipped: the day starts where the offset of before the jump puts midnight.
  return new Date(local - offsetAt(local - DAY, zone));
}
