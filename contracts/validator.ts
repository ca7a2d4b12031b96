/**
 * The contract's validators: every schema compiled once with ajv (JSON Schema 2020-12,
 * strict mode, formats from ajv-formats), shared by the reference API, the specs and the
 * project's tests.
 *
 * ajv is loaded and the schemas compiled on the first validation, not on import: the
 * contract suite's runner imports every spec only to list the tests, and never validates,
 * so its start skips that work (about half a second on 2 cores).
 */
import { createRequire } from 'node:module';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type addFormatsModule from 'ajv-formats';
import { SENSITIVE_PROPERTY_PATTERN, schemaNames, schemas, type SchemaName } from './schemas.ts';
import type { ContractTypes } from './types.ts';

const require = createRequire(import.meta.url);

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

let compiledSchemas: Map<SchemaName, ValidateFunction> | undefined;

/** Every schema compiled, in order (later schemas may refer to earlier ones), on first use. */
function compiled(): Map<SchemaName, ValidateFunction> {
  if (compiledSchemas) return compiledSchemas;
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 };
  // ajv-formats ships CommonJS with `exports.default`; take the function from whichever shape arrives.
  const formats = require('ajv-formats') as { default?: typeof addFormatsModule } & typeof addFormatsModule;
  const addFormats = formats.default ?? formats;
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv, ['email', 'uuid']);
  compiledSchemas = new Map<SchemaName, ValidateFunction>(schemaNames.map((name) => [name, ajv.compile(schemas[name])] as const));
  return compiledSchemas;
}

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
  const fn = compiled().get(name)!;
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
