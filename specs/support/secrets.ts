/**
 * Everything secret this worker has seen: the configured passwords and every token a
 * target issued. Failure messages and attachments are redacted against it, so that an
 * opaque (non-JWT) token is hidden as surely as a JWT.
 */
import { suiteConfig } from '../../lib/config.ts';
import { Redactor } from '../../lib/redact.ts';

const seen = new Set<string>();

export function rememberSecret(value: unknown): void {
  if (typeof value === 'string' && value.length >= 8) seen.add(value);
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
