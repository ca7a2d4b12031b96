/**
 * Scans a folder of run output (reports, traces, logs) for secrets: given values such as
 * the configured passwords and every token issued during the run, and any complete JWT.
 * Playwright's HTML report keeps its data in a base64 zip inside index.html, so zips are
 * opened and their entries scanned too; a plain text search would miss them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { unzipSync } from 'fflate';

export interface SecretFinding {
  /** The file (and zip entry) where the secret was found, relative to the scanned folder. */
  where: string;
  /** What was found, never the secret itself: `secret #3` or `a complete JWT`. */
  what: string;
}

/** A complete compact JWS: header and payload JSON, and a non-trivial signature. */
const COMPLETE_JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/;
const EMBEDDED_ZIP = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/g;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length > 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Yields [name, text] for a file and, recursively, for zips inside it. */
function* texts(name: string, bytes: Uint8Array): Generator<[string, string]> {
  if (isZip(bytes)) {
    for (const [entry, content] of Object.entries(unzipSync(bytes))) yield* texts(`${name}!${entry}`, content);
    return;
  }
  const text = Buffer.from(bytes).toString('utf8');
  yield [name, text];
  for (const match of text.matchAll(EMBEDDED_ZIP)) {
    yield* texts(`${name}!embedded-zip`, Buffer.from(match[1]!, 'base64'));
  }
}

export function scanForSecrets(dir: string, secrets: readonly string[]): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const wanted = secrets.filter((s) => s.length >= 6);
  for (const path of files(dir)) {
    for (const [where, text] of texts(relative(dir, path), readFileSync(path))) {
      wanted.forEach((secret, i) => {
        if (text.includes(secret)) findings.push({ where, what: `secret #${i + 1}` });
      });
      if (COMPLETE_JWT.test(text)) findings.push({ where, what: 'a complete JWT' });
    }
  }
  return findings;
}
