import { parse as parseContentType } from 'content-type';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { sendProblem, type AppEnv } from './env.js';
import { duplicateKeyOf } from './json.js';
import { problem } from './problems.js';

const jsonMediaType = /^application\/([a-z0-9!#$&^_.-]+\+)?json$/;
const utf8 = new Set(['utf-8', 'utf8']);

/** What a Content-Type header declares, parsed by a real media-type parser: JSON in UTF-8, or why not. */
export function jsonMediaTypeOf(header: string | undefined): { ok: true } | { ok: false; reason: string } {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'the body must be JSON (Content-Type: application/json), not untyped' };
  let type: string;
  let charset: string | undefined;
  try {
    const parsed = parseContentType(header);
    type = parsed.type.toLowerCase();
    charset = parsed.parameters.charset?.toLowerCase();
  } catch {
    return { ok: false, reason: 'the Content-Type header is not a media type' };
  }
  if (!jsonMediaType.test(type)) return { ok: false, reason: `the body must be JSON (Content-Type: application/json), not ${type || 'untyped'}` };
  // JSON is UTF-8 (RFC 8259): a body declared in another charset would be read as what it is not.
  if (charset !== undefined && !utf8.has(charset)) return { ok: false, reason: `JSON is read as UTF-8 only, not charset=${charset}` };
  return { ok: true };
}

/**
 * 415 unless the body is declared JSON in UTF-8. This check is the only one:
 * the header is then rewritten to its canonical form, so the validators after it
 * (which match media types with their own patterns) agree with it.
 */
export const requireJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  const declared = jsonMediaTypeOf(c.req.header('content-type'));
  if (!declared.ok) return sendProblem(c, problem('unsupported-media-type', declared.reason));
  c.req.raw.headers.set('content-type', 'application/json');
  await next();
};

/** 413 past `maxBytes`, whether announced by Content-Length or found while reading. */
export const limitBody = (maxBytes: number): MiddlewareHandler =>
  bodyLimit({
    maxSize: maxBytes,
    // The rest of the body is not read: the connection cannot carry another request after it.
    onError: (c) => sendProblem(c, problem('payload-too-large', `the body exceeds ${maxBytes} bytes`), { connection: 'close' }),
  });

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads the body once (after the size limit) as strict UTF-8 JSON and refuses,
 * as malformed, bytes that are not UTF-8 and objects that name a key twice (where
 * `JSON.parse` silently keeps the last). The parsed value is left in the request's
 * body cache, where the validator reads it.
 */
export const readJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  // A body over the limit throws here, for the limit to answer: only the decoding is this check's.
  const bytes = await c.req.arrayBuffer();
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return sendProblem(c, problem('malformed-json', 'the body is not UTF-8'));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return sendProblem(c, problem('malformed-json', 'the body is not valid JSON'));
  }
  const duplicate = duplicateKeyOf(text);
  if (duplicate !== undefined) {
    return sendProblem(c, problem('malformed-json', `the key ${JSON.stringify(duplicate.key)} appears twice in one object`, { fields: [duplicate.path || '(body)'] }));
  }
  c.req.bodyCache.json = Promise.resolve(value);
  await next();
};
