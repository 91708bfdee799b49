/**
 * The class of the responses an app's server makes: headers checked once per app, and the
 * end of each response reported (for the access log).
 *
 * Node checks every header of every response, name and value, as it writes it: for the
 * security headers (about 600 bytes, the same on every response) that was 1–2 µs of a 13 µs
 * `/json` request. A header whose name and value were checked once, when the app started, is
 * written as it was checked: when the headers Fastify hands to `writeHead` carry one with
 * exactly that value, it is taken out of Node's checks and its line added to the head as is. A
 * value a hook or a handler changed is not the checked one, and goes through Node's checks; a
 * header removed is not written.
 */
import { IncomingMessage, ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import { Socket } from 'node:net';

/** Header names Node reads while writing the head (framing, keep-alive): never prechecked. */
const FRAMING = new Set([
  'connection',
  'content-length',
  'transfer-encoding',
  'date',
  'expect',
  'trailer',
  'keep-alive',
]);

/** Headers whose names and values were checked once; see {@link responseClass}. */
export class CheckedHeaders {
  readonly #lines = new Map<string, { value: string; line: string }>();

  /** Checks `headers` now (names lowercase, as Fastify keeps them); throws on an invalid one. */
  add(headers: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(headers)) {
      const key = name.toLowerCase();
      if (FRAMING.has(key)) continue;
      validateHeaderName(key);
      validateHeaderValue(key, value);
      this.#lines.set(key, { value, line: `${key}: ${value}\r\n` });
    }
  }

  /** How many there are. */
  get size(): number {
    return this.#lines.size;
  }

  /** The checked line of `name: value`, when that is one. */
  lineOf(name: string, value: unknown): string | undefined {
    const checked = this.#lines.get(name);
    return checked !== undefined && checked.value === value ? checked.line : undefined;
  }
}

type Head = Record<string, unknown>;

/** Whether this Node keeps a response's head as the text `_header` until it is sent (all do since 0.x). */
function headIsText(): boolean {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  res.writeHead(200, { 'x-check': '1' });
  const head = (res as unknown as { _header?: unknown })._header;
  return typeof head === 'string' && head.includes('\r\nx-check: 1\r\n') && head.endsWith('\r\n\r\n');
}

let textHead: boolean | undefined;

/**
 * A `ServerResponse` class (Node's `http.createServer({ ServerResponse })`) that writes the
 * headers of `checked` without checking them again, and calls `ended` once a response ends.
 */
export function responseClass(
  checked: CheckedHeaders,
  ended?: (res: ServerResponse) => void,
): typeof ServerResponse {
  textHead ??= headIsText();
  const precheck = textHead;
  class VoltResponse extends ServerResponse {
    override writeHead(statusCode: number, reason?: unknown, headers?: unknown): this {
      const head = (typeof reason === 'string' ? headers : reason) as Head | undefined;
      if (
        !precheck ||
        checked.size === 0 ||
        head === undefined ||
        head === null ||
        Array.isArray(head) ||
        this.req?.headers.expect !== undefined
      )
        return (super.writeHead as (...a: unknown[]) => this)(statusCode, reason, headers);
      let lines = '';
      const rest: Head = {};
      for (const name in head) {
        const value = head[name];
        const line = checked.lineOf(name, value);
        if (line === undefined) rest[name] = value;
        else lines += line;
      }
      if (lines === '') return (super.writeHead as (...a: unknown[]) => this)(statusCode, reason, headers);
      if (typeof reason === 'string') super.writeHead(statusCode, reason, rest as never);
      else super.writeHead(statusCode, rest as never);
      // The head ends with an empty line: the checked lines go before it. (Nothing is sent
      // before the first body chunk, or end().)
      const written = this as unknown as { _header: string | null; _headerSent: boolean };
      if (typeof written._header === 'string' && !written._headerSent)
        written._header = `${written._header.slice(0, -2)}${lines}\r\n`;
      return this;
    }

    override end(...args: unknown[]): this {
      if (ended === undefined || this.writableEnded) return (super.end as (...a: unknown[]) => this)(...args);
      const result = (super.end as (...a: unknown[]) => this)(...args);
      ended(this);
      return result;
    }
  }
  return VoltResponse as typeof ServerResponse;
}
