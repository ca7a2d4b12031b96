/**
 * The single place where a fault rewrites responses: an onSend hook, registered only when
 * the behaviour carries a mutation (never in production), that exposes the response as an
 * OutgoingResponse and writes back what the mutation changed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MutationContext, OutgoingResponse, ResponseMutation } from '../behaviour.ts';
import { RawBody } from './body.ts';
import type { RouteConfig } from './errors.ts';

function outgoing(request: FastifyRequest, reply: FastifyReply, body: unknown): OutgoingResponse {
  const config = (request.routeOptions.config ?? {}) as RouteConfig;
  return {
    method: request.method,
    route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
    isTokenResponse: config.tokenEndpoint === true && reply.statusCode === 200,
    requestBody: parsedRequestBody(request.body),
    status: reply.statusCode,
    body,
    getHeader: (name) => {
      const value = reply.getHeader(name);
      return value === undefined ? undefined : String(value);
    },
    setHeader: (name, value) => {
      reply.header(name, value);
    },
    removeHeader: (name) => {
      reply.removeHeader(name);
    },
    destroyConnection: () => {
      request.raw.socket?.destroy();
    },
  };
}

/** The request's JSON as a value; text that is not JSON as the text itself. */
function parsedRequestBody(body: unknown): unknown {
  if (!(body instanceof RawBody)) return undefined;
  return parseJson(body.text) ?? body.text;
}

function parseJson(payload: unknown): unknown {
  if (typeof payload !== 'string') return undefined;
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

export function installResponseMutation(app: FastifyInstance, mutate: ResponseMutation, context: MutationContext): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const body = parseJson(payload);
    const response = outgoing(request, reply, body);
    await mutate(response, context);
    if (response.status !== reply.statusCode) reply.code(response.status);
    if (response.rawText !== undefined) return response.rawText;
    // Mutations may edit the parsed body in place, so any JSON body is serialized again.
    return response.body === undefined ? payload : JSON.stringify(response.body);
  });
}
