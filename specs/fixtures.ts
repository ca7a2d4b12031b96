/**
 * The suite's fixtures, each layer extending the one below:
 * - config: the validated configuration (worker-scoped, read once);
 * - api / expiryApi: clients for the target and for the short-TTL expiry target;
 * - session: a fresh, contract-checked sign-in of the main account, per test;
 * - sharedSession: a sign-in of the main account shared by the tests of a worker, signed
 *   in again when its access token nears expiry; only for tests that neither refresh nor
 *   revoke anything with it;
 * - reuseAccount / reuseSession: the account for replayed refresh tokens, held exclusively
 *   for the test (specs/support/accounts.ts), and a fresh sign-in of it;
 * - jsonErrors (automatic): every 4xx and 5xx answer of the three endpoints during a test
 *   has a JSON media type and a body that parses as JSON (decision 2), whatever the test
 *   itself checks.
 * Specs import `test` and `expect` from here, never from @playwright/test.
 */
import type { PlaywrightWorkerArgs, WorkerFixture } from '@playwright/test';
import { test as base } from './support/lean-base.ts';
import type { TokenResponse } from '../contracts/index.ts';
import { suiteConfig, type Account, type Capabilities, type SuiteConfig } from '../lib/config.ts';
import { withExclusiveAccount } from './support/accounts.ts';
import { signInOk } from './support/flows.ts';
import { AuthApi, type ApiResponse } from './support/api.ts';
import { verificationKey, type VerifyKey } from './support/jwt.ts';
import { expect, isJsonError } from './support/matchers.ts';

export { expect };

const configTest = base.extend<object, { config: SuiteConfig }>({
  config: [async ({}, use) => use(suiteConfig()), { scope: 'worker' }],
});

type ClientFixture = [WorkerFixture<AuthApi, PlaywrightWorkerArgs & { config: SuiteConfig }>, { scope: 'worker' }];

/** A worker-scoped client for one origin, with its own connections. */
const clientFixture = (origin: (config: SuiteConfig) => string): ClientFixture => [
  async ({ config }, use) => {
    const client = new AuthApi(config, origin(config));
    await use(client);
    await client.close();
  },
  { scope: 'worker' },
];

/** Seconds of validity an access token must have left to be handed out again. */
const SHARED_SESSION_MARGIN_SECONDS = 30;

const apiTest = configTest.extend<
  object,
  { api: AuthApi; expiryApi: AuthApi; verifyKey: VerifyKey | undefined; workerSession: () => Promise<TokenResponse> }
>({
  api: clientFixture((config) => config.baseUrl),
  expiryApi: clientFixture((config) => config.expiryBaseUrl),
  verifyKey: [async ({ config }, use) => use(verificationKey(config)), { scope: 'worker' }],
  workerSession: [
    async ({ api, config }, use) => {
      let cached: TokenResponse | undefined;
      await use(async () => {
        const left = cached === undefined ? 0 : cached.expires_at - Date.now() / 1000 - config.clockSkewSeconds;
        if (left < SHARED_SESSION_MARGIN_SECONDS) cached = (await signInOk(api, config.user, 'the main account must sign in for this test to run')).tokens;
        return cached!;
      });
    },
    { scope: 'worker' },
  ],
});

export const test = apiTest.extend<{
  session: TokenResponse;
  sharedSession: TokenResponse;
  reuseAccount: Account;
  reuseSession: TokenResponse;
  jsonErrors: void;
}>({
  jsonErrors: [
    async ({ api, expiryApi, config }, use) => {
      const endpoints = new Set(Object.values(config.paths));
      const errors: ApiResponse[] = [];
      const collect = (res: ApiResponse) => {
        if (res.status >= 400 && endpoints.has(res.path)) errors.push(res);
      };
      const stop = [api.observe(collect), expiryApi.observe(collect)];
      await use();
      for (const s of stop) s();
      // One assertion for the first answer that is not JSON: an assertion per answer would
      // cost a report step each, in every test, for nothing when all is well.
      const first = errors.find((res) => !isJsonError(res));
      if (first) expect(first, 'an error answer must be JSON (decision 2)').toBeJsonError();
    },
    { auto: true },
  ],
  session: async ({ api, config }, use) => {
    await use((await signInOk(api, config.user, 'the main account must sign in for this test to run')).tokens);
  },
  sharedSession: async ({ workerSession }, use) => {
    await use(await workerSession());
  },
  reuseAccount: async ({ api, config }, use) => {
    await withExclusiveAccount(api, config.reuseUser, () => use(config.reuseUser));
  },
  reuseSession: async ({ api, reuseAccount }, use) => {
    await use((await signInOk(api, reuseAccount, 'the reuse account must sign in for this test to run')).tokens);
  },
});

const CAPABILITY_VARIABLES: Record<keyof Capabilities, string> = {
  rotation: 'CAP_ROTATION',
  familyRevocation: 'CAP_FAMILY_REVOCATION',
  lockout: 'CAP_LOCKOUT',
  expiryWait: 'CAP_EXPIRY_WAIT',
  signatureVerification: 'CAP_SIGNATURE_VERIFICATION',
  algorithmConfusion: 'CAP_ALG_CONFUSION',
};

/** Skips the current test, with the reason in the report, when the target lacks a capability. */
export function requireCapability(config: SuiteConfig, capability: keyof Capabilities): void {
  const variable = CAPABILITY_VARIABLES[capability];
  test.skip(!config.capabilities[capability], `the target does not claim this capability (${variable}=false)`);
}
