/**
 * The catch-all error paths: unknown routes (404), other methods on known paths (405 with
 * Allow, RFC 9110 §15.5.6), and an error handler that turns any client-caused error into a
 * 4xx. Nothing a client sends may produce a 5xx; a genuine internal error is a bare 500
 * whose body names neither the error, nor a stack, nor a file.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INTERNAL_ERROR, METHOD_NOT_ALLOWED, NOT_FOUND, PAYLOAD_TOO_LARGE, problem } from './problems.ts';

/** Route config marking a route that exists only to answer 405. */
export interface RouteConfig {
  /** The Allow header of a 405 route, e.g. 'POST'. */
  allow?: string;
  /** Sign-in and refresh: their 200s are token responses. */
  tokenEndpoint?: boolean;
}

/** The methods a known path answers with 405 when it does not serve them. */
const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

function sendMethodNotAllowed(reply: FastifyReply, allow: string) {
  return reply.code(405).header('allow', allow).send(METHOD_NOT_ALLOWED);
}

/** Registers a 405 route for every method of ALL_METHODS not in `allowed`. */
export function answerOtherMethods(app: FastifyInstance, url: string, allowed: ReadonlyArray<string>): void {
  const allow = allowed.join(', ');
  const config: RouteConfig = { allow };
  app.route({
    method: ALL_METHODS.filter((method) => !allowed.includes(method)),
    url,
    config,
    exposeHeadRoute: false,
    handler: (_request, reply) => sendMethodNotAllowed(reply, allow),
  });
}

/**
 * Errors raised by fastify's router before any route or hook runs (a URL that does not
 * percent-decode, an over-long parameter). Its default answer quotes the URL back; ours
 * says only that the request was bad.
 */
export function answerFrameworkError(_error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(400).send({ detail: 'Bad Request' });
}

const routeConfig = (request: FastifyRequest): RouteConfig => (request.routeOptions.config ?? {}) as RouteConfig;

export function installErrorHandlers(app: FastifyInstance, reportInternalError: (error: unknown) => void): void {
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(NOT_FOUND));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const allow = routeConfig(request).allow;
    if (allow !== undefined) return sendMethodNotAllowed(reply, allow);

    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(PAYLOAD_TOO_LARGE);
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(422).send(problem(['header', 'content-type'], 'Content-Type must be application/json', 'content_type'));
    }
    if (status >= 400 && status < 500) {
      // Malformed Content-Length, aborted bodies, bad URLs, ...: the client's doing. Keep
      // the status, replace fastify's message (it may quote the request).
      return reply.code(status).send({ detail: status === 400 ? 'Bad Request' : 'Request rejected' });
    }
    reportInternalError(error);
    return reply.code(500).send(INTERNAL_ERROR);
  });
}
