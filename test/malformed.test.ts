/**
 * The malformed-body derivation covers its schema: every required field, every property,
 * every wrong JSON type; and a field added to a schema adds its cases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatRequestSchema, refreshRequestSchema, signInRequestSchema, validate } from '../contracts/index.ts';
import {
  allowedTypes,
  deriveMalformedCases,
  jsonTypeOf,
  WRONG_TYPE_CANDIDATES,
  type MalformedCase,
  type RequestSchema,
} from '../specs/support/malformed.ts';

const validSignIn = { email: 'someone@example.test', password: 'not-a-real-password' };
const validRefresh = { token: 'header.payload.signature' };

function parsedBody(c: MalformedCase, valid: Record<string, unknown>): unknown {
  const { body, contentType } = c.build(valid);
  assert.equal(contentType, 'application/json', `${c.name}: expected a JSON content type`);
  return JSON.parse(body) as unknown;
}

/** The coverage every schema must get, checked against the schema itself. */
function assertCovers(schema: RequestSchema, valid: Record<string, unknown>): void {
  const cases = deriveMalformedCases(schema);

  for (const field of schema.required ?? []) {
    const missing = cases.filter((c) => c.kind === 'missing-field' && c.field === field);
    assert.equal(missing.length, 1, `one missing-field case for "${field}"`);
    const body = parsedBody(missing[0]!, valid) as Record<string, unknown>;
    assert.equal(field in body, false, `the body of "${missing[0]!.name}" lacks "${field}"`);
    // Every other field is still there: the case isolates one problem.
    assert.deepEqual(Object.keys(body).sort(), Object.keys(valid).filter((k) => k !== field).sort());
    assert.deepEqual(missing[0]!.allowed, [422]);
  }

  for (const [field, property] of Object.entries(schema.properties)) {
    const allowed = allowedTypes(property);
    const expected = WRONG_TYPE_CANDIDATES.filter((t) => !allowed.has(t));
    assert.ok(expected.length > 0, `"${field}" has wrong types to try`);
    const wrong = cases.filter((c) => c.kind === 'wrong-type' && c.field === field);
    assert.deepEqual(wrong.map((c) => c.sentType).sort(), [...expected].sort(), `every wrong type for "${field}"`);
    for (const c of wrong) {
      const body = parsedBody(c, valid) as Record<string, unknown>;
      assert.equal(allowed.has(jsonTypeOf(body[field])), false, `${c.name}: sends a type the schema forbids`);
      assert.deepEqual(c.allowed, [422]);
    }
    if (allowed.has('string')) {
      const empty = cases.filter((c) => c.kind === 'empty-string' && c.field === field);
      assert.equal(empty.length, 1, `an empty-string case for "${field}"`);
      assert.equal((parsedBody(empty[0]!, valid) as Record<string, unknown>)[field], '');
      assert.deepEqual([...empty[0]!.allowed].sort(), [401, 422]);
    }
  }
}

test('sign-in: a case for every required field and every property of SignInRequest', () => {
  assert.equal(validate('SignInRequest', validSignIn).ok, true, 'the sample body is valid');
  assertCovers(signInRequestSchema, validSignIn);
});

test('refresh: a case for every required field and every property of RefreshRequest', () => {
  assert.equal(validate('RefreshRequest', validRefresh).ok, true, 'the sample body is valid');
  assertCovers(refreshRequestSchema, validRefresh);
});

test('a field added to the schema adds its cases', () => {
  const before = deriveMalformedCases(signInRequestSchema);
  const extended = {
    ...signInRequestSchema,
    title: 'Extended',
    required: [...signInRequestSchema.required, 'otp'],
    properties: { ...signInRequestSchema.properties, otp: { type: 'integer' } },
  } as const satisfies RequestSchema;
  const after = deriveMalformedCases(extended);
  const added = after.filter((c) => !before.some((b) => b.name === c.name));
  assert.deepEqual(
    added.map((c) => c.name).sort(),
    ['missing required field "otp"', '"otp" as a string', '"otp" as a number', '"otp" as a boolean', '"otp" as null', '"otp" as an array', '"otp" as an object'].sort(),
  );
  const asNumber = after.find((c) => c.name === '"otp" as a number')!;
  assert.equal(jsonTypeOf((parsedBody(asNumber, { ...validSignIn, otp: 123456 }) as Record<string, unknown>).otp), 'number', 'a fraction for an integer field');
  assertCovers(extended, { ...validSignIn, otp: 123456 });
});

for (const [name, schema, valid] of [
  ['SignInRequest', signInRequestSchema, validSignIn],
  ['RefreshRequest', refreshRequestSchema, validRefresh],
] as const) {
  test(`every ${name} case is a body the contract rejects, named readably and uniquely`, () => {
    checkRejected(name, schema, valid);
  });
}

function checkRejected(name: 'SignInRequest' | 'RefreshRequest', schema: RequestSchema, valid: Record<string, string>): void {
  const cases = deriveMalformedCases(schema);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
  for (const c of cases) {
    assert.ok(c.allowed.includes(422), `${c.name}: 422 is always acceptable`);
    for (const value of Object.values(valid)) assert.equal(c.name.includes(value), false, 'titles hold no values');
    const { body, contentType } = c.build(valid);
    if (contentType !== 'application/json') {
      assert.ok(c.kind === 'content-type');
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      assert.equal(c.kind, 'invalid-json', `${c.name}: only invalid-json cases fail to parse`);
      continue;
    }
    assert.notEqual(c.kind, 'invalid-json', `${c.name}: must not be valid JSON`);
    assert.equal(validate(name, parsed).ok, false, `${c.name}: the schema rejects it`);
  }
}

test('the fixed cases: {}, non-object JSON, invalid JSON and wrong content types', () => {
  const cases = deriveMalformedCases(refreshRequestSchema);
  const byKind = (kind: MalformedCase['kind']) => cases.filter((c) => c.kind === kind).map((c) => c.build(validRefresh));
  assert.deepEqual(byKind('empty-object').map((r) => r.body), ['{}']);
  assert.deepEqual(byKind('non-object').map((r) => r.body), ['[]', '"text"', '42', 'null', 'true']);
  const invalid = byKind('invalid-json').map((r) => r.body);
  assert.equal(invalid.length, 4);
  for (const text of invalid) assert.throws(() => JSON.parse(text));
  assert.ok(invalid.includes(`{"token":"header.payload.signature",}`));
  assert.ok(invalid.includes(`{'token': 'header.payload.signature'}`));
  assert.deepEqual(
    byKind('content-type').map((r) => [r.contentType, r.body]),
    [
      ['text/plain', '{"token":"header.payload.signature"}'],
      ['application/x-www-form-urlencoded', 'token=header.payload.signature'],
    ],
  );
});

test('the /chat cases: message missing or mistyped, optional fields mistyped (null read as absent), no empty strings', () => {
  const valid = { message: 'hello', target_context: 'context', conversation_id: 'c-1' };
  assert.ok(validate('ChatRequest', valid).ok);
  const cases = deriveMalformedCases(chatRequestSchema, { emptyStrings: false });
  const names = cases.map((c) => c.name);
  assert.ok(names.includes('missing required field "message"'));
  for (const type of ['a number', 'a boolean', 'null', 'an array', 'an object']) assert.ok(names.includes(`"message" as ${type}`), type);
  for (const field of ['target_context', 'conversation_id']) {
    for (const type of ['a number', 'a boolean', 'an array', 'an object']) assert.ok(names.includes(`"${field}" as ${type}`), `${field} ${type}`);
    assert.ok(!names.includes(`"${field}" as null`), `${field}: null may mean absent`);
  }
  assert.equal(cases.filter((c) => c.kind === 'empty-string').length, 0);
  for (const c of cases.filter((c) => c.kind === 'wrong-type' || c.kind === 'missing-field')) {
    assert.equal(validate('ChatRequest', parsedBody(c, valid)).ok, false, c.name);
  }
});
