/** Headers every response of a token endpoint carries (RFC 6749 §5.1; Pragma for HTTP/1.0 caches). */
import type { FastifyReply } from 'fastify';

export const NO_STORE_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

export function preventCaching(reply: FastifyReply): FastifyReply {
  return reply.headers(NO_STORE_HEADERS);
}
