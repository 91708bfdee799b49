/**
 * `trunc()` and `extract()` on SQLite, which stores datetimes as ISO-8601 UTC text and has no
 * time zones: every connection gets `volt_trunc(unit, value, zone)` and
 * `volt_extract(part, value, zone)`, computed in JavaScript with Intl's time zone data
 * (`time-zone.ts`), giving what PostgreSQL's `date_trunc` and `extract` give for the same zone.
 * `zone` is `null` for a date (`'YYYY-MM-DD'`) or a time (`'HH:MM:SS'`), which have none.
 */
import type { DatabaseSync } from 'node:sqlite';
import {
  EXTRACT_PARTS,
  type ExtractPart,
  instantAt,
  TRUNC_UNITS,
  type TruncUnit,
  timeZoneName,
  truncateWall,
  utc,
  wallPart,
  wallTime,
} from '../../time-zone.ts';

const UNITS = new Set<string>(TRUNC_UNITS);
const PARTS = new Set<string>(EXTRACT_PARTS);

const DATE = /^(-?\d{4,})-(\d{2})-(\d{2})$/u;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?/u;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A date's text as the wall time of a UTC clock at its midnight. */
function dateWall(text: string): number {
  const match = DATE.exec(text);
  if (!match) throw new Error(`volt date functions: ${JSON.stringify(text)} is not a date`);
  return utc(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

/** A stored datetime (ISO-8601 text) as ms since the epoch. */
function instantOf(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`volt date functions: ${JSON.stringify(text)} is not a datetime`);
  return ms;
}

function zoneOf(zone: unknown): string {
  const name = timeZoneName(zone);
  if (name === undefined) throw new Error(`volt date functions: ${JSON.stringify(zone)} is not a time zone`);
  return name;
}

/** `volt_trunc`: a datetime cut down in `zone` (the instant, as stored), or a date (its text). */
export function truncValue(unit: unknown, value: unknown, zone: unknown): string | null {
  if (typeof unit !== 'string' || !UNITS.has(unit))
    throw new Error(`volt_trunc: unknown unit ${String(unit)}`);
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (zone === null || zone === undefined) {
    const day = new Date(truncateWall(dateWall(text), unit as TruncUnit));
    return `${pad(day.getUTCFullYear(), 4)}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`;
  }
  const name = zoneOf(zone);
  const wall = truncateWall(wallTime(instantOf(text), name), unit as TruncUnit);
  return new Date(instantAt(wall, name)).toISOString();
}

/** `volt_extract`: a part of a datetime read in `zone`, or of a date or a time. */
export function extractValue(part: unknown, value: unknown, zone: unknown): number | null {
  if (typeof part !== 'string' || !PARTS.has(part))
    throw new Error(`volt_extract: unknown part ${String(part)}`);
  if (value === null || value === undefined) return null;
  const text = String(value);
  if (zone !== null && zone !== undefined)
    return wallPart(wallTime(instantOf(text), zoneOf(zone)), part as ExtractPart);
  if (DATE.test(text)) return wallPart(dateWall(text), part as ExtractPart);
  const time = TIME.exec(text);
  if (!time) throw new Error(`volt_extract: ${JSON.stringify(text)} is not a date or a time`);
  return part === 'hour' ? Number(time[1]) : part === 'minute' ? Number(time[2]) : Number(time[3] ?? 0);
}

/**
 * Registers `volt_trunc` and `volt_extract` on a connection: deterministic (the zone is an
 * argument), and callable from statements only, not from a schema other programs would read.
 */
export function registerDateFunctions(db: DatabaseSync): void {
  db.function('volt_trunc', { deterministic: true, directOnly: true }, truncValue);
  db.function('volt_extract', { deterministic: true, directOnly: true }, extractValue);
}
