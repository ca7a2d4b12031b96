/**
 * Malformed request bodies, derived from a request schema of the contract rather than
 * listed by hand: adding a field to `signInRequestSchema`, `refreshRequestSchema` or
 * `chatRequestSchema` adds its cases here without touching a spec.
 *
 * A case is a name (readable, secret-free: it becomes a test title) and a `build` function
 * that turns a valid body (the test supplies it at run time, possibly holding secrets)
 * into the raw text and content type to send. The derivation, for a schema:
 * - each required field left out;
 * - each property's value replaced by each JSON type the schema does not allow
 *   (number, boolean, null, array, object, and string where the type is not string;
 *   null only for a required property);
 * - each string property as the empty string (unless the options leave them out);
 * - the empty object `{}`;
 * - JSON texts that are not objects (`[]`, `"text"`, `42`, `null`, `true`);
 * - texts that are not JSON at all (empty, truncated, trailing comma, single quotes);
 * - the valid fields under a content type other than JSON (text/plain, form-urlencoded).
 *
 * What each case must get back (contracts/CONTRACT.md decision 2) is in `allowed`: 422 for every
 * case, except where the body is well-formed JSON with every field of the right type and a
 * string is merely empty: that is semantically empty credentials, which a target may
 * reject as invalid (422) or as failed authentication (401).
 */

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/** The subset of JSON Schema the derivation reads. */
export interface RequestSchema {
  readonly title?: string;
  readonly type: 'object';
  readonly required?: readonly string[];
  readonly properties: Readonly<Record<string, { readonly type?: JsonType | readonly JsonType[] }>>;
}

export type MalformedKind =
  | 'missing-field'
  | 'wrong-type'
  | 'empty-string'
  | 'empty-object'
  | 'non-object'
  | 'invalid-json'
  | 'content-type';

export interface RawRequest {
  /** Sent exactly as is. */
  body: string;
  contentType: string;
}

export interface MalformedCase {
  /** Readable and free of secrets: used as the test title. */
  readonly name: string;
  readonly kind: MalformedKind;
  /** The property the case is about, when it is about one. */
  readonly field?: string;
  /** For wrong-type cases: the JSON type sent instead. */
  readonly sentType?: JsonType;
  /** The statuses the contract allows (decision 2). */
  readonly allowed: readonly number[];
  build(valid: Readonly<Record<string, unknown>>): RawRequest;
}

const JSON_CONTENT_TYPE = 'application/json';
const MUST_BE_INVALID = [422] as const;
/** Semantically empty credentials: invalid (422) or failed authentication (401). */
const INVALID_OR_UNAUTHENTICATED = [422, 401] as const;

/** The JSON types a wrong-type case may send, in a stable order. */
export const WRONG_TYPE_CANDIDATES: readonly JsonType[] = ['string', 'number', 'boolean', 'null', 'array', 'object'];

/** The JSON types a property's schema allows (all of them when it states none). */
export function allowedTypes(property: { readonly type?: JsonType | readonly JsonType[] }): Set<JsonType> {
  if (property.type === undefined) return new Set(WRONG_TYPE_CANDIDATES);
  const types = new Set<JsonType>(typeof property.type === 'string' ? [property.type] : property.type);
  // Every integer is a number; a number-typed property accepts integers.
  if (types.has('number')) types.add('integer');
  return types;
}

/**
 * A value of `type` standing in for `validValue`. Arrays and objects carry the valid value
 * inside, so a target that unwraps them leniently is caught, and one that echoes its input
 * into an error body is caught by the leak checks.
 */
export function valueOfType(type: JsonType, validValue: unknown, allowed: ReadonlySet<JsonType>): unknown {
  switch (type) {
    case 'string':
      return typeof validValue === 'string' ? validValue : String(validValue ?? 'text');
    case 'number':
      // 1.5 is the wrong type for an integer property; 42 for any non-numeric one.
      return allowed.has('integer') ? 1.5 : 42;
    case 'integer':
      return 42;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [validValue];
    case 'object':
      return { value: validValue };
  }
}

function wrongTypesFor(property: { readonly type?: JsonType | readonly JsonType[] }): JsonType[] {
  const allowed = allowedTypes(property);
  return WRONG_TYPE_CANDIDATES.filter((type) => !allowed.has(type));
}

const json = (value: unknown): RawRequest => ({ body: JSON.stringify(value), contentType: JSON_CONTENT_TYPE });

function without(valid: Readonly<Record<string, unknown>>, field: string): Record<string, unknown> {
  const copy = { ...valid };
  delete copy[field];
  return copy;
}

/** `{'a': 'b'}`: the valid body with single quotes, as some clients produce by mistake. */
function singleQuoted(valid: Readonly<Record<string, unknown>>): string {
  const members = Object.entries(valid).map(([key, value]) => `'${key}': ${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)}`);
  return `{${members.join(', ')}}`;
}

function formEncoded(valid: Readonly<Record<string, unknown>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(valid)) params.append(key, typeof value === 'string' ? value : JSON.stringify(value));
  return params.toString();
}

export interface DerivationOptions {
  /**
   * Whether an empty string is a malformed value (default true). The credentials and the
   * refresh token are meaningless empty; a chat message or context that the documents do
   * not bound may be answered.
   */
  emptyStrings?: boolean;
}

/** Every malformed case for a request schema. `valid` bodies passed to `build` must conform to it. */
export function deriveMalformedCases(schema: RequestSchema, { emptyStrings = true }: DerivationOptions = {}): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const properties = Object.entries(schema.properties);
  const required = new Set(schema.required ?? []);

  for (const field of schema.required ?? []) {
    cases.push({
      name: `missing required field "${field}"`,
      kind: 'missing-field',
      field,
      allowed: MUST_BE_INVALID,
      build: (valid) => json(without(valid, field)),
    });
  }

  for (const [field, property] of properties) {
    const allowed = allowedTypes(property);
    // JSON null in an optional field is how many clients write "absent" (pydantic's
    // Optional accepts it): only a required field's null is malformed for certain.
    for (const type of wrongTypesFor(property).filter((t) => t !== 'null' || required.has(field))) {
      cases.push({
        name: `"${field}" as ${type === 'null' ? 'null' : `a${/^[aeiou]/.test(type) ? 'n' : ''} ${type}`}`,
        kind: 'wrong-type',
        field,
        sentType: type,
        allowed: MUST_BE_INVALID,
        build: (valid) => json({ ...valid, [field]: valueOfType(type, valid[field], allowed) }),
      });
    }
  }

  for (const [field, property] of properties) {
    if (!emptyStrings || !allowedTypes(property).has('string')) continue;
    cases.push({
      name: `"${field}" as the empty string`,
      kind: 'empty-string',
      field,
      allowed: INVALID_OR_UNAUTHENTICATED,
      build: (valid) => json({ ...valid, [field]: '' }),
    });
  }

  cases.push({ name: 'the empty object {}', kind: 'empty-object', allowed: MUST_BE_INVALID, build: () => json({}) });

  const nonObjects: Array<[string, string]> = [
    ['an array []', '[]'],
    ['a string "text"', '"text"'],
    ['a number 42', '42'],
    ['null', 'null'],
    ['true', 'true'],
  ];
  for (const [label, text] of nonObjects) {
    cases.push({
      name: `non-object JSON: ${label}`,
      kind: 'non-object',
      allowed: MUST_BE_INVALID,
      build: () => ({ body: text, contentType: JSON_CONTENT_TYPE }),
    });
  }

  const invalidJson: Array<[string, (valid: Readonly<Record<string, unknown>>) => string]> = [
    ['an empty body', () => ''],
    [
      'truncated',
      (valid) => {
        const text = JSON.stringify(valid);
        return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
      },
    ],
    ['a trailing comma', (valid) => `${JSON.stringify(valid).slice(0, -1)},}`],
    ['single quotes', singleQuoted],
  ];
  for (const [label, text] of invalidJson) {
    cases.push({
      name: `invalid JSON: ${label}`,
      kind: 'invalid-json',
      allowed: MUST_BE_INVALID,
      build: (valid) => ({ body: text(valid), contentType: JSON_CONTENT_TYPE }),
    });
  }

  cases.push({
    name: 'the valid JSON sent as text/plain',
    kind: 'content-type',
    allowed: MUST_BE_INVALID,
    build: (valid) => ({ body: JSON.stringify(valid), contentType: 'text/plain' }),
  });
  cases.push({
    name: 'the valid fields sent as application/x-www-form-urlencoded',
    kind: 'content-type',
    allowed: MUST_BE_INVALID,
    build: (valid) => ({ body: formEncoded(valid), contentType: 'application/x-www-form-urlencoded' }),
  });

  const names = new Set(cases.map((c) => c.name));
  if (names.size !== cases.length) throw new Error(`deriveMalformedCases(${schema.title ?? 'schema'}): two cases share a name`);
  return cases;
}

/** The JSON type of a parsed value, as JSON Schema names it. */
export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}
