/**
 * Everything secret this worker has seen: the configured passwords and every token a
 * target issued. Failure messages and attachments are redacted against it, so that an
 * opaque (non-JWT) token is hidden as surely as a JWT.
 */
import { appendFileSync } from 'node:fs';
import { suiteConfig } from '../../lib/config.ts';
import { Redactor } from '../../lib/redact.ts';

const seen = new Set<string>();

/**
 * For the project's own leak test only: SECRET_LEDGER_FILE names a private temporary file
 * where every issued token is appended, so that the test can search the reports for them.
 */
const ledger = process.env.SECRET_LEDGER_FILE;

export function rememberSecret(value: unknown): void {
  if (typeof value !== 'string' || value.length < 8 || seen.has(value)) return;
  seen.add(value);
  if (ledger) appendFileSync(ledger, `${value}\n`, { mode: 0o600 });
}

/** Remembers the tokens of a token-bearing body (sign-in or refresh). */
export function rememberTokens(body: unknown): void {
  if (body && typeof body === 'object') {
    const { access_token, refresh_token } = body as Record<string, unknown>;
    rememberSecret(access_token);
    rememberSecret(refresh_token);
  }
}

export function redactor(): Redactor {
  const config = suiteConfig();
  return new Redactor([config.user.password, config.probeUser.password, config.jwt.verifyKey, ...seen]);
}
