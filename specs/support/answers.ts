/**
 * Account enumeration by any observable part of an answer: two answers that must not tell
 * an unknown email from a registered one (a failed sign-in, a lockout) are compared whole,
 * as an attacker sees them:
 * - the status;
 * - the body after parsing (JSON deep equality, members that are per-request identifiers
 *   aside), or its text when it is not JSON;
 * - every response header, by name and value, except the headers that differ between any
 *   two responses by nature (PER_RESPONSE_HEADERS, extended by ENUMERATION_IGNORE_HEADERS).
 *
 * A header absent from one answer and present in the other is a difference too (a debug
 * header only on unknown emails tells them apart as well as a different value does).
 */
import type { ApiResponse } from './api.ts';
import { redactor } from './secrets.ts';

/**
 * Headers left out of the comparison: their values differ between any two responses,
 * whatever the request was. Names in lower case.
 */
export const PER_RESPONSE_HEADERS: readonly string[] = [
  // the moment of the answer
  'date',
  'expires',
  'age',
  // request and trace identifiers, per-response timings
  'x-request-id',
  'request-id',
  'x-correlation-id',
  'correlation-id',
  'x-trace-id',
  'traceparent',
  'tracestate',
  'x-amzn-requestid',
  'x-amzn-trace-id',
  'x-amz-cf-id',
  'x-cloud-trace-context',
  'cf-ray',
  'server-timing',
  'x-response-time',
  'x-runtime',
  // the connection, not the answer
  'connection',
  'keep-alive',
  // per-client counters of a rate limiter (the same for any email)
  'ratelimit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];

/**
 * Headers derived from the body: left out only when the parsed bodies are equal (they can
 * then differ only by a request id inside the body). When the bodies differ, the body
 * comparison has failed already.
 */
export const BODY_DERIVED_HEADERS: readonly string[] = ['content-length', 'etag'];

/**
 * Members whose names look like a per-request identifier (request_id, requestId,
 * X-Request-ID, trace_id, traceId, correlation_id, span_id): they legitimately differ
 * between any two responses, so the body comparison leaves them out. Nothing else is
 * ignored: a message, code or field that differs tells the two answers apart.
 */
const REQUEST_ID_MEMBER = /^(x[-_]?)?(request|req|trace|correlation|span)[-_]?id$/i;

export function withoutRequestIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRequestIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !REQUEST_ID_MEMBER.test(key))
      .map(([key, inner]) => [key, withoutRequestIds(inner)]),
  );
}

export interface AnswerDifference {
  part: 'status' | 'body' | 'header';
  /** The header's name (lower case), for a header difference. */
  name?: string;
  /** The two values as seen (undefined: absent); bodies as their (parsed) JSON text. */
  first: string | undefined;
  second: string | undefined;
}

export interface CompareOptions {
  /** More header names to leave out (ENUMERATION_IGNORE_HEADERS). */
  ignoreHeaders?: readonly string[];
  /**
   * Headers whose presence is compared but not their value: e.g. Retry-After on two
   * lockouts that began at different moments.
   */
  presenceOnly?: readonly string[];
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((item, i) => deepEqual(item, bs[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}

/** The header names of the comparison's allowlist for `options` (lower case). */
export function ignoredHeaders(options: CompareOptions = {}): Set<string> {
  return new Set([...PER_RESPONSE_HEADERS, ...(options.ignoreHeaders ?? [])].map((h) => h.toLowerCase()));
}

/**
 * Everything that tells `first` from `second` apart: [] when an observer of the two answers
 * cannot tell which request was which.
 */
export function answerDifferences(first: Pick<ApiResponse, 'status' | 'headers' | 'text' | 'json'>, second: Pick<ApiResponse, 'status' | 'headers' | 'text' | 'json'>, options: CompareOptions = {}): AnswerDifference[] {
  const differences: AnswerDifference[] = [];
  if (first.status !== second.status) differences.push({ part: 'status', first: String(first.status), second: String(second.status) });

  let bodiesEqual: boolean;
  if (first.json !== undefined || second.json !== undefined) {
    const a = withoutRequestIds(first.json);
    const b = withoutRequestIds(second.json);
    bodiesEqual = first.json !== undefined && second.json !== undefined && deepEqual(a, b);
    if (!bodiesEqual) {
      differences.push({
        part: 'body',
        first: first.json === undefined ? first.text : JSON.stringify(a),
        second: second.json === undefined ? second.text : JSON.stringify(b),
      });
    }
  } else {
    bodiesEqual = first.text === second.text;
    if (!bodiesEqual) differences.push({ part: 'body', first: first.text, second: second.text });
  }

  const ignored = ignoredHeaders(options);
  if (bodiesEqual) for (const h of BODY_DERIVED_HEADERS) ignored.add(h);
  const presenceOnly = new Set((options.presenceOnly ?? []).map((h) => h.toLowerCase()));
  const names = [...new Set([...Object.keys(first.headers), ...Object.keys(second.headers)].map((h) => h.toLowerCase()))].sort();
  for (const name of names) {
    if (ignored.has(name)) continue;
    const a = first.headers[name];
    const b = second.headers[name];
    const differs = presenceOnly.has(name) ? (a === undefined) !== (b === undefined) : a !== b;
    if (differs) differences.push({ part: 'header', name, first: a, second: b });
  }
  return differences;
}

/** One line per difference, secrets redacted: what a failure message shows. */
export function describeDifferences(differences: readonly AnswerDifference[], labels: [string, string]): string[] {
  const r = redactor();
  const show = (value: string | undefined) => (value === undefined ? '(absent)' : JSON.stringify(r.text(value.length > 300 ? `${value.slice(0, 300)}…` : value)));
  return differences.map((d) => `${d.part === 'header' ? `header ${d.name}` : d.part}: ${labels[0]} ${show(d.first)}, ${labels[1]} ${show(d.second)}`);
}
