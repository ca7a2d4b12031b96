/**
 * A thin client for the three endpoints of the contract. It sends exactly what a test
 * asks for (raw bodies, odd methods, missing headers), records the elapsed time, and
 * remembers every issued token so that reports can redact it.
 */
import type { APIRequestContext } from '@playwright/test';
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

  constructor(
    private readonly request: APIRequestContext,
    readonly config: SuiteConfig,
    /** The target's origin: config.baseUrl, or config.expiryBaseUrl for expiry tests. */
    readonly baseUrl: string,
  ) {}

  async send(method: string, path: string, options: SendOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let data: string | Buffer | undefined;
    if (options.data !== undefined) {
      if (options.raw || typeof options.data === 'string' || Buffer.isBuffer(options.data)) {
        // As bytes: Playwright turns a string sent with a JSON content type into a JSON
        // string literal, so invalid JSON would silently arrive as valid JSON.
        data = Buffer.isBuffer(options.data) ? options.data : Buffer.from(String(options.data), 'utf8');
      } else {
        data = JSON.stringify(options.data);
        headers['content-type'] ??= 'application/json';
      }
    }
    const started = performance.now();
    const response = await this.request.fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      data,
      maxRedirects: 0,
      failOnStatusCode: false,
      timeout: options.timeoutMs ?? this.config.responseTimeLimitMs * 2,
    });
    const body = await response.body();
    const elapsedMs = performance.now() - started;
    const text = body.toString('utf8');
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    rememberTokens(json);
    const res = { method, path, status: response.status(), headers: response.headers(), text, json, elapsedMs };
    for (const observer of this.observers) observer(res);
    return res;
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
