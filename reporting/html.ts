/** Small HTML helpers for the generated pages: everything a run or a user named is escaped. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A relative link to `segments` joined with '/', each segment percent-encoded. */
export function href(...segments: string[]): string {
  return segments.flatMap((s) => s.split('/')).filter((s) => s !== '').map(encodeURIComponent).join('/');
}

/** A figure for a reader: about three significant digits, thousands separated. */
export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/**
 * JSON for an inline `<script type="application/json">`: every `<` written as `\u003c`, so no
 * value can close the element (`</script>`) or open a comment; U+2028/2029 escaped likewise.
 */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
