/**
 * The verdict of a run, decided here and nowhere else, from facts the summary stores:
 * interruption, an abortOnFail stop, validity, thresholds, contract failures, broken
 * invariants, flow errors, abandoned iterations, missing segments and the baseline. Each
 * reason is rendered from its fact; nothing reads a reason back.
 */
import type { AbortFact } from './interval-log.ts';
import type { BaselineVerdict, Invariants, ThresholdResult, Validity, Verdict, VerdictStatus } from './summary-types.ts';

export interface VerdictFacts {
  interrupted: boolean;
  aborted: AbortFact | null;
  validity: Validity;
  thresholds: readonly ThresholdResult[];
  requests: number;
  contractFailures: number;
  invariants: Invariants;
  flowErrors: readonly string[];
  abandoned: number;
  /** Segments of a merge whose logs were not given, e.g. `2/4`. */
  missingSegments: readonly string[];
  baseline: BaselineVerdict | undefined;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export const abortReason = (a: AbortFact) => `${a.metric}: ${a.expression} breached (${a.actual ?? 'no data'}) with abortOnFail`;

export function decideVerdict(f: VerdictFacts): Verdict {
  const reasons: string[] = [];
  if (f.interrupted) reasons.push('interrupted before the end of the schedule');
  if (f.aborted) reasons.push(`aborted: ${abortReason(f.aborted)}`);
  reasons.push(...f.validity.reasons.map((r) => `invalid run: ${r}`));
  for (const t of f.thresholds) if (!t.ok) reasons.push(`threshold breached: ${t.metric}: ${t.expression} (actual ${t.actual ?? 'no data'})`);
  if (f.contractFailures > 0) reasons.push(`${f.contractFailures} ${plural(f.contractFailures, 'response', 'responses')} broke the contract`);
  const inv = f.invariants;
  if (inv.duplicateTokens > 0) reasons.push(`${inv.duplicateTokens} ${plural(inv.duplicateTokens, 'token was', 'tokens were')} issued twice`);
  if (inv.refreshUserMismatches > 0) reasons.push(`${inv.refreshUserMismatches} ${plural(inv.refreshUserMismatches, 'refresh', 'refreshes')} answered for another user`);
  if (inv.reuseProbes.accepted > 0) reasons.push(`${inv.reuseProbes.accepted} spent refresh ${plural(inv.reuseProbes.accepted, 'token was', 'tokens were')} accepted again`);
  if (f.flowErrors.length > 0) reasons.push(`a flow threw: ${f.flowErrors[0]}`);
  if (f.abandoned > 0) reasons.push(`${f.abandoned} ${plural(f.abandoned, 'iteration', 'iterations')} still in flight after the grace period`);
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
