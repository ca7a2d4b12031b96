/**
 * Redaction: passwords and complete tokens never reach a console, report, trace or log.
 * Tokens are shown by their first characters only, enough to tell two apart in a report.
 */

/** A compact JWS/JWT: three base64url parts, the first a JSON header (`eyJ` = `{"`). */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
/** Bearer credentials in headers or text, whatever their shape. */
const BEARER_PATTERN = /(Bearer\s+)([A-Za-z0-9._~+/=-]{8,})/gi;
/** JSON members whose value is a secret, e.g. "password":"..." or "refresh_token": "...". */
const SECRET_MEMBER_PATTERN =
  /("(?:password|passwd|access_token|refresh_token|token|id_token|secret|client_secret)"\s*:\s*)"((?:[^"\\]|\\.)*)"/gi;

export const REDACTED = '[redacted]';

/** A token's visible stub: its first 8 characters and its length. */
export function tokenStub(token: string): string {
  return `${token.slice(0, 8)}…[redacted ${token.length} chars]`;
}

export class Redactor {
  private readonly secrets: string[];

  /** `secrets`: exact values (passwords, issued tokens) to hide wherever they appear. */
  constructor(secrets: Iterable<string | undefined> = []) {
    this.secrets = [...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 4);
  }

  /** A redactor that also hides `more`. */
  with(...more: Array<string | undefined>): Redactor {
    return new Redactor([...this.secrets, ...more]);
  }

  text(input: string): string {
    let out = input;
    // Longest first, so a secret containing another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(REDACTED);
    }
    return out
      .replace(SECRET_MEMBER_PATTERN, (_m, key: string, value: string) =>
        value.length === 0 ? `${key}""` : `${key}"${value.startsWith('eyJ') ? tokenStub(value) : REDACTED}"`,
      )
      .replace(JWT_PATTERN, (jwt) => tokenStub(jwt))
      .replace(BEARER_PATTERN, (_m, prefix: string, cred: string) => `${prefix}${cred.includes('…[redacted') ? cred : tokenStub(cred)}`);
  }

  /** A JSON value rendered and redacted, cut to `limit` characters for excerpts. */
  json(value: unknown, limit = 600): string {
    let rendered: string;
    try {
      rendered = JSON.stringify(value, null, 2) ?? String(value);
    } catch {
      rendered = String(value);
    }
    const safe = this.text(rendered);
    return safe.length > limit ? `${safe.slice(0, limit)}… (${safe.length - limit} more chars)` : safe;
  }
}
