/**
 * A thin client for the three endpoints of the contract. It sends exactly what a test
 * asks for (raw bodies, odd methods, missing headers) and nothing else: no cookie jar, no
 * redirect following, no header the test did not set but Host, Content-Length and
 * Connection. It records the elapsed time and remembers every issued token so that
 * reports can redact it.
 *
 * HTTP goes through node:http(s) with a keep-alive agent per client rather than
 * Playwright's request context: that one records every call as a report step with a
 * captured stack, which for a suite made of a few hundred requests was most of the
 * runner's CPU time.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Account, SuiteConfig } from '../../lib/config.ts';
import type { TokenResponse } from '../../contracts/index.ts';
import { rememberTokens } from './secrets.ts';

export interface ApiResponse {
  method: string;
  /** The path requested, relative to the target (never contains a secret). */
  path: string;
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  elapsedMs: number;
}

export interface SendOptions {
  /** A value to send as JSON, or a string/Buffer sent as is. */
  data?: unknown;
  headers?: Record<string, string>;
  /** Send `data` as is without a JSON content type (for raw-body tests). */
  raw?: boolean;
  timeoutMs?: number;
}

export class AuthApi {
  /** Called with every response (the error-body check of specs/fixtures.ts listens here). */
  private readonly observers = new Set<(res: ApiResponse) => void>();

  /** Calls `observer` with each response until the returned function is called. */
  observe(observer: (res: ApiResponse) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Keep connections alive between requests (the timing samples measure the target, not TCP set-up). */
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(
    readonly config: SuiteConfig,
    /** The target's origin: config.baseUrl, or config.expiryBaseUrl for expiry tests. */
    readonly baseUrl: string,
  ) {}

  /** Closes the client's connections. */
  async close(): Promise<void> {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  async send(method: string, path: string, options: SendOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let data: string | Buffer | undefined;
    if (options.data !== undefined) {
      if (options.raw || typeof options.data === 'string' || Buffer.isBuffer(options.data)) {
        // As bytes, exactly as given: invalid JSON must arrive invalid.
        data = Buffer.isBuffer(options.data) ? options.data : Buffer.from(String(options.data), 'utf8');
      } else {
        data = JSON.stringify(options.data);
        headers['content-type'] ??= 'application/json';
      }
    }
    const timeoutMs = options.timeoutMs ?? this.config.responseTimeLimitMs * 2;
    const started = performance.now();
    const response = await this.exchange(method, `${this.baseUrl}${path}`, headers, data, timeoutMs);
    const body = response.body;
    const elapsedMs = performance.now() - started;
    const text = body.toString('utf8');
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    rememberTokens(json);
    const res = { method, path, status: response.status, headers: headerRecord(response.headers), text, json, elapsedMs };
    for (const observer of this.observers) observer(res);
    return res;
  }

  /** One request and its whole answer; rejects on a transport failure or after `timeoutMs`. */
  private exchange(method: string, url: string, headers: Record<string, string>, data: string | Buffer | undefined, timeoutMs: number) {
    return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const https = url.startsWith('https:');
      const outgoing = { ...headers, ...(data === undefined ? {} : { 'content-length': String(Buffer.byteLength(data)) }) };
      const req = (https ? httpsRequest : httpRequest)(url, { method, headers: outgoing, agent: https ? this.agents.https : this.agents.http }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url.slice(this.baseUrl.length)}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  signIn(account: Account, options: Omit<SendOptions, 'data'> = {}): Promise<ApiResponse> {
    return this.send('POST', this.config.paths.signIn, { ...options, data: { email: account.email, password: account.password } });
  }

  /** POST the refresh endpoint with `{"token": refreshToken}`; no Authorization header unless given. */
  refresh(refreshToken: string, options: Omit<SendOptions, 'data'> = {}): Promise<ApiResponse> {
    return this.send('POST', this.config.paths.refresh, { ...options, data: { token: refreshToken } });
  }

  /**
   * POST the protected endpoint. `bearer` undefined sends no Authorization header;
   * `apiVersion: null` leaves out X-API-Version.
   */
  chat(bearer: string | undefined, options: { message?: string; apiVersion?: string | null; authorization?: string } = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    const authorization = options.authorization ?? (bearer === undefined ? undefined : `Bearer ${bearer}`);
    if (authorization !== undefined) headers.authorization = authorization;
    if (options.apiVersion !== null) headers['x-api-version'] = options.apiVersion ?? this.config.apiVersion;
    return this.send('POST', this.config.paths.protected, { headers, data: { message: options.message ?? 'Hello from the contract suite' } });
  }

  /** The body of a response already checked against the contract. */
  static tokens(response: ApiResponse): TokenResponse {
    return response.json as TokenResponse;
  }
}

/** Header names in lower case; a repeated header's values joined with ", " (RFC 9110 §5.3). */
function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
