/**
 * A scenario as the engine runs it: in each generator thread, the scenario's flow (or its
 * per-thread flow) gets a fresh client view per arrival and an account round robin.
 */
import { IterationApi } from '../client/auth-client.ts';
import type { Workload } from '../engine/workload.ts';
import type { Scenario } from './scenario.ts';

export function workloadOf(scenario: Scenario): Workload {
  return {
    name: scenario.name,
    accountsPerGenerator: scenario.accountsPerGenerator,
    setup: scenario.setup,
    thread(ctx) {
      const { accounts, flow } = scenario.perThread?.({ accounts: ctx.accounts, setupData: ctx.setupData }) ?? { accounts: ctx.accounts, flow: scenario.flow };
      let cursor = 0;
      return async ({ index, dueEpochMs }) => {
        const api = new IterationApi(ctx.http, ctx.sink, ctx.api, dueEpochMs, ctx.checkSample);
        await flow({ index, account: accounts[cursor++ % accounts.length]!, api, setupData: ctx.setupData });
        return api.failures > 0 ? 'failed' : 'completed';
      };
    },
  };
}
