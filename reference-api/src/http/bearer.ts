/** Reading `Authorization: Bearer <token>` (RFC 6750 §2.1), shared by /chat and refresh. */

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 9110 §11.1). */
export function bearerToken(header: string | undefined): { presented: false } | { presented: true; token: string } {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  if (match) return { presented: true, token: match[1]! };
  // "Bearer" followed by something that is not a b64token still counts as a presented (bad) token.
  return /^Bearer\s+\S/i.test(header ?? '') ? { presented: true, token: '' } : { presented: false };
}
