/**
 * What an error body must never reveal: a token, a password or other secret, a stack trace,
 * an internal file path. `errorBodyLeaks` returns the problems found as descriptions that
 * name the kind of leak but never quote a secret, so they are safe in an assertion message:
 *
 *   expect(errorBodyLeaks(res, { secrets: [password] }), 'the error body leaks').toEqual([]);
 */
import { existsSync } from 'node:fs';
import type { SuiteConfig } from '../../lib/config.ts';
import type { ApiResponse } from './api.ts';
import { redactor } from './secrets.ts';

/** A compact JWS: what any JWT-shaped token looks like. */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Member names that carry tokens or secrets in a JSON body. */
const SECRET_MEMBER = /^(access_token|refresh_token|id_token|token|password|passwd|password_hash|hash|secret|client_secret|private_key)$/i;

/** Stack traces of the usual runtimes, each with a label for the report. */
const STACK_TRACES: ReadonlyArray<[string, RegExp]> = [
  ['a JavaScript stack frame', /\bat\s+(?:async\s+)?(?:[\w$.<>[\]]+\s+)?\(?(?:file:\/\/|\/|[A-Za-z]:\\|node:)[^\s)]*:\d+(?::\d+)?\)?/],
  ['a JavaScript stack frame', /(?:^|\\n|\n)\s*at\s+\S+.*\(.*:\d+:\d+\)/],
  ['a Python traceback', /Traceback \(most recent call last\)/],
  ['a Python stack frame', /File "[^"]+", line \d+/],
  ['a Java stack frame', /\bat\s+[\w$.]+\([\w$]+\.(?:java|kt):\d+\)/],
  ['an error class with a stack', /"stack"\s*:/],
];

/**
 * An absolute path under a system folder, standing on its own: at the start, or after a
 * quote, space, bracket or `=`. Inside a URL (`https://errors.pydantic.dev/app/…`, which
 * FastAPI error bodies may carry) the same folder name is no leak.
 */
const systemFolder = (folder: string) => new RegExp(`(?:^|[\\s"'(\\[=])/${folder}/`);

/** Internal paths: a body naming any of these shows the server's file layout. */
const INTERNAL_PATHS: ReadonlyArray<[string, RegExp]> = [
  ...['home', 'usr', 'app', 'var', 'opt', 'srv', 'tmp', 'root'].map((folder): [string, RegExp] => [`/${folder}/`, systemFolder(folder)]),
  ['node_modules', /node_modules/],
  ['a Windows path', /[A-Za-z]:\\\\?[\w.-]+\\/],
  ['a file:// URL', /file:\/\//],
  ['a .ts/.js/.mjs source location', /\.(?:ts|js|mjs|cjs|tsx):\d*/],
  ['a .py source file', /\.py"/],
  ['a .py source location', /\.py:\d+/],
];

export interface LeakCheckOptions {
  /** Values the body must not contain: the passwords and tokens the test sent or holds. */
  secrets?: ReadonlyArray<string | undefined>;
  /**
   * The request body as sent. What it carried may come back in a validation error: FastAPI
   * (pydantic v2) puts the rejected value in each 422 item's `input`, which hands the client
   * its own input and reveals nothing it did not have. Only values the server could not
   * have taken from this request count as leaks then.
   */
  sent?: string;
}

/** The configured passwords and any HMAC verification secret: never in any response. */
export function configuredSecrets(config: SuiteConfig): string[] {
  const secrets = [config.user.password, config.probeUser.password, config.reuseUser.password];
  if (config.lockoutPassword !== undefined) secrets.push(config.lockoutPassword);
  const key = config.jwt.verifyKey;
  // A PEM public key or a key file is not a secret; an HMAC secret is.
  if (key !== undefined && !key.includes('-----BEGIN') && !existsSync(key)) secrets.push(key);
  return secrets;
}

/** Whether `value` appears in the request body `sent`, as it is or as a JSON string's content. */
function echoes(sent: string | undefined, value: string): boolean {
  return sent !== undefined && value !== '' && (sent.includes(value) || sent.includes(JSON.stringify(value).slice(1, -1)));
}

/** Members named like a secret, unless their value is the request's own input echoed back. */
function secretMembers(value: unknown, sent: string | undefined, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => secretMembers(item, sent, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => [
    ...(SECRET_MEMBER.test(key) && !echoes(sent, typeof inner === 'string' ? inner : JSON.stringify(inner)) ? [`${path}.${key}`] : []),
    ...secretMembers(inner, sent, `${path}.${key}`),
  ]);
}

/** The leaks found in `res`'s body (and in its headers, for secrets), described without quoting any secret. */
export function errorBodyLeaks(res: ApiResponse, options: LeakCheckOptions = {}): string[] {
  const problems: string[] = [];
  const text = res.text;
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const headerText = Object.entries(res.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  const { sent } = options;
  secrets.forEach((secret, i) => {
    if (text.includes(secret) && !echoes(sent, secret)) problems.push(`the body contains secret #${i + 1} of the ones this test sent or holds`);
    if (headerText.includes(secret)) problems.push(`a header contains secret #${i + 1} of the ones this test sent or holds`);
  });
  if ([...text.matchAll(JWT)].some(([token]) => !echoes(sent, token))) problems.push('the body contains a JWT-shaped token');
  for (const member of secretMembers(res.json, sent)) problems.push(`the body has a member named like a secret: ${member}`);
  for (const [label, pattern] of STACK_TRACES) {
    if (pattern.test(text) && !problems.includes(`the body contains ${label}`)) problems.push(`the body contains ${label}`);
  }
  for (const [label, pattern] of INTERNAL_PATHS) {
    const match = pattern.exec(text);
    if (match) problems.push(`the body contains an internal path (${label}): …${redactor().text(text.slice(Math.max(0, match.index - 30), match.index + 40))}…`);
  }
  return problems;
}
