/**
 * Debian's Chromium, driven by Playwright, for the few tests that must look at a page.
 * Playwright's own browser download cannot work on the machines this suite targets, so
 * the system browser is launched through `executablePath`. CHROMIUM_PATH points
 * elsewhere (GitHub's Ubuntu runners ship Google Chrome at /usr/bin/google-chrome).
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';
import { SuiteError } from './errors.ts';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a root user on a closed network: no sandbox (root), no GPU, and none of the
 * background connections (updates, sync, safe browsing) that a closed network refuses.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.CHROMIUM_PATH?.trim() || DEFAULT_CHROMIUM_PATH;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    const hint = env.CHROMIUM_PATH ? 'set CHROMIUM_PATH to a Chromium or Chrome binary' : "install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH";
    throw new SuiteError('CONFIG_INVALID', `CHROMIUM_PATH: no browser at ${path}: ${hint}`);
  }
  return path;
}

/** Launches the system Chromium headless; Playwright gives it a fresh profile each time. */
export function launchChromium(env: NodeJS.ProcessEnv = process.env): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(env), headless: true, args: FLAGS });
}
