/**
 * The contract's validators: every schema compiled once with ajv (JSON Schema 2020-12,
 * strict mode, formats from ajv-formats), shared by the reference API, the specs and the
 * project's tests.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { schemaNames, schemas, type SchemaName } from './schemas.ts';
import type { ContractTypes } from './types.ts';

// ajv-formats ships CommonJS with `exports.default`; under Node's ESM loader the default
// import is the module object, so take the function from whichever shape arrives.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default;

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

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv, ['email', 'uuid']);

const compiled = new Map<SchemaName, ValidateFunction>(
  schemaNames.map((name) => [name, ajv.compile(schemas[name])] as const),
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

/** Validates `data` against the named schema of the contract. */
export function validate<N extends SchemaName>(name: N, data: unknown): ValidationResult<ContractTypes[N]> {
  const fn = compiled.get(name)!;
  if (fn(data)) return { ok: true, value: data as ContractTypes[N] };
  const violations = (fn.errors ?? []).filter((e) => !isInnerPropertyNamesError(e)).map(toViolation);
  return { ok: false, violations };
}

/** True when `data` fits the named schema; narrows its type. */
export function conforms<N extends SchemaName>(name: N, data: unknown): data is ContractTypes[N] {
  return compiled.get(name)!(data);
}
