/** wrk, the closed-model yardstick: one run through a Lua script, its figures parsed. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SuiteError } from '../../lib/errors.ts';
import type { RunningReference } from '../../lib/reference-process.ts';
import { luaLongString, parseWrkOutput, type WrkFigures } from '../bench-load-lib.ts';
import { f0, f1, ms, out } from './format.ts';

export type { WrkFigures };

export const WRK_MISSING = 'BENCH_SKIPPED: wrk is not installed (apt-get install wrk)';

export function wrkInstalled(): boolean {
  const probe = spawnSync('wrk', ['--version'], { stdio: 'ignore', timeout: 5000 });
  return !(probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT');
}

/** A Lua script for wrk: POST `path` with these headers, the bodies in turn. */
function wrkScript(path: string, headers: Record<string, string>, bodies: string[]): string {
  return [
    'wrk.method = "POST"',
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[ ${luaLongString(k)} ] = ${luaLongString(v)}`),
    `local bodies = { ${bodies.map(luaLongString).join(', ')} }`,
    'local n = 0',
    'request = function()',
    '  n = n + 1',
    `  return wrk.format(nil, ${luaLongString(path)}, nil, bodies[(n % #bodies) + 1])`,
    'end',
    '',
  ].join('\n');
}

/** One wrk run (POST through a Lua script) against a reference API this script started. */
export async function runWrk(
  reference: RunningReference,
  path: string,
  headers: Record<string, string>,
  bodies: string[],
  seconds: number,
  connections: number,
): Promise<WrkFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-load-wrk-'));
  try {
    const script = join(dir, 'request.lua');
    writeFileSync(script, wrkScript(path, headers, bodies), { mode: 0o600 });
    return await spawnWrk(['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, `http://127.0.0.1:${reference.port}${path}`], seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runWrkGet(reference: RunningReference, path: string, seconds: number, connections: number): Promise<WrkFigures> {
  return spawnWrk(['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', `http://127.0.0.1:${reference.port}${path}`], seconds);
}

/** Runs wrk; killed if it overruns its duration by 20 s. */
async function spawnWrk(args: string[], seconds: number): Promise<WrkFigures> {
  out(`  wrk ${args.map((a) => (a.endsWith('.lua') ? 'request.lua' : a)).join(' ')}`);
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(killer);
  const figures = parseWrkOutput(stdout);
  if (!figures) throw new SuiteError('USAGE', `wrk exited with ${code} and no figures: ${(stderr || stdout).trim().split('\n')[0] ?? ''}`, 1);
  return figures;
}

export function describeWrk(w: WrkFigures): string {
  const errors = w.non2xx + w.socketErrors;
  return `${f0(w.requestsPerSec)} req/s (${f0(w.requests)} in ${f1(w.seconds)} s; p50 ${ms(w.latencyMs.p50)}, p99 ${ms(w.latencyMs.p99)}, max ${ms(w.latencyMs.max)}${errors ? `; ${w.non2xx} non-2xx, ${w.socketErrors} socket errors` : ''})`;
}
