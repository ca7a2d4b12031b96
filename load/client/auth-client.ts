/**
 * The typed client every load flow uses: sign-in, refresh and chat, each response checked
 * with the contract's own validators (contracts/), the same ones the Playwright suite uses.
 *
 * Each call records one request: its status, whether it failed (a status outside the
 * expected ones, or a transport error), whether it broke the contract (an expected status
 * with a body, media type or header the contract forbids), its duration from the write of
 * the request, and its corrected duration. The corrected duration of an iteration's first
 * request runs from the arrival's due time (coordinated omission, see load/README.md); a
 * later request of the same iteration was intended to start when it did, so its corrected
 * duration is its duration.
 */
import { createHash } from 'node:crypto';
import { validate, type ChatResponse, type SchemaName, type TokenResponse } from '../../contracts/index.ts';
import type { HttpResult, HttpTarget } from '../engine/http.ts';
import type { IntervalRecorder } from '../engine/metrics.ts';

export interface LoadAccount {
  email: string;
  password: string;
}

export interface ClientConfig {
  paths: { signIn: string; refresh: string; protected: string };
  apiVersion: string;
}

/** Check names, stable: thresholds may name them (`checks{check:…}`). */
export const CHECK = {
  status: (endpoint: string) => `${endpoint}: expected status`,
  contract: (endpoint: string) => `${endpoint}: response matches the contract`,
  tokenUnique: 'tokens: never issued twice',
  refreshSameUser: 'refresh: answers for the same user',
  reuseRefused: 'refresh: a spent refresh token is refused',
} as const;

const JSON_MEDIA = /^application\/(?:[\w.+-]*\+)?json\s*(;|$)/i;
const NO_STORE = /(^|,)\s*no-store\s*(,|$)/i;

interface Judged {
  failed: boolean;
  /** Contract problems as `path rule` lines; never a value from the body. */
  problems: string[];
  json: unknown;
}

function parseJson(text: string): unknown {
  try {
    return text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The shared digest of a token: enough to tell two apart, useless to anyone who reads it. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 16);
}

/** One iteration's view of the client: it knows the arrival's due time. */
export class IterationApi {
  private firstRequest = true;

  constructor(
    private readonly target: HttpTarget,
    private readonly recorder: IntervalRecorder,
    private readonly config: ClientConfig,
    private readonly dueEpochMs: number,
  ) {}

  private record(endpoint: string, result: HttpResult, judged: Judged): void {
    const first = this.firstRequest;
    this.firstRequest = false;
    const durationMs = result.endedAt - result.sentAt;
    const correctedMs = first ? Math.max(durationMs, result.endedAt - this.dueEpochMs) : durationMs;
    const contractFailure = judged.problems.length > 0;
    this.recorder.request(
      {
        endpoint,
        status: result.ok ? result.status : null,
        error: result.ok ? undefined : result.error,
        failed: judged.failed,
        contractFailure,
        durationMs,
        correctedMs,
      },
      result.endedAt,
    );
    this.recorder.check(CHECK.status(endpoint), !judged.failed, result.endedAt);
    if (result.ok && !judged.failed) this.recorder.check(CHECK.contract(endpoint), !contractFailure, result.endedAt);
    if (contractFailure) this.recorder.contractSample({ endpoint, status: result.ok ? result.status : null, problems: judged.problems.slice(0, 5) }, result.endedAt);
  }

  /** Judges a response against the expected statuses and, on success, the named schema. */
  private judge(result: HttpResult, expected: readonly number[], schema: SchemaName | undefined, tokenEndpoint: boolean): Judged {
    if (!result.ok) return { failed: true, problems: [], json: undefined };
    const failed = !expected.includes(result.status);
    if (failed) return { failed, problems: [], json: undefined };
    const problems: string[] = [];
    const type = result.headers['content-type'] ?? '';
    if (!JSON_MEDIA.test(type)) problems.push(`content-type is not JSON (${type.slice(0, 40) || 'none'})`);
    const json = parseJson(result.text);
    if (json === undefined) problems.push('$ body is not JSON');
    else if (schema) {
      const verdict = validate(schema, json);
      if (!verdict.ok) problems.push(...verdict.violations.map((v) => `${v.path} ${v.rule}`));
    }
    if (tokenEndpoint && result.status === 200 && !NO_STORE.test(result.headers['cache-control'] ?? '')) problems.push('Cache-Control lacks no-store');
    return { failed, problems, json };
  }

  private post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    return this.target.send({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  private noteTokens(tokens: TokenResponse, at: number): void {
    const second = Math.floor(at / 1000);
    for (const value of [tokens.access_token, tokens.refresh_token]) {
      this.recorder.token({ digest: tokenDigest(value), user: tokens.user.id, second }, at);
    }
  }

  /** POST sign-in; the token response when it held the contract, else null. */
  async signIn(account: LoadAccount): Promise<TokenResponse | null> {
    const result = await this.post(this.config.paths.signIn, { email: account.email, password: account.password });
    const judged = this.judge(result, [200], 'TokenResponse', true);
    this.record('sign-in', result, judged);
    if (judged.failed || judged.problems.length > 0) return null;
    const tokens = judged.json as TokenResponse;
    this.noteTokens(tokens, result.endedAt);
    return tokens;
  }

  /** POST refresh with the session's refresh token; checks the answer is for the same user. */
  async refresh(session: TokenResponse): Promise<TokenResponse | null> {
    const result = await this.post(this.config.paths.refresh, { token: session.refresh_token }, { 'x-api-version': this.config.apiVersion });
    const judged = this.judge(result, [200], 'TokenResponse', true);
    this.record('refresh', result, judged);
    if (judged.failed || judged.problems.length > 0) return null;
    const tokens = judged.json as TokenResponse;
    const sameUser = tokens.user.id === session.user.id;
    this.recorder.check(CHECK.refreshSameUser, sameUser, result.endedAt);
    if (!sameUser) this.recorder.refreshUserMismatch(result.endedAt);
    this.noteTokens(tokens, result.endedAt);
    return sameUser ? tokens : null;
  }

  /** POST the protected endpoint with the session's access token. */
  async chat(session: TokenResponse, message: string): Promise<ChatResponse | null> {
    const result = await this.post(
      this.config.paths.protected,
      { message },
      { authorization: `Bearer ${session.access_token}`, 'x-api-version': this.config.apiVersion },
    );
    const judged = this.judge(result, [200], 'ChatResponse', false);
    this.record('chat', result, judged);
    return judged.failed || judged.problems.length > 0 ? null : (judged.json as ChatResponse);
  }

  /**
   * Presents a refresh token that was already spent: the contract (decision 8) wants 401.
   * Recorded under its own endpoint tag so that its expected 401 never counts as a
   * failed refresh, and as the reuse check.
   */
  async replaySpent(spentRefreshToken: string): Promise<boolean> {
    const result = await this.post(this.config.paths.refresh, { token: spentRefreshToken }, { 'x-api-version': this.config.apiVersion });
    const judged = this.judge(result, [401], undefined, false);
    this.record('refresh-reuse', result, judged);
    const refused = result.ok && result.status === 401;
    this.recorder.check(CHECK.reuseRefused, refused, result.endedAt);
    this.recorder.reuseProbe(refused, result.endedAt);
    return refused;
  }
}
