/**
 * Error bodies in the FastAPI style the contract expects (decision 2): `{"detail": "text"}`
 * or `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`. They never echo the
 * request (which may hold a password or token), a stack, or a file path; the
 * `validation-echoes-input` variation adds pydantic's `input` echo to show the suite accepts it.
 */
import type { ContractViolation } from '../../../contracts/index.ts';

export interface ValidationProblem {
  loc: Array<string | number>;
  msg: string;
  type: string;
}

export interface ValidationErrorBody {
  detail: ValidationProblem[];
}

export const NOT_FOUND = { detail: 'Not Found' } as const;
export const METHOD_NOT_ALLOWED = { detail: 'Method Not Allowed' } as const;
export const PAYLOAD_TOO_LARGE = { detail: 'Request body too large' } as const;
export const INTERNAL_ERROR = { detail: 'Internal Server Error' } as const;
export const NOT_AUTHENTICATED = { detail: 'Not authenticated' } as const;
export const INVALID_TOKEN = { detail: 'Could not validate credentials' } as const;
export const TOO_MANY_ATTEMPTS = { detail: 'Too many failed sign-in attempts; try again later' } as const;

export const problem = (loc: Array<string | number>, msg: string, type: string): ValidationErrorBody => ({
  detail: [{ loc, msg, type }],
});

/** `$.user.id` → ['user', 'id']; `$.items[0]` → ['items', 0]; `$["a b"]` → ['a b']. */
export function jsonPathToLoc(path: string): Array<string | number> {
  const loc: Array<string | number> = [];
  const part = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const match of path.slice(1).matchAll(part)) {
    if (match[1] !== undefined) loc.push(match[1]);
    else if (match[2] !== undefined) loc.push(Number(match[2]));
    else if (match[3] !== undefined) loc.push(JSON.parse(match[3]) as string);
  }
  return loc;
}

/** FastAPI/pydantic error type names for the schema keywords our request schemas use. */
const TYPE_BY_RULE: Record<string, (violation: ContractViolation) => { type: string; msg: string }> = {
  required: () => ({ type: 'missing', msg: 'Field required' }),
  type: (v) => {
    const expected = /must be (\w+)/.exec(v.message)?.[1] ?? 'value';
    return expected === 'object'
      ? { type: 'model_attributes_type', msg: 'Input should be a valid dictionary or object to extract fields from' }
      : { type: `${expected}_type`, msg: `Input should be a valid ${expected}` };
  },
  format: (v) =>
    /email/.test(v.message)
      ? { type: 'value_error', msg: 'value is not a valid email address' }
      : { type: 'value_error', msg: `Input ${v.message}` },
  minLength: (v) => ({ type: 'string_too_short', msg: `String ${v.message.replace(/^must /, 'should ')}` }),
  maxLength: (v) => ({ type: 'string_too_long', msg: `String ${v.message.replace(/^must /, 'should ')}` }),
};

/** Contract violations of a request body as a 422 body, each located under "body". */
export function bodyViolations(violations: ContractViolation[]): ValidationErrorBody {
  return {
    detail: violations.map((violation) => {
      const { type, msg } = TYPE_BY_RULE[violation.rule]?.(violation) ?? { type: 'value_error', msg: violation.message };
      return { loc: ['body', ...jsonPathToLoc(violation.path)], msg, type };
    }),
  };
}
