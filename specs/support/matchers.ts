/**
 * Custom matchers. Their failure messages name the request, the JSON path and the rule
 * broken, and show an excerpt of the body with every secret redacted: a failing gate in
 * CI must explain itself without leaking a password or a token into the report.
 */
import { expect as baseExpect } from '@playwright/test';
import { validate, type RuleViolation, type SchemaName } from '../../contracts/index.ts';
import type { ApiResponse } from './api.ts';
import { redactor } from './secrets.ts';

/** The media type of an error answer (decision 2): application/json or application/problem+json. */
const JSON_ERROR_CONTENT_TYPE = /^application\/(?:problem\+)?json\s*(;|$)/i;

const jsonMediaType = (res: ApiResponse) => JSON_ERROR_CONTENT_TYPE.test(res.headers['content-type'] ?? '');

function parsesAsJson(res: ApiResponse): boolean {
  try {
    JSON.parse(res.text);
    return true;
  } catch {
    return false;
  }
}

/** True when `res` is an error answer a client SDK can read: what toBeJsonError asserts. */
export const isJsonError = (res: ApiResponse): boolean => jsonMediaType(res) && parsesAsJson(res);

function describe(res: ApiResponse): string {
  return `${res.method} ${res.path} → ${res.status}`;
}

function excerpt(res: ApiResponse): string {
  const r = redactor();
  return res.json !== undefined ? r.json(res.json) : r.text(res.text.slice(0, 600)) || '(empty body)';
}

function isApiResponse(value: unknown): value is ApiResponse {
  return typeof value === 'object' && value !== null && 'status' in value && 'headers' in value && 'text' in value;
}

export const expect = baseExpect.extend({
  /** The body is JSON and conforms to the named schema of the contract. */
  toMatchContract(res: ApiResponse, schema: SchemaName) {
    const name = 'toMatchContract';
    if (!isApiResponse(res)) return { pass: false, name, message: () => `${name}: expected a response from the suite's API client` };
    if (res.json === undefined) {
      return {
        pass: false,
        name,
        message: () => `${describe(res)}: expected a JSON body matching ${schema}, got a body that is not JSON:\n${excerpt(res)}`,
      };
    }
    const result = validate(schema, res.json);
    const pass = result.ok;
    const message = () => {
      if (this.isNot) return `${describe(res)}: expected the body not to match ${schema}, but it does`;
      const violations = result.ok ? [] : result.violations;
      const lines = violations.slice(0, 10).map((v) => `  ${v.path}: ${v.rule}: ${v.message}`);
      if (violations.length > 10) lines.push(`  … and ${violations.length - 10} more`);
      return `${describe(res)}: the body breaks the contract (${schema}):\n${lines.join('\n')}\nbody (redacted):\n${excerpt(res)}`;
    };
    return { pass, name, message };
  },

  /**
   * Every rule judged holds: `violations` is what rules of contracts/rules.ts returned.
   * The message lists each broken rule by its id, with what is wrong.
   */
  toHaveNoViolations(violations: readonly RuleViolation[]) {
    const name = 'toHaveNoViolations';
    if (!Array.isArray(violations)) return { pass: false, name, message: () => `${name}: expected the violations a rule of contracts/rules.ts returned` };
    const r = redactor();
    const lines = violations.map((v) => `  ${v.rule}: ${r.text(v.message)}`);
    return {
      pass: violations.length === 0,
      name,
      message: () =>
        this.isNot
          ? 'expected a rule of the contract to be broken, every rule held'
          : `${violations.length === 1 ? 'a rule' : `${violations.length} rules`} of the contract broken:\n${lines.join('\n')}`,
    };
  },

  /** The status is `expected` (or one of them); the message shows the redacted body. */
  toHaveStatus(res: ApiResponse, expected: number | readonly number[]) {
    const allowed = typeof expected === 'number' ? [expected] : expected;
    const pass = allowed.includes(res.status);
    const want = allowed.length === 1 ? String(allowed[0]) : `one of ${allowed.join(', ')}`;
    return {
      pass,
      name: 'toHaveStatus',
      message: () =>
        `${describe(res)}: expected status ${this.isNot ? 'not ' : ''}${want}, got ${res.status}\nbody (redacted):\n${excerpt(res)}`,
    };
  },

  /** A 4xx status (never a 5xx for client input), answered within `limitMs`. */
  toBeClientError(res: ApiResponse, options: { allowed?: readonly number[]; limitMs: number }) {
    const inRange = options.allowed ? options.allowed.includes(res.status) : res.status >= 400 && res.status < 500;
    const fast = res.elapsedMs <= options.limitMs;
    const want = options.allowed ? options.allowed.join(' or ') : 'a 4xx status';
    return {
      pass: inRange && fast,
      name: 'toBeClientError',
      message: () =>
        !inRange
          ? `${describe(res)}: expected ${want} for client input, got ${res.status}\nbody (redacted):\n${excerpt(res)}`
          : `${describe(res)}: answered in ${Math.round(res.elapsedMs)} ms, over the ${options.limitMs} ms bound`,
    };
  },

  /**
   * An error answer a client SDK can read (decision 2): a JSON media type
   * (application/json or application/problem+json) and a body that parses as JSON.
   */
  toBeJsonError(res: ApiResponse) {
    const name = 'toBeJsonError';
    if (!isApiResponse(res)) return { pass: false, name, message: () => `${name}: expected a response from the suite's API client` };
    const contentType = res.headers['content-type'];
    const typeOk = jsonMediaType(res);
    const parses = parsesAsJson(res);
    return {
      pass: typeOk && parses,
      name,
      message: () =>
        !typeOk
          ? `${describe(res)}: an error answer must have a JSON media type (application/json or application/problem+json), got ${contentType === undefined ? 'no Content-Type' : `'${redactor().text(contentType)}'`}\nbody (redacted):\n${excerpt(res)}`
          : `${describe(res)}: an error answer's body must parse as JSON, got:\n${excerpt(res)}`,
    };
  },

  /** The header is present and its value matches `pattern` (names are case-insensitive). */
  toHaveHeader(res: ApiResponse, header: string, pattern: RegExp = /.*/) {
    const value = res.headers[header.toLowerCase()];
    const pass = value !== undefined && pattern.test(value);
    return {
      pass,
      name: 'toHaveHeader',
      message: () =>
        value === undefined
          ? `${describe(res)}: expected a ${header} header, none was sent`
          : `${describe(res)}: expected ${header} ${this.isNot ? 'not ' : ''}to match ${pattern}, got '${redactor().text(value)}'`,
    };
  },
});
