/** GET /.well-known/jwks.json: the public signing key(s), so clients can verify tokens (RFC 7517). */
import type { FastifyInstance } from 'fastify';
import { answerOtherMethods } from '../http/errors.ts';
import type { TokenService } from '../tokens.ts';

export const JWKS_PATH = '/.well-known/jwks.json';
export const HEALTH_PATH = '/healthz';

export function jwksRoutes(app: FastifyInstance, tokens: TokenService): void {
  app.get(JWKS_PATH, async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(tokens.jwks()));
  // Readiness for Playwright's webServer and load balancers: answers once seeding is done.
  app.get(HEALTH_PATH, async () => ({ status: 'ok' }));
  for (const path of [JWKS_PATH, HEALTH_PATH]) answerOtherMethods(app, path, ['GET', 'HEAD']);
}
