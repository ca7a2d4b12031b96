/**
 * POST /auth/refresh-token: body {"token": <refresh token>} for a new access token and a
 * rotated refresh token (contract decision 1 and 8). The Authorization header is optional
 * and ignored: a client whose access token has expired must still be able to refresh
 * (only the `refresh-requires-valid-bearer` fault reads it).
 * Every rejection (bad, expired, reused, revoked or wrong-kind token) is the same 401
 * (RFC 6749 §5.2 "invalid_grant" in spirit, FastAPI-shaped in body).
 */
import type { FastifyInstance } from 'fastify';
import { bearerToken } from '../http/bearer.ts';
import { readBody } from '../http/body.ts';
import { answerOtherMethods, type RouteConfig } from '../http/errors.ts';
import { INVALID_TOKEN } from '../http/problems.ts';
import { preventCaching } from '../http/token-response.ts';
import type { RefreshBehaviour } from '../behaviour.ts';
import type { SessionService } from '../sessions.ts';
import type { TokenService, VerifyPolicy } from '../tokens.ts';

export const REFRESH_PATH = '/auth/refresh-token';

export function refreshRoutes(app: FastifyInstance, sessions: SessionService, tokens: TokenService, behaviour: RefreshBehaviour): void {
  const config: RouteConfig = { tokenEndpoint: true };
  const bearerPolicy: VerifyPolicy = { accept: ['access'], verifySignature: true, checkExpiry: true };
  app.post(REFRESH_PATH, { config }, async (request, reply) => {
    preventCaching(reply);
    if (behaviour.requireValidBearer) {
      const bearer = bearerToken(request.headers.authorization);
      if (bearer.presented && !(bearer.token && (await tokens.verify(bearer.token, bearerPolicy)))) return reply.code(401).send(INVALID_TOKEN);
    }
    const body = readBody(request, 'RefreshRequest');
    if (!body.ok) return reply.code(422).send(body.error);

    const outcome = await sessions.refresh(body.value.token);
    return outcome.kind === 'refreshed' ? reply.code(200).send(outcome.tokens) : reply.code(401).send(INVALID_TOKEN);
  });
  answerOtherMethods(app, REFRESH_PATH, ['POST']);
}
