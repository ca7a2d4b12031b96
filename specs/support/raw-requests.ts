/** Requests sent byte for byte, for the malformed-input specs. */
import { randomBytes } from 'node:crypto';
import type { ApiResponse, AuthApi } from './api.ts';
import type { RawRequest } from './malformed.ts';

/**
 * POSTs `body` byte for byte. As a Buffer, not a string: given a string that does not
 * parse as JSON under a JSON content type, Playwright's request API serializes it into a
 * JSON string literal, which would turn every invalid-JSON case into valid JSON.
 */
export function sendRaw(api: AuthApi, path: string, { body, contentType }: RawRequest, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return api.send('POST', path, { data: Buffer.from(body, 'utf8'), raw: true, headers: { ...headers, 'content-type': contentType } });
}

/**
 * POSTs an oversized JSON body. RFC 9110 §15.5.14 lets a server answer 413 before it has
 * read the body and then close the connection; the client, still writing, may see the
 * connection fail (EPIPE, ECONNRESET) before it reads that answer. Such a transport
 * failure is retried (three attempts in all); a target that never answers fails the test.
 */
export async function sendOversized(api: AuthApi, path: string, body: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendRaw(api, path, { body, contentType: 'application/json' }, headers);
    } catch (error) {
      const transport = /\b(EPIPE|ECONNRESET|socket hang up)\b/i.test(`${String(error)} ${String((error as { code?: unknown }).code)}`);
      if (!transport || attempt >= attempts) throw error;
    }
  }
}

/** A JSON object of exactly `bytes` bytes: `base` plus `field` holding random text. */
export function oversizedJson(base: Record<string, string>, field: string, bytes: number): string {
  const skeleton = JSON.stringify({ ...base, [field]: '' });
  const filler = randomBytes(Math.ceil(bytes / 2)).toString('hex').slice(0, Math.max(0, bytes - Buffer.byteLength(skeleton)));
  const text = JSON.stringify({ ...base, [field]: filler });
  return text;
}
