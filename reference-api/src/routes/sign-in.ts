/**
 * POST /auth/sign-in: email and password for an access and a refresh token.
 * 200 TokenResponse; 401 with one body whatever went wrong (unknown email or wrong
 * password, after the same amount of hashing); 422 for a bad body; 429 + Retry-After
 * while the email is locked out.
 */
import type { FastifyInstance } from 'fastify';
import type { SignInBehaviour } from '../behaviour.ts';
import { readBody } from '../http/body.ts';
import { answerOtherMethods, type RouteConfig } from '../http/errors.ts';
import { TOO_MANY_ATTEMPTS } from '../http/problems.ts';
import { preventCaching } from '../http/token-response.ts';
import type { SessionService } from '../sessions.ts';

export const SIGN_IN_PATH = '/auth/sign-in';

export function signInRoutes(app: FastifyInstance, sessions: SessionService, behaviour: SignInBehaviour): void {
  const config: RouteConfig = { tokenEndpoint: true };
  app.post(SIGN_IN_PATH, { config }, async (request, reply) => {
    preventCaching(reply);
    const body = readBody(request, 'SignInRequest');
    if (!body.ok) return reply.code(422).send(body.error);

    const outcome = await sessions.signIn(body.value.email, body.value.password);
    switch (outcome.kind) {
      case 'signed-in':
        return reply.code(200).send(outcome.tokens);
      case 'locked':
        return reply.code(429).header('retry-after', String(outcome.retryAfterSeconds)).send(TOO_MANY_ATTEMPTS);
      case 'rejected': {
        const { status, detail } = behaviour.rejection(outcome.reason);
        return reply.code(status).send({ detail });
      }
    }
  });
  answerOtherMethods(app, SIGN_IN_PATH, ['POST']);
}
