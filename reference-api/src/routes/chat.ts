/**
 * POST /chat: the protected endpoint. Checks, in this order:
 * 1. `Authorization: Bearer <access token>` (RFC 6750 §2.1), in an onRequest hook so no
 *    body is even parsed for an unauthenticated caller; failures are 401 with a
 *    `WWW-Authenticate: Bearer` challenge, plus `error="invalid_token"` when a token was
 *    presented (RFC 6750 §3, §3.1);
 * 2. the X-API-Version header (required by the documentation; missing → 422);
 * 3. the ChatRequest body (422).
 * The answer is deterministic (no model): it restates the message and the target context.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatBehaviour } from '../behaviour.ts';
import { bearerToken } from '../http/bearer.ts';
import { readBody } from '../http/body.ts';
import { answerOtherMethods } from '../http/errors.ts';
import { INVALID_TOKEN, NOT_AUTHENTICATED, problem } from '../http/problems.ts';
import type { TokenService, VerifyPolicy } from '../tokens.ts';

export const CHAT_PATH = '/chat';
const REALM = 'puppilot';

function challenge(reply: FastifyReply, tokenPresented: boolean) {
  const value = tokenPresented ? `Bearer realm="${REALM}", error="invalid_token"` : `Bearer realm="${REALM}"`;
  return reply.code(401).header('www-authenticate', value).send(tokenPresented ? INVALID_TOKEN : NOT_AUTHENTICATED);
}

/** Deterministic stand-in for the model's answer. */
export function answer(message: string, targetContext: string | undefined): string {
  const context = targetContext?.trim()
    ? `with ${targetContext.length} characters of target context beginning "${targetContext.trim().slice(0, 40)}"`
    : 'without target context';
  return `Reference answer to "${message.slice(0, 200)}" (${message.length} characters), ${context}.`;
}

/** Lax parsing (the chat-coerces-types fault): numbers, booleans and null become strings. */
function coerceStrings(parsed: unknown): unknown {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed;
  const lax = (value: unknown) =>
    typeof value === 'number' || typeof value === 'boolean' ? String(value) : value === null ? '' : value;
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, lax(value)]));
}

export function chatRoutes(app: FastifyInstance, tokens: TokenService, behaviour: ChatBehaviour): void {
  const policy: VerifyPolicy = {
    accept: behaviour.acceptRefreshTokens ? ['access', 'refresh'] : ['access'],
    verifySignature: behaviour.verifySignature,
    checkExpiry: behaviour.checkExpiry,
  };

  /** The header as the behaviour reads it; production reads it with bearerToken alone. */
  const readAuthorization = (header: string | undefined): ReturnType<typeof bearerToken> => {
    if (behaviour.scheme === 'exact-case' && header !== undefined && !header.startsWith('Bearer ')) return { presented: false };
    if (behaviour.scheme === 'any-scheme') {
      const second = header?.trim().split(/\s+/)[1];
      if (second !== undefined) return { presented: true, token: second };
    }
    return bearerToken(header);
  };

  async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const bearer = readAuthorization(request.headers.authorization);
    if (!bearer.presented) {
      if (behaviour.requireToken) return challenge(reply, false);
      return;
    }
    const verified = bearer.token ? await tokens.verify(bearer.token, policy) : null;
    if (!verified) return challenge(reply, true);
  }

  app.post(CHAT_PATH, { onRequest: authenticate }, async (request, reply) => {
    const version = request.headers['x-api-version'];
    if (behaviour.requireApiVersion && (typeof version !== 'string' || version.trim() === '')) {
      return reply.code(422).send(problem(['header', 'x-api-version'], 'Field required', 'missing'));
    }
    const body = readBody(request, 'ChatRequest', behaviour.coerceTypes ? coerceStrings : undefined);
    if (!body.ok) return reply.code(422).send(body.error);
    const { message, target_context, conversation_id } = body.value;
    return reply.code(200).send({ output: answer(message, target_context), conversation_id: conversation_id ?? randomUUID() });
  });
  answerOtherMethods(app, CHAT_PATH, ['POST']);
}
