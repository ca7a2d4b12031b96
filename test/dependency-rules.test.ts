// The dependency rules (.dependency-cruiser.cjs, run by `npm run deps`) can fail: a check
// that never fails proves nothing, and one wrong option (an import that no longer resolves,
// type imports left out) would let every rule pass without having looked. So this plants
// two small modules in reporting/ that break the rules the way a careless edit would, runs
// depcruise with the project's own configuration on them, and expects both breaks named
// by their rules. The planted files are removed whatever happens.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../lib/config.ts';

const DEPCRUISE = join(PROJECT_ROOT, 'node_modules', '.bin', 'depcruise');

test('depcruise names the rule a reverse import breaks, and a loop made of type imports only', () => {
  const stem = `dependency-rules-probe-${process.pid}`;
  const a = `reporting/${stem}-a.ts`;
  const b = `reporting/${stem}-b.ts`;
  try {
    // reporting/ reading the engine's types instead of declaring the on-disk shape itself.
    writeFileSync(
      join(PROJECT_ROOT, a),
      `import type { LoadSummary } from '../load/engine/summary-types.ts';\nimport type { B } from './${stem}-b.ts';\nexport type A = LoadSummary | B;\n`,
    );
    // And a loop between two modules that erases at compile time: it still counts.
    writeFileSync(join(PROJECT_ROOT, b), `import type { A } from './${stem}-a.ts';\nexport type B = { a: A };\n`);

    // As `npm run deps` runs it, on the planted module only (depcruise follows its imports).
    const run = spawnSync(process.execPath, [DEPCRUISE, '--config', '.dependency-cruiser.cjs', a], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(run.error, undefined, `depcruise did not run: ${run.error?.message}`);
    const report = run.stdout.replace(/\s+/g, ' ');
    assert.ok(report.includes(`error reporting-reads-only-files: ${a} → load/engine/summary-types.ts`), report);
    assert.ok(report.includes(`error no-circular: ${a} → ${b} → ${a}`), report);
    assert.ok(run.status !== null && run.status >= 2, `the exit code counts the errors, so \`npm test\` stops; got ${run.status}`);
  } finally {
    rmSync(join(PROJECT_ROOT, a), { force: true });
    rmSync(join(PROJECT_ROOT, b), { force: true });
  }
});
