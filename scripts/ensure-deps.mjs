#!/usr/bin/env node
// Runs before `npm start` and `npm test` (npm's pre-scripts), with Node's built-ins only,
// so that a fresh clone needs no separate install step: it checks the Node version,
// installs the locked npm packages when they are missing or stale, and checks that the
// native SQLite binding of the reference API loads.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`[setup] ${line}\n`);
const fail = (line) => {
  process.stderr.write(`SETUP_FAILED: ${line}\n`);
  process.exit(2);
};

// package.json's engines: undici, the load generator's HTTP client, needs 20.18.1 or newer.
const [major, minor, patch] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && (minor < 18 || (minor === 18 && patch < 1)))) {
  fail(`Node.js 20.18.1 or newer is required, this is ${process.versions.node}`);
}

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;

function npm(args, what) {
  say(`${what} (npm ${args.join(' ')}) …`);
  const started = Date.now();
  const result = spawnSync('npm', args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) fail(`could not run npm: ${result.error.message}`);
  if (result.status !== 0) fail(`npm ${args[0]} failed with exit code ${result.status}; see the lines above`);
  say(`${what}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (stale) npm(['ci', '--no-audit', '--no-fund', '--loglevel=error'], 'installing npm packages');

// better-sqlite3 compiles from source where no prebuilt binary can be downloaded; a
// binding built for another Node version fails here, and one rebuild mends it.
const require = createRequire(join(root, 'package.json'));
function sqliteLoads() {
  try {
    const Database = require('better-sqlite3');
    new Database(':memory:').close();
    return true;
  } catch {
    return false;
  }
}
if (!sqliteLoads()) {
  npm(['rebuild', 'better-sqlite3'], 'building the SQLite binding');
  if (!sqliteLoads()) fail('better-sqlite3 does not load after a rebuild: a C++ compiler, make and python3 are needed');
}
