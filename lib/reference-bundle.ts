/**
 * The reference API as one ES module, for the self-checks (contract and load), which start
 * it many times. It lives apart from startReference (reference-process.ts) because esbuild
 * must stay out of what the load bundles carry.
 */
import { build } from 'esbuild';
import { PROJECT_ROOT } from './config.ts';

/**
 * Bundles `reference-api/src/main.ts` into one ES module at `outFile` (which must lie in
 * the project, where better-sqlite3's native module resolves): a process started from it
 * skips tsx and the loading of a few hundred modules, about half a second of CPU a start,
 * for a caller that starts many (the self-check). Build it fresh for each use: it is a
 * copy of the sources as they are now.
 */
export async function bundleReference(outFile: string): Promise<string> {
  await build({
    entryPoints: [`${PROJECT_ROOT}/reference-api/src/main.ts`],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    // Bundled CommonJS calls require(), which an ES module lacks.
    banner: { js: "import { createRequire as __referenceCreateRequire } from 'node:module';\nconst require = __referenceCreateRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  return outFile;
}

