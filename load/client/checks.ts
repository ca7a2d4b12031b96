/**
 * Contract checks on a response, composable: each takes the answer (status, headers,
 * parsed body) and returns the problems it found, as `path rule` lines that never quote a
 * value from the body. A client call lists the checks its endpoint needs; a rule added to
 * the contract is one more function here.
 */
import { tokenResponseRules, validate, type SchemaName, type TokenResponseContext } from '../../contracts/index.ts';

export interface Answer {
  status: number;
  /** Lower-case names. */
  headers: Readonly<Record<string, string>>;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export type ResponseCheck = (answer: Answer) => string[];

const JSON_MEDIA = /^application\/(?:[\w.+-]*\+)?json\s*(;|$)/i;

/** The body is JSON, announced as JSON. */
export const jsonBody: ResponseCheck = (answer) => {
  const problems: string[] = [];
  const type = answer.headers['content-type'] ?? '';
  if (!JSON_MEDIA.test(type)) problems.push(`content-type is not JSON (${type.slice(0, 40) || 'none'})`);
  if (answer.json === undefined) problems.push('$ body is not JSON');
  return problems;
};

/** The body fits the contract's schema (skipped when it is not JSON: jsonBody says so). */
export const matchesSchema =
  (schema: SchemaName): ResponseCheck =>
  (answer) => {
    if (answer.json === undefined) return [];
    const verdict = validate(schema, answer.json);
    return verdict.ok ? [] : verdict.violations.map((v) => `${v.path} ${v.rule}`);
  };

/**
 * The whole contract of a token response, from the rules the Playwright specs check
 * (contracts/rules.ts): schema, media type, no-store, bearer, the tokens' claims against
 * the body, the expiry order against the answer's Date, the user it was issued for.
 */
export const tokenContract =
  (context: TokenResponseContext): ResponseCheck =>
  (answer) =>
    answer.json === undefined
      ? ['$ body is not JSON']
      : tokenResponseRules({ body: answer.json, headers: answer.headers }, context).map((v) => `${v.rule}: ${v.message}`);

export function runChecks(checks: readonly ResponseCheck[], answer: Answer): string[] {
  const problems: string[] = [];
  for (const check of checks) problems.push(...check(answer));
  return problems;
}

export function parseJson(text: string): unknown {
  try {
    return text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
