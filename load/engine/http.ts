/**
 * HTTP for the load engine: one undici Pool per origin, keep-alive, connections capped at
 * the in-flight cap so that a request never waits in the client's own queue (that wait
 * would be counted as server time). Every request is bounded: one deadline (LOAD_TIMEOUT)
 * from connect to the last byte of the body, and a body cap (LOAD_MAX_BODY) past which
 * the body is not read and its connection is destroyed. Failures that are not an HTTP
 * status are classified: connect, timeout, reset, body_too_large, other.
 */
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Classes of failure that are not an HTTP status. */
export type TransportErrorKind = 'connect' | 'timeout' | 'reset' | 'body_too_large' | 'abandoned' | 'other';

const KIND_WORDS: Record<TransportErrorKind, string> = {
  connect: 'connection refused or unreachable',
  timeout: 'no complete answer within LOAD_TIMEOUT',
  reset: 'connection reset',
  body_too_large: 'body larger than LOAD_MAX_BODY',
  abandoned: 'still in flight when the grace period ended',
  other: 'transport error',
};

/** A failure kind in words, for summaries and reports. */
export function describeErrorKind(kind: TransportErrorKind): string {
  return KIND_WORDS[kind];
}

export type HttpResult =
  | { ok: true; status: number; headers: Record<string, string>; text: string; sentAt: number; endedAt: number }
  /** `detail` is short and names the target (`connection refused (127.0.0.1:9)`), never a token or a body. */
  | { ok: false; error: TransportErrorKind; detail: string; sentAt: number; endedAt: number };

/** LOAD_MAX_BODY's default: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpOptions {
  connections: number;
  /** One deadline for the whole request: connect, headers and body to the last byte. */
  timeoutMs: number;
  /** A larger body is not read: the request fails with `body_too_large`. Default 1 MiB. */
  maxBodyBytes?: number;
}

const CONNECT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
// A connection closed before the answer was complete ("other side closed", a body cut short
// after its headers) is a reset, whichever layer noticed it.
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);
const TOO_LARGE = new Set(['UND_ERR_RES_EXCEEDED_MAX_SIZE']);

/** Response headers as one string per lower-case name (repeated headers joined with ", "). */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The error codes of an error and of its causes, outermost first (undici wraps the socket's own error as `cause`). */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

export function classifyError(error: unknown): TransportErrorKind {
  const codes = codesOf(error);
  // The socket's own reason, when undici wrapped one, says more than undici's wrapper.
  const inner = codes.filter((code) => code !== 'UND_ERR_SOCKET');
  for (const code of inner) {
    if (CONNECT.has(code)) return 'connect';
    if (TIMEOUT.has(code)) return 'timeout';
    if (TOO_LARGE.has(code)) return 'body_too_large';
    if (RESET.has(code)) return 'reset';
  }
  if (codes.includes('UND_ERR_SOCKET')) return 'reset';
  if (/other side closed/i.test((error as Error | undefined)?.message ?? '')) return 'reset';
  return 'other';
}

const CONNECT_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not resolved',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
};

/** `1048576` → `1 MiB`, `524288` → `512 KiB`, `1000` → `1000 B`. */
function formatBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % (size / 1024) === 0) return `${Math.round((bytes / size) * 1000) / 1000} ${unit}`;
  }
  return `${bytes} B`;
}

/** A body past the cap: the reason its request was aborted. */
class BodyTooLarge extends Error {}

/** The deadline passed: the reason the request was aborted. */
class DeadlinePassed extends Error {}

/** Epoch milliseconds with sub-millisecond resolution, comparable across threads. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** A request in flight, as the deadline sweep sees it. */
interface InFlight {
  deadlineAt: number;
  controller: Dispatcher.DispatchController | undefined;
  expired: boolean;
}

export class HttpTarget {
  private readonly pool: Pool;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  /** host:port, as the failure details name it. */
  private readonly where: string;
  /**
   * Requests in flight, swept for their deadline a few times per timeout: one timer for
   * all of them instead of one (and an AbortController) per request, which at a thousand
   * requests a second is a measurable share of the generator's CPU.
   */
  private readonly inFlight = new Set<InFlight>();
  private sweeper: NodeJS.Timeout | undefined;
  /** Set when the grace period ended: requests cut now were abandoned, not failed by the target. */
  private abandoning = false;
  private readonly sweepEveryMs: number;

  constructor(
    readonly origin: string,
    options: HttpOptions,
  ) {
    this.timeoutMs = options.timeoutMs;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.sweepEveryMs = Math.min(100, Math.max(5, Math.floor(options.timeoutMs / 20)));
    const url = new URL(origin);
    this.where = url.port ? url.host : `${url.host}:${url.protocol === 'https:' ? 443 : 80}`;
    this.pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  private sweep(): void {
    const now = nowMs();
    for (const request of this.inFlight) {
      if (now < request.deadlineAt || request.expired) continue;
      request.expired = true;
      request.controller?.abort(new DeadlinePassed(`no complete answer within ${this.timeoutMs} ms`));
    }
    if (this.inFlight.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /**
   * Sends one request and reads its body, within the deadline and the body cap, through
   * undici's dispatch handler: chunks are counted as they arrive; past the cap (or when
   * Content-Length announces more) the request is aborted, which destroys its connection,
   * so the rest is never read.
   */
  send(request: HttpRequest): Promise<HttpResult> {
    const sentAt = nowMs();
    const entry: InFlight = { deadlineAt: sentAt + this.timeoutMs, controller: undefined, expired: false };
    this.inFlight.add(entry);
    this.sweeper ??= setInterval(() => this.sweep(), this.sweepEveryMs).unref();
    return new Promise<HttpResult>((resolve) => {
      let status = 0;
      let headers: Record<string, string> = {};
      const chunks: Buffer[] = [];
      let received = 0;
      let tooLarge: string | undefined;
      const finish = (result: HttpResult) => {
        this.inFlight.delete(entry);
        resolve(result);
      };
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (controller) => {
          entry.controller = controller;
          if (entry.expired) controller.abort(new DeadlinePassed('deadline passed before the request started'));
        },
        onResponseStart: (controller, statusCode, responseHeaders) => {
          // 1xx answers come before the final one.
          if (statusCode < 200) return;
          status = statusCode;
          headers = flattenHeaders(responseHeaders);
          const declared = Number(headers['content-length']);
          if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
            tooLarge = `Content-Length ${declared} above ${formatBytes(this.maxBodyBytes)}`;
            controller.abort(new BodyTooLarge(tooLarge));
          }
        },
        onResponseData: (controller, chunk) => {
          received += chunk.length;
          if (received > this.maxBodyBytes) {
            tooLarge ??= `body larger than ${formatBytes(this.maxBodyBytes)}`;
            controller.abort(new BodyTooLarge(tooLarge));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd: () => {
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
          finish({ ok: true, status, headers, text, sentAt, endedAt: nowMs() });
        },
        onResponseError: (_controller, error) => {
          if (tooLarge !== undefined) finish(this.failure('body_too_large', tooLarge, sentAt));
          else if (this.abandoning) finish(this.failure('abandoned', describeErrorKind('abandoned'), sentAt));
          else if (entry.expired || error instanceof DeadlinePassed) finish(this.failure('timeout', `no complete answer within ${this.timeoutMs} ms`, sentAt));
          else {
            const kind = classifyError(error);
            finish(this.failure(kind, this.words(kind, error), sentAt));
          }
        },
      };
      try {
        this.pool.dispatch({ method: request.method, path: request.path, headers: request.headers, body: request.body }, handler);
      } catch (error) {
        const kind = classifyError(error);
        finish(this.failure(kind, this.words(kind, error), sentAt));
      }
    });
  }

  private failure(error: TransportErrorKind, words: string, sentAt: number): HttpResult {
    return { ok: false, error, detail: `${words} (${this.where})`, sentAt, endedAt: nowMs() };
  }

  /** Short words for a failure; undici's own message only for `other`, on one short line. */
  private words(kind: TransportErrorKind, error: unknown): string {
    const codes = codesOf(error);
    switch (kind) {
      case 'connect':
        return CONNECT_WORDS[codes.find((code) => code in CONNECT_WORDS) ?? ''] ?? describeErrorKind(kind);
      case 'timeout':
        return codes.includes('UND_ERR_HEADERS_TIMEOUT') ? `no headers within ${this.timeoutMs} ms` : `no complete answer within ${this.timeoutMs} ms`;
      case 'reset':
        return codes.includes('ECONNRESET') ? 'connection reset' : 'connection closed before the answer was complete';
      case 'body_too_large':
        return `body larger than ${formatBytes(this.maxBodyBytes)}`;
      case 'abandoned':
        return describeErrorKind(kind);
      case 'other': {
        const message = (error as Error | undefined)?.message?.split('\n')[0] ?? String(error);
        return `${describeErrorKind(kind)}: ${message.slice(0, 120)}`;
      }
    }
  }

  /** Closes the connections; `abandon` destroys them with whatever is still in flight. */
  async close(abandon = false): Promise<void> {
    this.abandoning = abandon;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    if (abandon) await this.pool.destroy().catch(() => undefined);
    else await this.pool.close().catch(() => this.pool.destroy());
  }
}
