/**
 * What a load run caught, read from its summary's structured facts (never from the verdict's
 * sentences): failed requests by reason, contract failures by rule, breached thresholds,
 * broken invariants, degradation, and what made the run no verdict about the target at all.
 * And the one place a case's result is decided.
 */
import { RULE } from '../../contracts/index.ts';
import { INVARIANT_CHECKS } from '../engine/summary.ts';
import type { LoadSummary } from '../engine/summary-types.ts';

/** One thing a run held against its target. */
export interface Fact {
  /**
   * What noticed it: `http_req_failed`, `contract`, `threshold`, `degradation`, an
   * invariant's check name (`tokens: never issued twice`, …), or `run` for a run that
   * judged nothing (invalid, interrupted, aborted, a flow that threw).
   */
  check: string;
  endpoint?: string;
  /**
   * `http_req_failed`: the reason (a status, or a transport error's kind); `contract`: the
   * rules the recorded examples broke; `threshold`: the metric and expression; `degradation`:
   * the p95s compared; `run`: what happened.
   */
  details: string[];
  /** How many requests, checks or seconds; undefined where a count means nothing. */
  count?: number;
}

/** What must be among a fault's facts for it to count as caught: a check, narrowed by endpoint or detail. */
export interface Expectation {
  check: string;
  endpoint?: string;
  detail?: string;
}

export type Result =
  /** A fault made the run fail, among others by the check expected to notice it. */
  | 'caught'
  /** A fault made the run fail, but the check expected to notice it did not. */
  | 'caught-otherwise'
  /** A fault went through: the run passed. */
  | 'missed'
  /** A harmless variation (or the control) passed. */
  | 'passed'
  /** A harmless variation (or the control) failed. */
  | 'false-alarm'
  /** The run judged nothing about the target (invalid, interrupted, aborted, a flow threw) or did not run. */
  | 'no-verdict';

export const GOOD_RESULTS: ReadonlySet<Result> = new Set(['caught', 'passed']);

const RULE_IDS: readonly string[] = Object.values(RULE);

/**
 * The rule a recorded contract problem names. Token answers record `<rule id>: <message>`
 * (contracts/rules.ts), other answers `<JSON path> <schema keyword>`: the id is recognised
 * among the known ones, the other form is kept whole (it never quotes a value).
 */
export function ruleOf(problem: string): string {
  return RULE_IDS.find((id) => problem.startsWith(`${id}:`)) ?? problem;
}

const round = (ms: number | null) => (ms === null ? 'no data' : `${Math.round(ms)} ms`);

/** Every fact the summary holds against its target, in the verdict's order. */
export function factsOf(summary: LoadSummary): Fact[] {
  const d = summary.puppilot;
  const facts: Fact[] = [];
  for (const f of d.failures ?? []) {
    for (const r of f.reasons) facts.push({ check: 'http_req_failed', endpoint: f.endpoint, details: [r.reason], count: r.count });
  }
  for (const [endpoint, e] of Object.entries(d.endpoints)) {
    if (e.contractFailures === 0) continue;
    const rules = [...new Set(d.contractFailureSamples.filter((s) => s.endpoint === endpoint).flatMap((s) => s.problems.map(ruleOf)))];
    facts.push({ check: 'contract', endpoint, details: rules, count: e.contractFailures });
  }
  for (const t of d.thresholds) if (!t.ok) facts.push({ check: 'threshold', details: [`${t.metric}: ${t.expression}`] });
  const inv = d.invariants;
  if (inv.duplicateTokens > 0) facts.push({ check: INVARIANT_CHECKS.tokenUnique, details: [], count: inv.duplicateTokens });
  if (inv.refreshUserMismatches > 0) facts.push({ check: INVARIANT_CHECKS.refreshSameUser, details: [], count: inv.refreshUserMismatches });
  if (inv.reuseProbes.accepted > 0) facts.push({ check: INVARIANT_CHECKS.reuseRefused, details: [`accepted by ${inv.reuseProbes.accepted} of ${inv.reuseProbes.sent} probes`] });
  for (const c of d.degradation?.endpoints ?? []) {
    if (c.degraded) facts.push({ check: 'degradation', endpoint: c.endpoint ?? undefined, details: [`p95 ${round(c.firstP95Ms)} → ${round(c.lastP95Ms)}`] });
  }
  const abandoned = d.counts?.abandoned ?? 0;
  if (abandoned > 0) facts.push({ check: 'iterations_abandoned', details: [], count: abandoned });
  facts.push(...noVerdictFacts(summary));
  return facts;
}

/** Why a run judged nothing about its target: it must have run its schedule, validly, to its end. */
function noVerdictFacts(summary: LoadSummary): Fact[] {
  const d = summary.puppilot;
  const run = (detail: string, count?: number): Fact => ({ check: 'run', details: [detail], ...(count === undefined ? {} : { count }) });
  const facts: Fact[] = [];
  if (!d.validity.valid) facts.push(run(`invalid: ${d.validity.reasons.join('; ')}`));
  if (d.interrupted) facts.push(run('interrupted'));
  if (d.verdict.status === 'aborted') facts.push(run('aborted'));
  if (summary.metrics.http_reqs === undefined || summary.metrics.http_reqs.values.count === 0) facts.push(run('no request completed'));
  return facts;
}

export const matches = (fact: Fact, e: Expectation): boolean =>
  fact.check === e.check && (e.endpoint === undefined || fact.endpoint === e.endpoint) && (e.detail === undefined || fact.details.includes(e.detail));

/** A case's result from its run's verdict status and facts. */
export function judge(harmless: boolean, expect: Expectation | undefined, status: string, facts: readonly Fact[]): Result {
  if (facts.some((f) => f.check === 'run') || (status !== 'passed' && status !== 'failed')) return 'no-verdict';
  if (harmless) return status === 'passed' ? 'passed' : 'false-alarm';
  if (status === 'passed') return 'missed';
  return expect === undefined || facts.some((f) => matches(f, expect)) ? 'caught' : 'caught-otherwise';
}

/** A fact in a few words: `http_req_failed: sign-in 500 ×4`, `contract: refresh expiry-ordering ×6`. */
export function describeFact(f: Fact): string {
  const subject = [f.endpoint, f.details.join(', ')].filter((s) => s !== undefined && s !== '').join(' ');
  return `${f.check}${subject ? `: ${subject}` : ''}${f.count === undefined ? '' : ` ×${f.count}`}`;
}

/** The facts, those the expectation names first (the most counted of them first). */
export function byExpectation(facts: readonly Fact[], expect: Expectation | undefined): Fact[] {
  if (expect === undefined) return [...facts];
  const expected = facts.filter((f) => matches(f, expect)).sort((a, b) => (b.count ?? 0) - (a.count ?? 0));
  return [...expected, ...facts.filter((f) => !matches(f, expect))];
}
