/**
 * `junit.xml` for a load run, so CI shows what held and what did not the way it shows any
 * test result: one testsuite per run; a testcase per threshold (`metric: expression`, a
 * failure with the actual value when breached), one for the run's validity, one for the
 * contract (no contract failure), and one per baseline figure when a baseline was compared.
 */
import { formatNumber, MISSING } from '../../reporting/page.ts';
import type { LoadSummary } from '../engine/summary-types.ts';
import { hostOf } from '../engine/summary.ts';
import { describeFailures } from '../engine/verdict.ts';
import { formatChangePct, formatThresholdActual, endpointTotals, runDurationMs } from './format.ts';

/** Characters XML 1.0 cannot carry at all (C0 controls but tab/LF/CR, U+FFFE/U+FFFF, lone surrogates). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or attribute content: the five entities escaped, characters XML forbids replaced by U+FFFD. */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; type: string; body: string };
}

const attrs = (pairs: Record<string, string | number>) =>
  Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');

function testcase(c: Case): string {
  const open = `    <testcase${attrs({ classname: c.classname, name: c.name, time: 0 })}`;
  if (!c.failure) return `${open}/>`;
  const { message, type, body } = c.failure;
  return `${open}>\n      <failure${attrs({ message, type })}>${escapeXml(body)}</failure>\n    </testcase>`;
}

export function renderJunit(summary: LoadSummary): string {
  const run = summary.puppilot;
  const suite = `load.${run.scenario}`;
  const cases: Case[] = [];

  for (const th of run.thresholds) {
    const actual = formatThresholdActual(summary, th);
    cases.push({
      classname: `${suite}.thresholds`,
      name: `${th.metric}: ${th.expression}`,
      ...(th.ok
        ? {}
        : {
            failure: {
              message: `breached: actual ${actual}`,
              type: 'threshold',
              body: `${th.metric}: ${th.expression} breached; actual ${actual}${th.abortOnFail ? ' (abortOnFail)' : ''}`,
            },
          }),
    });
  }

  const v = run.validity;
  cases.push({
    classname: suite,
    name: 'run validity',
    ...(v.valid
      ? {}
      : {
          failure: {
            message: `invalid: ${v.reasons.join('; ') || 'no reason given'}`,
            type: 'validity',
            body: [
              ...v.reasons,
              `target ${formatNumber(v.targetRate)}/s, offered ${formatNumber(v.offeredRate)}/s, started ${formatNumber(v.startedRate)}/s, lag p99 ${formatNumber(v.lagMs.p99)} ms`,
            ].join('\n'),
          },
        }),
  });

  // What the target did to the requests, by kind, from the summary's facts.
  const failures = run.failures ?? [];
  const failedRequests = failures.reduce((n, f) => n + f.failed, 0);
  cases.push({
    classname: suite,
    name: 'requests (0 failed)',
    ...(failedRequests === 0
      ? {}
      : {
          failure: {
            message: describeFailures(failures[0]!, hostOf(run.target.origin)),
            type: 'requests',
            body: failures.map((f) => describeFailures(f, hostOf(run.target.origin))).join('\n'),
          },
        }),
  });

  const { contractFailures } = endpointTotals(summary);
  cases.push({
    classname: suite,
    name: 'contract (0 contract failures)',
    ...(contractFailures === 0
      ? {}
      : {
          failure: {
            message: `${contractFailures} contract failure${contractFailures === 1 ? '' : 's'}`,
            type: 'contract',
            body: [
              ...Object.entries(run.endpoints)
                .filter(([, e]) => e.contractFailures > 0)
                .map(([name, e]) => `${name}: ${e.contractFailures} of ${e.requests} responses broke the contract`),
              ...run.contractFailureSamples.map((s) => `sample ${s.endpoint} status ${s.status ?? MISSING}: ${s.problems.join('; ')}`),
            ].join('\n'),
          },
        }),
  });

  if (run.baseline) {
    const b = run.baseline;
    for (const c of b.comparisons) {
      const values = `baseline ${c.baseline === null ? MISSING : `${formatNumber(c.baseline)} ${c.unit}`}, current ${c.current === null ? MISSING : `${formatNumber(c.current)} ${c.unit}`}, change ${formatChangePct(c.changePct)}`;
      cases.push({
        classname: `${suite}.baseline`,
        name: `baseline: ${c.figure}`,
        ...(c.regressed
          ? { failure: { message: `regressed: ${values} (allowed ${formatNumber(b.allowedPct)} %)`, type: 'regression', body: `against ${b.source} (started ${b.baselineStartedAt}): ${values}` } }
          : {}),
      });
    }
  }

  const failed = cases.filter((c) => c.failure).length;
  const durationMs = runDurationMs(summary);
  const time = durationMs === null ? 0 : Number((durationMs / 1000).toFixed(3));
  const properties = [
    ['scenario', run.scenario],
    ['description', run.description],
    ['target', `${run.target.origin} (${run.target.kind})`],
    ['verdict', run.verdict.status],
    ...run.verdict.reasons.map((r) => ['verdict reason', r]),
  ]
    .map(([name, value]) => `      <property${attrs({ name: name!, value: value! })}/>`)
    .join('\n');

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: `load ${run.scenario}`, tests: cases.length, failures: failed, errors: 0, time })}>`,
    `  <testsuite${attrs({ name: suite, tests: cases.length, failures: failed, errors: 0, skipped: 0, time, timestamp: run.startedAt.slice(0, 19), hostname: run.target.origin })}>`,
    '    <properties>',
    properties,
    '    </properties>',
    ...cases.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
