/** Small HTML helpers for the generated pages: everything a run or a user named is escaped. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A relative link to `segments` joined with '/', each segment percent-encoded. */
export function href(...segments: string[]): string {
  return segments.flatMap((s) => s.split('/')).filter((s) => s !== '').map(encodeURIComponent).join('/');
}
