/**
 * HTTP for the load engine: one undici Pool per origin, keep-alive, connections capped at
 * the in-flight cap so that a request never waits in the client's own queue (that wait
 * would be counted as server time). Bounded timeouts for connect, headers and body.
 * Failures that are not an HTTP status are classified: connect, timeout, reset, other.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { TransportErrorKind } from './summary-types.ts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export type HttpResult =
  | { ok: true; status: number; headers: Record<string, string>; text: string; sentAt: number; endedAt: number }
  | { ok: false; error: TransportErrorKind; detail: string; sentAt: number; endedAt: number };

export interface HttpOptions {
  connections: number;
  timeoutMs: number;
}

const CONNECT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

export function classifyError(error: unknown): TransportErrorKind {
  let e: unknown = error;
  // undici wraps the socket's own error as `cause`.
  for (let depth = 0; depth < 3 && e; depth += 1) {
    const code = (e as { code?: string }).code;
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect';
    if (code && CONNECT.has(code)) return 'connect';
    if (code && TIMEOUT.has(code)) return 'timeout';
    if (code && RESET.has(code) && code !== 'UND_ERR_SOCKET') return 'reset';
    if (code === 'UND_ERR_SOCKET') {
      const inner = (e as { cause?: unknown }).cause;
      if (!inner) return 'reset';
      e = inner;
      continue;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return 'other';
}

/** Epoch milliseconds with sub-millisecond resolution, comparable across threads. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export class HttpTarget {
  private readonly pool: Pool;

  constructor(
    readonly origin: string,
    options: HttpOptions,
  ) {
    this.pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  async send(request: HttpRequest): Promise<HttpResult> {
    const sentAt = nowMs();
    try {
      const response = await this.pool.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
      });
      const text = await response.body.text();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { ok: true, status: response.statusCode, headers, text, sentAt, endedAt: nowMs() };
    } catch (error) {
      const message = (error as Error).message?.split('\n')[0] ?? String(error);
      return { ok: false, error: classifyError(error), detail: message, sentAt, endedAt: nowMs() };
    }
  }

  /** Closes the connections; `abandon` destroys them with whatever is still in flight. */
  async close(abandon = false): Promise<void> {
    if (abandon) await this.pool.destroy().catch(() => undefined);
    else await this.pool.close().catch(() => this.pool.destroy());
  }
}
