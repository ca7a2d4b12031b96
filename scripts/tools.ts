/**
 * Developer tools that are not npm packages, built from source into an ignored cache
 * (`.cache/tools/`) and reused while they are at the pinned version. Today one tool:
 * actionlint, the GitHub Actions workflow linter (with shellcheck on PATH it also checks
 * the `run:` scripts).
 *
 * Usage: npx tsx scripts/tools.ts actionlint [actionlint arguments...]
 *   builds actionlint when missing or at another version (needs Go 1.22+ and the Go
 *   module proxy), then runs it on the arguments and exits with its status.
 * Exit: actionlint's own (0 clean, 1 findings); 2 when the tool cannot be provided.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../lib/config.ts';

/** The one pin: module path and version of actionlint. */
export const ACTIONLINT_MODULE = 'github.com/rhysd/actionlint/cmd/actionlint@v1.7.12';
export const ACTIONLINT_VERSION = ACTIONLINT_MODULE.split('@')[1]!;

/** Where built tools live (`GOBIN`); ignored by git. */
export const TOOLS_DIR = join(PROJECT_ROOT, '.cache', 'tools');
export const ACTIONLINT_BIN = join(TOOLS_DIR, process.platform === 'win32' ? 'actionlint.exe' : 'actionlint');

/** A tool that cannot be provided: one line for the user, exit status 2. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
}

/** The version a built actionlint reports (`actionlint -version`, first line), or undefined. */
export function installedActionlintVersion(bin = ACTIONLINT_BIN): string | undefined {
  if (!existsSync(bin)) return undefined;
  const result = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return undefined;
  return result.stdout.split('\n')[0]?.trim() || undefined;
}

/**
 * The path of a Go toolchain: `GO` if set (and then only that), else `go` on PATH, else
 * the usual install location. Throws ToolError when none runs. Go older than the module's
 * go.mod (1.25 for v1.7.12) fetches the newer toolchain from the module proxy by itself.
 */
function findGo(): string {
  const given = process.env.GO?.trim();
  const candidates = given ? [given] : ['go', '/usr/local/go/bin/go'];
  for (const go of candidates) {
    const result = spawnSync(go, ['version'], { encoding: 'utf8', timeout: 30_000 });
    if (result.status === 0) return go;
  }
  throw new ToolError('Go is not installed: install Go 1.22 or newer (https://go.dev/dl/) to build actionlint');
}

/**
 * Returns the path of actionlint at the pinned version, building it first when it is
 * missing or at another version. `say` receives the progress line of a build.
 */
export function ensureActionlint(say: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  if (installedActionlintVersion() === ACTIONLINT_VERSION) return ACTIONLINT_BIN;
  const go = findGo();
  mkdirSync(TOOLS_DIR, { recursive: true });
  say(`[tools] building actionlint ${ACTIONLINT_VERSION} with Go into .cache/tools/ (first time only, about a minute) …`);
  const started = Date.now();
  const result = spawnSync(go, ['install', ACTIONLINT_MODULE], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, GOBIN: TOOLS_DIR, CGO_ENABLED: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15 * 60_000,
  });
  if (result.error || result.status !== 0) {
    const detail = (result.error?.message ?? result.stderr ?? '').trim().split('\n').filter(Boolean).at(-1) ?? `exit ${result.status}`;
    throw new ToolError(`go install ${ACTIONLINT_MODULE} failed: ${detail}`);
  }
  const built = installedActionlintVersion();
  if (built !== ACTIONLINT_VERSION) {
    throw new ToolError(`built actionlint reports version '${built ?? 'none'}', expected ${ACTIONLINT_VERSION}`);
  }
  say(`[tools] actionlint ${ACTIONLINT_VERSION} ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ACTIONLINT_BIN;
}

function main(argv: string[]): number {
  const [tool, ...args] = argv;
  if (tool !== 'actionlint') {
    process.stderr.write(`USAGE: unknown tool '${tool ?? ''}' (usage: tools actionlint [arguments...])\n`);
    return 2;
  }
  let bin: string;
  try {
    bin = ensureActionlint();
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    process.stderr.write(`SETUP_FAILED: ${error.message}\n`);
    return 2;
  }
  const result = spawnSync(bin, args, { cwd: PROJECT_ROOT, stdio: 'inherit' });
  return result.status ?? 2;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
