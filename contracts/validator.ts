/**
 * The contract's validators: every schema compiled ahead of time by ajv (JSON Schema
 * 2020-12, strict mode, formats from ajv-formats; contracts/generate.ts), shared by the
 * reference API, the specs, the load checks and the project's tests.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as generated from './generated/validators.ts';
import { SENSITIVE_PROPERTY_PATTERN, schemaNames, type SchemaName } from './schemas.ts';
import type { ContractTypes } from './types.ts';

/** One broken rule, in words a report can show. */
export interface ContractViolation {
  /** JSON path of the offending value, `$` for the document itself, e.g. `$.user.id`. */
  path: string;
  /** The schema keyword that failed, e.g. `required`, `type`, `format`. */
  rule: string;
  /** What the rule wanted, e.g. `must have required property 'user'`. */
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; violations: ContractViolation[] };

const compiled = new Map<SchemaName, ValidateFunction>(
  schemaNames.map((name) => [name, (generated as unknown as Record<SchemaName, ValidateFunction>)[name]] as const),
);

/** Turns ajv's instancePath (`/user/id`, `/detail/0`) into a JSON path (`$.user.id`, `$.detail[0]`). */
export function toJsonPath(instancePath: string, missingProperty?: string): string {
  const parts = instancePath === '' ? [] : instancePath.slice(1).split('/');
  if (missingProperty !== undefined) parts.push(missingProperty);
  return parts.reduce((path, raw) => {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) return `${path}[${part}]`;
    return /^[A-Za-z_$][\w$]*$/.test(part) ? `${path}.${part}` : `${path}[${JSON.stringify(part)}]`;
  }, '$');
}

function toViolation(error: ErrorObject): ContractViolation {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'propertyNames') {
    const name = String(params.propertyName);
    return { path: toJsonPath(error.instancePath, name), rule: 'no-sensitive-fields', message: 'a property whose name exposes a secret' };
  }
  const missing = error.keyword === 'required' ? String(params.missingProperty) : undefined;
  return { path: toJsonPath(error.instancePath, missing), rule: error.keyword, message: error.message ?? 'is invalid' };
}

/** ajv reports a propertyNames failure twice: the inner `not`, then propertyNames itself. */
const isInnerPropertyNamesError = (error: ErrorObject) =>
  error.keyword !== 'propertyNames' && error.schemaPath.includes('/propertyNames/');

/**
 * Decision 5 holds at any depth: a secret-named member nested in an object the schema does
 * not describe (`user.credentials.password_hash`, `meta.secret`) is as much a defect as one
 * at the top. `propertyNames` only sees each described object's own keys, so the schemas
 * that carry the rule get this walk as well.
 */
const SENSITIVE_NAME = new RegExp(SENSITIVE_PROPERTY_PATTERN);
// Success bodies only: an error body may echo the client's own input (FastAPI's 422
// `input`), which the suite's leak check (specs/support/leaks.ts) judges instead.
const DEEP_SENSITIVE_CHECK = new Set<SchemaName>(['TokenResponse', 'TokenResponseShape', 'User', 'ChatResponse']);

function sensitiveMembers(value: unknown, path: string): ContractViolation[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => sensitiveMembers(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => {
    const at = toJsonPath('', key).replace(/^\$/, path);
    const own: ContractViolation[] = SENSITIVE_NAME.test(key) ? [{ path: at, rule: 'no-sensitive-fields', message: 'a property whose name exposes a secret' }] : [];
    return [...own, ...sensitiveMembers(inner, at)];
  });
}

/** Validates `data` against the named schema of the contract. */
export function validate<N extends SchemaName>(name: N, data: unknown): ValidationResult<ContractTypes[N]> {
  const fn = compiled.get(name)!;
  const valid = fn(data);
  const violations = valid ? [] : (fn.errors ?? []).filter((e) => !isInnerPropertyNamesError(e)).map(toViolation);
  if (DEEP_SENSITIVE_CHECK.has(name)) {
    const reported = new Set(violations.map((v) => `${v.path} ${v.rule}`));
    violations.push(...sensitiveMembers(data, '$').filter((v) => !reported.has(`${v.path} ${v.rule}`)));
  }
  return violations.length === 0 ? { ok: true, value: data as ContractTypes[N] } : { ok: false, violations };
}

/** True when `data` fits the named schema; narrows its type. */
export function conforms<N extends SchemaName>(name: N, data: unknown): data is ContractTypes[N] {
  return validate(name, data).ok;
}
