/**
 * Playwright's `test`, without the per-test work of its browser fixtures.
 *
 * @playwright/test runs two automatic fixtures around every test, to configure browser
 * contexts and to record their artifacts (traces, screenshots). This suite opens no
 * browser and records neither (traces are off: they would store passwords and tokens).
 * Every fixture Playwright sets up or tears down becomes a report step, and for its own
 * fixtures it captures and source-maps a stack trace each time: on 2 cores that was about
 * a fifth of the suite's CPU time. Replaced here by empty fixtures of the same names, their
 * steps carry this file's location instead and cost next to nothing.
 */
import { test as playwrightTest } from '@playwright/test';

/**
 * Playwright registers both as `auto: 'all-hooks-included'` and refuses an override of
 * another kind; its public types know only booleans.
 */
const AROUND_HOOKS_TOO = 'all-hooks-included' as unknown as boolean;

export const test = playwrightTest.extend<{ _setupArtifacts: void; _setupContextOptions: void }>({
  _setupArtifacts: [async ({}, use) => use(), { auto: AROUND_HOOKS_TOO, box: true, timeout: 0 }],
  _setupContextOptions: [async ({}, use) => use(), { auto: AROUND_HOOKS_TOO, box: true }],
});
