/**
 * The typed client every load flow uses: sign-in, refresh and chat. Each call sends one
 * request, judges the answer (an expected status, then the contract's checks from
 * checks.ts, which validate with contracts/, the same validators as the Playwright suite)
 * and emits its samples into the thread's sink: `http_reqs`, `http_req_failed`, the two
 * durations, `checks` and `contract_failures`. It holds no recorder.
 *
 * The corrected duration of an iteration's first request runs from the arrival's due time
 * (coordinated omission, see load/README.md); a later request of the same iteration was
 * intended to start when it did, so its corrected duration is its duration.
 */
import { createHash } from 'node:crypto';
import type { ChatResponse, TokenResponse } from '../../contracts/index.ts';
import type { HttpResult, HttpTarget } from '../engine/http.ts';
import type { Tags } from '../engine/registry.ts';
import { contractCheck, type SampleSink } from '../engine/samples.ts';
import { INVARIANT_CHECKS } from '../engine/summary.ts';
import type { LoadAccount, TargetApi } from '../engine/workload.ts';
import { jsonBody, matchesSchema, parseJson, runChecks, tokenContract, type ResponseCheck } from './checks.ts';

export type { LoadAccount };

/** Check names, stable: thresholds may name them (`checks{check:…}`). */
export const CHECK = {
  status: (endpoint: string) => `${endpoint}: expected status`,
  contract: contractCheck,
  ...INVARIANT_CHECKS,
} as const;

/** The shared digest of a token: enough to tell two apart, useless to anyone who reads it. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 16);
}

const CHAT_CHECKS: readonly ResponseCheck[] = [jsonBody, matchesSchema('ChatResponse')];

/** Tag objects are made once per endpoint (and status): samples are many, their tags few. */
class EndpointTags {
  readonly endpoint: Tags;
  readonly statusCheck: Tags;
  readonly contractCheck: Tags;
  private readonly byOutcome = new Map<string, Tags>();
  private readonly byFailure = new Map<string, Tags>();

  constructor(readonly name: string) {
    this.endpoint = Object.freeze({ endpoint: name });
    this.statusCheck = Object.freeze({ check: CHECK.status(name) });
    this.contractCheck = Object.freeze({ check: CHECK.contract(name) });
  }

  request(result: HttpResult): Tags {
    const key = result.ok ? String(result.status) : `!${result.error}`;
    let tags = this.byOutcome.get(key);
    if (!tags) {
      const made: Record<string, string> = result.ok ? { endpoint: this.name, status: key } : { endpoint: this.name, error: result.error };
      tags = Object.freeze(made);
      this.byOutcome.set(key, tags);
    }
    return tags;
  }

  /** `http_req_failed`'s tags: a failed request names its reason (the status, or the transport error's kind). */
  failure(result: HttpResult): Tags {
    const reason = result.ok ? String(result.status) : result.error;
    let tags = this.byFailure.get(reason);
    if (!tags) {
      tags = Object.freeze({ endpoint: this.name, reason });
      this.byFailure.set(reason, tags);
    }
    return tags;
  }
}

const TAGS = new Map<string, EndpointTags>();
const tagsOf = (endpoint: string): EndpointTags => {
  let t = TAGS.get(endpoint);
  if (!t) TAGS.set(endpoint, (t = new EndpointTags(endpoint)));
  return t;
};

const REFRESH_SAME_USER = Object.freeze({ check: CHECK.refreshSameUser });
const REUSE_REFUSED = Object.freeze({ check: CHECK.reuseRefused });

/** One iteration's view of the client: it knows the arrival's due time. */
export class IterationApi {
  private firstRequest = true;
  /** Calls that did not hold (a failed request, a broken contract, a broken invariant). */
  failures = 0;

  constructor(
    private readonly http: HttpTarget,
    private readonly sink: SampleSink,
    private readonly api: TargetApi,
    private readonly dueEpochMs: number,
    /** The fraction of responses whose contract is checked; the rest are counted, not judged. */
    private readonly checkSample = 1,
  ) {}

  /**
   * Sends a request and emits its samples. `held`: the status was the expected one and
   * every check held; `json`: the parsed body of an answer with the expected status
   * (whether or not it held: invariants are judged on it too).
   */
  private async call(
    endpoint: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    expected: number,
    checks: readonly ResponseCheck[],
  ): Promise<{ held: boolean; json: unknown; status: number | null }> {
    const result = await this.http.send({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const first = this.firstRequest;
    this.firstRequest = false;
    const at = result.endedAt;
    const durationMs = at - result.sentAt;
    const tags = tagsOf(endpoint);
    const failed = !result.ok || result.status !== expected;
    let problems: string[] = [];
    let json: unknown;
    // A declared sample (LOAD_CHECK_SAMPLE) of the responses is judged; the summary says how many.
    const judged = !failed && (this.checkSample >= 1 || Math.random() < this.checkSample);
    if (result.ok && !failed) {
      json = parseJson(result.text);
      if (judged) problems = runChecks(checks, { status: result.status, headers: result.headers, json });
    }
    const sink = this.sink;
    sink.sample('http_reqs', tags.request(result), 1, at);
    sink.sample('http_req_failed', failed ? tags.failure(result) : tags.endpoint, failed ? 1 : 0, at);
    sink.sample('http_req_duration', tags.endpoint, durationMs, at);
    sink.sample('http_req_duration_corrected', tags.endpoint, first ? Math.max(durationMs, at - this.dueEpochMs) : durationMs, at);
    sink.sample('checks', tags.statusCheck, failed ? 0 : 1, at);
    if (judged) sink.sample('checks', tags.contractCheck, problems.length === 0 ? 1 : 0, at);
    if (problems.length > 0) {
      sink.sample('contract_failures', tags.endpoint, 1, at);
      sink.contractFailure({ endpoint, status: result.ok ? result.status : null, problems: problems.slice(0, 5) });
    }
    const held = !failed && problems.length === 0;
    if (!held) this.failures += 1;
    return { held, json, status: result.ok ? result.status : null };
  }

  private noteTokens(tokens: TokenResponse, atMs: number): void {
    const second = Math.floor(atMs / 1000);
    for (const value of [tokens.access_token, tokens.refresh_token]) this.sink.token({ digest: tokenDigest(value), user: tokens.user.id, second });
  }

  /** POST sign-in; the token response when it held the contract, else null. */
  async signIn(account: LoadAccount): Promise<TokenResponse | null> {
    const checks = [tokenContract({ issuedFor: { flow: 'sign-in', email: account.email }, clockSkewSeconds: this.api.clockSkewSeconds })];
    const answer = await this.call('sign-in', this.api.paths.signIn, { email: account.email, password: account.password }, {}, 200, checks);
    if (!answer.held) return null;
    const tokens = answer.json as TokenResponse;
    this.noteTokens(tokens, Date.now());
    return tokens;
  }

  /** POST refresh with the session's refresh token; checks the answer is for the same user. */
  async refresh(session: TokenResponse): Promise<TokenResponse | null> {
    const checks = [tokenContract({ issuedFor: { flow: 'refresh', user: session.user }, clockSkewSeconds: this.api.clockSkewSeconds })];
    const answer = await this.call('refresh', this.api.paths.refresh, { token: session.refresh_token }, { 'x-api-version': this.api.apiVersion }, 200, checks);
    // The same-user invariant is judged on any answer with a user, even one the contract
    // refused (the contract's user-is-refreshed-user rule refuses this very answer too).
    const userId = (answer.json as { user?: { id?: unknown } } | undefined)?.user?.id;
    if (userId === undefined) return null;
    const now = Date.now();
    const sameUser = userId === session.user.id;
    this.sink.sample('checks', REFRESH_SAME_USER, sameUser ? 1 : 0, now);
    if (!answer.held) return null;
    if (!sameUser) this.failures += 1;
    const tokens = answer.json as TokenResponse;
    this.noteTokens(tokens, now);
    return sameUser ? tokens : null;
  }

  /** POST the protected endpoint with the session's access token. */
  async chat(session: TokenResponse, message: string): Promise<ChatResponse | null> {
    const headers = { authorization: `Bearer ${session.access_token}`, 'x-api-version': this.api.apiVersion };
    const answer = await this.call('chat', this.api.paths.protected, { message }, headers, 200, CHAT_CHECKS);
    return answer.held ? (answer.json as ChatResponse) : null;
  }

  /**
   * Presents a refresh token that was already spent: the contract (decision 8) wants 401.
   * Recorded under its own endpoint tag so that its expected 401 never counts as a
   * failed refresh, and as the reuse check.
   */
  async replaySpent(spentRefreshToken: string): Promise<boolean> {
    const answer = await this.call('refresh-reuse', this.api.paths.refresh, { token: spentRefreshToken }, { 'x-api-version': this.api.apiVersion }, 401, [jsonBody]);
    const refused = answer.status === 401;
    this.sink.sample('checks', REUSE_REFUSED, refused ? 1 : 0, Date.now());
    return refused;
  }
}
