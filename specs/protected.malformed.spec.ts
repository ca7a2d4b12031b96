/**
 * Malformed input to the protected endpoint (contracts/CONTRACT.md decisions 2 and 9):
 * every case derived from the `/chat` request schema (specs/support/malformed.ts:
 * `message` missing or of a wrong type, optional fields of a wrong type, JSON that is not
 * an object, text that is not JSON, another content type), an oversized body and a
 * missing or empty X-API-Version, each sent with a valid access token, so that the
 * answer is about the input and not about authentication. Each gets a 4xx other than
 * 401/403, in time, never a 5xx, as JSON, and reveals nothing.
 *
 * The access token is shared by the worker's tests (sharedSession): none of them
 * refreshes or revokes anything.
 */
import { chatRequestSchema } from '../contracts/index.ts';
import type { SuiteConfig } from '../lib/config.ts';
import type { ApiResponse } from './support/api.ts';
import { configuredSecrets, errorBodyLeaks } from './support/leaks.ts';
import { deriveMalformedCases } from './support/malformed.ts';
import { oversizedJson, sendOversized, sendRaw } from './support/raw-requests.ts';
import { expect, test } from './fixtures.ts';

/** A valid body: the documented fields, each of its documented type. */
const VALID = { message: 'Hello from the contract suite', target_context: 'The contract suite checks input validation.', conversation_id: 'contract-suite-conversation' };

/** The checks every answer to bad input on /chat gets. */
function expectInputRejected(res: ApiResponse, config: SuiteConfig, secrets: string[], sent?: string): void {
  expect(res).toBeClientError({ limitMs: config.responseTimeLimitMs });
  // The token is valid: a 401 or 403 here would be about authentication, not the input.
  expect([401, 403], 'the valid access token was refused: the answer says nothing about the input').not.toContain(res.status);
  expect(res).toBeJsonError();
  expect(errorBodyLeaks(res, { secrets: [...secrets, ...configuredSecrets(config)], sent }), 'the error body leaks').toEqual([]);
}

test.describe('protected endpoint with a malformed body (valid access token)', () => {
  for (const c of deriveMalformedCases(chatRequestSchema, { emptyStrings: false })) {
    const smoke = c.kind === 'missing-field' ? ' @smoke' : '';
    test(`${c.name} → a 4xx${smoke}`, async ({ api, config, sharedSession }) => {
      const { body, contentType } = c.build(VALID);
      const headers = { authorization: `Bearer ${sharedSession.access_token}`, 'x-api-version': config.apiVersion };
      const res = await sendRaw(api, config.paths.protected, { body, contentType }, headers);
      expectInputRejected(res, config, [sharedSession.access_token, sharedSession.refresh_token], body);
    });
  }

  test('an oversized body → 413 or 422', async ({ api, config, sharedSession }) => {
    const headers = { authorization: `Bearer ${sharedSession.access_token}`, 'x-api-version': config.apiVersion };
    const res = await sendOversized(api, config.paths.protected, oversizedJson({}, 'message', config.oversizedBodyBytes), headers);
    expect(res).toBeClientError({ allowed: [413, 422], limitMs: config.responseTimeLimitMs });
    expectInputRejected(res, config, [sharedSession.access_token, sharedSession.refresh_token]);
    expect(res.text.length, 'the error body echoes the oversized input').toBeLessThan(config.oversizedBodyBytes / 2);
  });
});

test.describe('protected endpoint without its X-API-Version (valid access token)', () => {
  for (const [name, apiVersion] of [
    ['no X-API-Version header', null],
    ['an empty X-API-Version header', ''],
  ] as const) {
    test(`${name} → a 4xx`, async ({ api, config, sharedSession }) => {
      const res = await api.chat(sharedSession.access_token, { apiVersion });
      expectInputRejected(res, config, [sharedSession.access_token, sharedSession.refresh_token]);
    });
  }
});
