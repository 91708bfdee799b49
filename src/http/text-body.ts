/**
 * Request bodies as text: read as bytes and checked to be UTF-8 before they are decoded.
 * `Buffer#toString('utf8')` (what Fastify's string parsers use) silently turns invalid bytes
 * (an overlong `C0 AE`, a lone continuation byte `80`, a cut-off sequence, an encoded surrogate)
 * into U+FFFD, so a handler would store text the client never sent. A plain-text body holding
 * NUL is a 422, as a JSON string or a form field holding one is.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { HttpError, RequestValidationError } from './errors.ts';
import { nulError } from './text-checks.ts';

/** The media type of plain text bodies. */
export const TEXT_CONTENT_TYPE = 'text/plain';

/**
 * Decodes a body as UTF-8, or throws a 400 {@link HttpError} when its bytes are not UTF-8.
 *
 * @example
 * ```ts
 * utf8Body(Buffer.from('café')); // 'café'
 * utf8Body(Buffer.from([0xc0, 0xae])); // throws: 400, "The request body is not valid UTF-8."
 * ```
 */
export function utf8Body(body: Buffer): string {
  // isUtf8 is a single SIMD pass (simdutf); decoding afterwards cannot replace anything.
  if (!isUtf8(body)) throw new HttpError(400, { detail: 'The request body is not valid UTF-8.' });
  return body.toString('utf8');
}

/**
 * Replaces Fastify's `text/plain` parser (which decodes leniently) with a strict one: bytes that
 * are not UTF-8 are a 400, a NUL character a 422 on `body`. Routes take plain text only when
 * their `bodyTypes` list it.
 */
export function installTextParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser(TEXT_CONTENT_TYPE);
  fastify.addContentTypeParser(TEXT_CONTENT_TYPE, { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = utf8Body(body as Buffer);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    // A NUL byte is a NUL character in UTF-8: found in the bytes, without searching the string.
    if ((body as Buffer).includes(0)) {
      done(new RequestValidationError([nulError(['body'])]), undefined);
      return;
    }
    done(null, text);
  });
}
