/**
 * Request bodies. Fastify's own parsers are replaced by one that only collects the text
 * (within the body limit, else 413); JSON parsing and schema validation happen in
 * `readBody`, called by each handler, so that:
 * - every failure becomes a FastAPI-style 422 rather than fastify's 400/415;
 * - a route can answer in its own order (POST /chat checks the bearer token first);
 * - a 405 route never reports a body problem instead of "method not allowed".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validate, type ContractTypes, type SchemaName } from '../../../contracts/index.ts';
import { bodyViolations, problem, type ValidationErrorBody } from './problems.ts';

/** What the catch-all parser hands to handlers: the text and the media type it came with. */
export class RawBody {
  constructor(
    readonly mediaType: string,
    readonly text: string,
  ) {}
}

/** application/json, or any structured-syntax `+json` type (RFC 6839), parameters ignored. */
const isJsonMediaType = (mediaType: string) => /^application\/(?:[\w.+-]+\+)?json$/.test(mediaType);

export function installBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  // '*' also receives requests without a Content-Type that still carry a body.
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, text, done) => {
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    done(null, new RawBody(mediaType, text as string));
  });
}

export type BodyResult<N extends SchemaName> = { ok: true; value: ContractTypes[N] } | { ok: false; error: ValidationErrorBody };

/**
 * The request body parsed as JSON and validated against the contract's schema `name`.
 * `adjust` may rewrite the parsed value before validation (only a fault passes one).
 */
export function readBody<N extends SchemaName>(request: FastifyRequest, name: N, adjust?: (parsed: unknown) => unknown): BodyResult<N> {
  const raw = request.body;
  if (!(raw instanceof RawBody) || raw.text.trim() === '') {
    return { ok: false, error: problem(['body'], 'Field required', 'missing') };
  }
  if (!isJsonMediaType(raw.mediaType)) {
    return {
      ok: false,
      error: problem(['header', 'content-type'], 'Content-Type must be application/json', 'content_type'),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.text);
  } catch {
    return { ok: false, error: problem(['body'], 'JSON decode error', 'json_invalid') };
  }
  const result = validate(name, adjust ? adjust(parsed) : parsed);
  return result.ok ? result : { ok: false, error: bodyViolations(result.violations) };
}
