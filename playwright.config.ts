/**
 * The contract suite's Playwright configuration.
 *
 * Target: BASE_URL from the environment or .env; without it, the embedded reference API,
 * started here twice: the main instance, and a short-TTL one on which the expiry tests
 * watch real tokens expire. Secrets: traces and videos are off because Playwright records
 * request and response bodies as they are (passwords, tokens); what the specs attach and
 * every failure message go through the redactor instead (specs/support/secrets.ts, lib/redact.ts).
 */
import { defineConfig } from '@playwright/test';
import { suiteConfig } from './lib/config.ts';

const config = suiteConfig();
const reportDir = config.run.reportDir;

function referenceServer(port: number, env: Record<string, string>) {
  return {
    command: 'node --import tsx reference-api/src/main.ts',
    url: `http://${config.embedded.host}:${port}/.well-known/jwks.json`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
    env: {
      REFERENCE_HOST: config.embedded.host,
      REFERENCE_PORT: String(port),
      PASSWORD_HASH_COST: String(config.embedded.hashCost),
      REFERENCE_LOG: 'off',
      ...env,
    },
  };
}

export default defineConfig({
  testDir: './specs',
  testMatch: '**/*.spec.ts',
  // One project: its workers serve every test (lib/suite-tags.ts says why not two).
  projects: [{ name: 'contract' }],
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: config.run.workers,
  timeout: 60_000,
  expect: { timeout: 5_000 },
  outputDir: `${reportDir}/artifacts`,
  // Lands in results.json, where the reports page reads what the run was aimed at.
  metadata: { target: config.baseUrl, targetKind: config.targetKind },
  reporter: [
    ['list'],
    ['./specs/support/run-summary-reporter.ts'],
    ['html', { outputFolder: `${reportDir}/html`, open: 'never' }],
    ['junit', { outputFile: `${reportDir}/junit.xml` }],
    ['json', { outputFile: `${reportDir}/results.json` }],
  ],
  use: {
    baseURL: config.baseUrl,
    // Traces would store every request and response body: passwords and tokens.
    trace: 'off',
    extraHTTPHeaders: { Accept: 'application/json' },
  },
  webServer:
    config.targetKind === 'embedded'
      ? [
          referenceServer(config.embedded.port, {}),
          referenceServer(config.embedded.expiryPort, {
            ACCESS_TOKEN_TTL: String(config.embedded.accessTtl),
            REFRESH_TOKEN_TTL: String(config.embedded.refreshTtl),
          }),
        ]
      : undefined,
});
