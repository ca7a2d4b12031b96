/**
 * A clone of the repository holds everything it cites: no tracked file names a path of one
 * machine (a home folder, a scratch folder, a sibling checkout), climbs out of the
 * repository with a relative path, or points at an issue tracker's numbers instead of
 * saying what it means. package-lock.json is left out (it is written by npm).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../lib/config.ts';

const EXCLUDED = new Set(['package-lock.json']);
/** Folders never tracked: used only when git cannot list the files. */
const UNTRACKED_FOLDERS = new Set(['.git', 'node_modules', 'reports', '.cache', 'test-results']);

/** Absolute paths of one machine, and the sibling folder the contract once lived in. */
const MACHINE_PATH = new RegExp(
  [
    String.raw`(?<![\w.-])\/work\/`,
    String.raw`(?<![\w.-])\/home\/[\w.-]+`,
    String.raw`(?<![\w.-])\/root\/`,
    String.raw`(?<![\w.-])\/Users\/[\w.-]+`,
    String.raw`\/tmp\/bash_jobs`,
    String.raw`\.\.\/shared\/`,
    String.raw`[A-Za-z]:\\Users\\`,
  ].join('|'),
);
/** A relative path that starts by climbing one or more folders up. */
const CLIMBING_PATH = /(?<![\w./-])((?:\.\.\/)+)([^\s'"`()[\]<>,;*]*)/g;
/** Numbers of an issue tracker instead of words (an issue or ticket named by its number, a PR by #). */
const TRACKER_NUMBER = /\b(?:issue|ticket)\s*(?:#|no\.?\s*)?\d+\b|\b(?:issues|tickets|PR|pull request)\s*#\d+\b/i;

export interface Finding {
  file: string;
  line: number;
  rule: string;
  excerpt: string;
}

/** What is wrong with `text`, a file at `file` (relative to `root`). */
export function scanText(file: string, text: string, root = PROJECT_ROOT): Finding[] {
  const findings: Finding[] = [];
  const lines = text.split('\n');
  lines.forEach((content, i) => {
    const add = (rule: string) => findings.push({ file, line: i + 1, rule, excerpt: content.trim().slice(0, 160) });
    if (MACHINE_PATH.test(content)) add('names a path of one machine, outside the repository');
    for (const match of content.matchAll(CLIMBING_PATH)) {
      const target = resolve(root, dirname(file), match[0]);
      const inside = relative(root, target);
      if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) add(`climbs out of the repository (${match[0]})`);
    }
    if (TRACKER_NUMBER.test(content)) add('cites an issue number');
  });
  return findings;
}

function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter(Boolean);
  } catch {
    // Not a git checkout (an exported tree): every file but the folders git never holds.
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true })) {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!UNTRACKED_FOLDERS.has(entry.name)) walk(path);
        } else if (entry.isFile()) files.push(path);
      }
    };
    walk('');
    return files;
  }
}

/** `n` folders up, spelled so that this file does not itself climb. */
const up = (n: number) => `${'..'}/`.repeat(n);

test('the scanner notices each kind of outside reference', () => {
  // Assembled from pieces, so this file does not cite what it looks for.
  const samples: Array<[string, string]> = [
    ['README.md', `see ${'..'}/shared/CONTRACT.md`],
    ['specs/a.spec.ts', `// from ${'/wo'}rk/main/specs`],
    ['lib/x.ts', `const log = '${'/tmp'}/bash_jobs.0/1/stdout';`],
    ['docs.md', `${'/ho'}me/alice/notes.md`],
    ['docs.md', `${'/ro'}ot/.config/file`],
    ['README.md', `[contract](${'..'}/CONTRACT.md)`],
    ['specs/support/a.ts', `// as in ${up(3)}other/file.ts`],
    ['specs/a.spec.ts', `the server ${'iss'}ues 2 s tokens; see ${'iss'}ue #12`],
    ['reporting/load-runs.ts', ` * the layout ${'iss'}ue #4 gives`],
    ['load/README.md', `Reserved (${'iss'}ue 4).`],
  ];
  for (const [file, text] of samples) assert.notDeepEqual(scanText(file, text), [], `${file}: ${text}`);
});

test('the scanner leaves paths inside the repository alone', () => {
  const samples: Array<[string, string]> = [
    ['reference-api/README.md', `[contract](${up(1)}contracts/CONTRACT.md)`],
    ['specs/support/api.ts', `import type { Account } from '${up(2)}lib/config.ts';`],
    ['specs/a.spec.ts', `the expiry target ${'iss'}ues 2 s tokens on purpose`],
    ['README.md', 'RFC 9700 §4.14.2 and decision 8; colour #123456'],
    ['lib/chromium.ts', "const DEFAULT = '/usr/bin/chromium';"],
  ];
  for (const [file, text] of samples) assert.deepEqual(scanText(file, text), [], `${file}: ${text}`);
});

test('no tracked file cites a path outside the repository or an issue number', () => {
  const files = trackedFiles().filter((f) => !EXCLUDED.has(f));
  assert.ok(files.length > 50, `only ${files.length} files found`);
  const findings: Finding[] = [];
  for (const file of files) {
    const path = join(PROJECT_ROOT, file);
    let buffer: Buffer;
    try {
      if (!statSync(path).isFile()) continue;
      buffer = readFileSync(path);
    } catch {
      continue; // deleted in the working tree
    }
    if (buffer.includes(0)) continue; // binary
    findings.push(...scanText(file, buffer.toString('utf8')));
  }
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line}: ${f.rule}: ${f.excerpt}`),
    [],
  );
});
