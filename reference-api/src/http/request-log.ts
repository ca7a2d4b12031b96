/**
 * One line per request on stdout: `METHOD /path STATUS 1.2ms`. Never a body, a header
 * value or a query string (any of which may carry a password or token); the path is cut
 * at '?' and anything token-shaped in it is redacted anyway (a client may put a JWT in a
 * path segment of a 404).
 */
import type { FastifyInstance } from 'fastify';
import { Redactor } from '../../../lib/redact.ts';

export type LineWriter = (line: string) => void;

const MAX_PATH_LENGTH = 200;
const redactor = new Redactor();

export function logLine(method: string, url: string, status: number, elapsedMs: number): string {
  const path = redactor.text(url.split('?')[0] ?? '').replace(/[^\x21-\x7e]/g, '?');
  const shown = path.length > MAX_PATH_LENGTH ? `${path.slice(0, MAX_PATH_LENGTH)}…` : path;
  return `${method} ${shown} ${status} ${elapsedMs.toFixed(1)}ms`;
}

export function installRequestLog(app: FastifyInstance, write: LineWriter): void {
  app.addHook('onResponse', async (request, reply) => {
    write(logLine(request.method, request.url, reply.statusCode, reply.elapsedTime));
  });
}
