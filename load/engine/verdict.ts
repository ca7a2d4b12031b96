/**
 * The verdict of a run, decided here and nowhere else, from facts the summary stores:
 * interruption, an abortOnFail stop, validity, thresholds, contract failures, broken
 * invariants, flow errors, abandoned iterations, missing segments and the baseline. Each
 * reason is rendered from its fact; nothing reads a reason back.
 */
import { describeErrorKind, type TransportErrorKind } from './http.ts';
import type { AbortFact } from './interval-log.ts';
import type { BaselineVerdict, Invariants, ThresholdResult, Validity, Verdict, VerdictStatus } from './summary-types.ts';

/** What an endpoint's failed requests were, by reason (a status, or a transport error's kind). */
export interface EndpointFailures {
  endpoint: string;
  requests: number;
  failed: number;
  reasons: { reason: string; count: number }[];
}

export interface VerdictFacts {
  /** Where the target is (host:port), for a transport failure's words. */
  target: string;
  failures: readonly EndpointFailures[];
  /** Seconds in which the in-flight cap was full, and the arrivals dropped meanwhile. */
  capFull: { cap: number; seconds: number; dropped: number };
  interrupted: boolean;
  aborted: AbortFact | null;
  validity: Validity;
  thresholds: readonly ThresholdResult[];
  requests: number;
  contractFailures: number;
  /** The first contract failure seen, redacted: what the contract failures were like. */
  contractExample: { endpoint: string; problems: readonly string[] } | undefined;
  invariants: Invariants;
  flowErrors: readonly string[];
  abandoned: number;
  /** Endpoints whose last third degraded against the first, described. */
  degraded: readonly string[];
  /** Segments of a merge whose logs were not given, e.g. `2/4`. */
  missingSegments: readonly string[];
  baseline: BaselineVerdict | undefined;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export const abortReason = (a: AbortFact) => `${a.metric}: ${a.expression} breached (${a.actual ?? 'no data'}) with abortOnFail`;

const TRANSPORT_KINDS = new Set<string>(['connect', 'timeout', 'reset', 'body_too_large', 'abandoned', 'other']);

/** "sign-in: 6 of 6 failed: connection refused or unreachable ×6 (127.0.0.1:9)". */
export function describeFailures(f: EndpointFailures, target: string): string {
  const parts = f.reasons.map((r) => `${TRANSPORT_KINDS.has(r.reason) ? describeErrorKind(r.reason as TransportErrorKind) : `HTTP ${r.reason}`} ×${r.count}`);
  const transport = f.reasons.some((r) => TRANSPORT_KINDS.has(r.reason));
  return `${f.endpoint}: ${f.failed} of ${f.requests} failed: ${parts.join(', ')}${transport ? ` (${target})` : ''}`;
}

export function decideVerdict(f: VerdictFacts): Verdict {
  const reasons: string[] = [];
  // What the target did comes first: the failures by kind, the broken contract, a cap it held full.
  for (const e of f.failures) if (e.failed > 0) reasons.push(describeFailures(e, f.target));
  if (f.contractFailures > 0) {
    const example = f.contractExample ? ` (${f.contractExample.endpoint}: ${f.contractExample.problems[0] ?? 'no detail'})` : '';
    reasons.push(`${f.contractFailures} ${plural(f.contractFailures, 'response', 'responses')} broke the contract${example}`);
  }
  if (f.capFull.seconds > 0 && f.capFull.dropped > 0) {
    reasons.push(`the target held ${f.capFull.cap} iterations in flight (the cap) for ${f.capFull.seconds} s: ${f.capFull.dropped} ${plural(f.capFull.dropped, 'arrival', 'arrivals')} dropped`);
  }
  if (f.interrupted) reasons.push('interrupted before the end of the schedule');
  if (f.aborted) reasons.push(`aborted: ${abortReason(f.aborted)}`);
  reasons.push(...f.validity.reasons.map((r) => `invalid run: ${r}`));
  for (const t of f.thresholds) if (!t.ok) reasons.push(`threshold breached: ${t.metric}: ${t.expression} (actual ${t.actual ?? 'no data'})`);
  const inv = f.invariants;
  if (inv.duplicateTokens > 0) reasons.push(`${inv.duplicateTokens} ${plural(inv.duplicateTokens, 'token was', 'tokens were')} issued twice`);
  if (inv.refreshUserMismatches > 0) reasons.push(`${inv.refreshUserMismatches} ${plural(inv.refreshUserMismatches, 'refresh', 'refreshes')} answered for another user`);
  if (inv.reuseProbes.accepted > 0) reasons.push(`${inv.reuseProbes.accepted} spent refresh ${plural(inv.reuseProbes.accepted, 'token was', 'tokens were')} accepted again`);
  if (f.flowErrors.length > 0) reasons.push(`a flow threw: ${f.flowErrors[0]}`);
  if (f.abandoned > 0) reasons.push(`${f.abandoned} ${plural(f.abandoned, 'iteration', 'iterations')} still in flight after the grace period`);
  for (const d of f.degraded) reasons.push(`degraded during the run: ${d}`);
  if (f.requests === 0 && !f.interrupted) reasons.push('no request completed');
  if (f.missingSegments.length > 0) reasons.push(`${plural(f.missingSegments.length, 'segment', 'segments')} ${f.missingSegments.join(', ')} missing from the merge`);
  if (f.baseline?.regressed) {
    const worse = f.baseline.comparisons
      .filter((c) => c.regressed)
      .map((c) => `${c.figure}${c.changePct === null ? '' : ` ${c.changePct > 0 ? '+' : ''}${c.changePct}%`}`);
    reasons.push(`regression against the baseline (more than ${f.baseline.allowedPct}% worse): ${worse.join(', ')}`);
  }
  const status: VerdictStatus = f.interrupted ? 'interrupted' : f.aborted ? 'aborted' : !f.validity.valid ? 'invalid' : reasons.length > 0 ? 'failed' : 'passed';
  return { status, exitCode: status === 'passed' ? 0 : 1, reasons };
}
