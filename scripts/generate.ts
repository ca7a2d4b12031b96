/**
 * `npm run generate`: writes the files generated from the contract.
 * `npm run generate -- --check`: exits 1 and names the stale files instead of writing.
 */
import { mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DIR, renderGeneratedFiles } from '../contracts/generate.ts';
import { EXIT, SuiteError, runMain } from '../lib/errors.ts';
import { PROJECT_ROOT } from '../lib/config.ts';

const readOrEmpty = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

await runMain(() => {
  const args = process.argv.slice(2);
  const unknown = args.find((a) => a !== '--check');
  if (unknown !== undefined) throw new SuiteError('USAGE', `unknown argument '${unknown}' (usage: generate [--check])`);
  const check = args.includes('--check');
  const files = renderGeneratedFiles();
  const dir = join(PROJECT_ROOT, GENERATED_DIR);
  const leftovers = readdirSync(dir)
    .map((name) => `${GENERATED_DIR}/${name}`)
    .filter((path) => !files.has(path));
  const stale = [...files].filter(([path, content]) => readOrEmpty(join(PROJECT_ROOT, path)) !== content).map(([p]) => p);
  if (check) {
    const problems = [...stale, ...leftovers.map((p) => `${p} (no longer generated)`)];
    if (problems.length === 0) return EXIT.ok;
    throw new SuiteError('STALE_GENERATED', `run npm run generate; stale: ${problems.join(', ')}`, EXIT.failed);
  }
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of files) writeFileSync(join(PROJECT_ROOT, path), content);
  for (const path of leftovers) unlinkSync(join(PROJECT_ROOT, path));
  process.stdout.write(`generated ${files.size} files in ${GENERATED_DIR} (${stale.length} changed)\n`);
  return EXIT.ok;
});
