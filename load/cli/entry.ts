/**
 * The entry of a load run, shared by the source CLI (cli/main.ts) and the bundles: in the
 * main thread it runs the command; in a generator thread it runs that generator. A bundle
 * is one file that is both, so it runs on a stock Node with nothing beside it.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SuiteError, runMain } from '../../lib/errors.ts';
import { runGenerator, type GeneratorMessage } from '../engine/generator.ts';
import type { WorkerData } from '../engine/run.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { workloadOf } from '../scenarios/workload.ts';
import { runScenarioCommand } from './run-command.ts';

/** True for a module loaded from TypeScript source (tsx), false inside a bundle. */
const isSource = (url: string) => /\.[cm]?ts$/.test(new URL(url).pathname);

/**
 * `selfUrl`: the URL of the module calling this (import.meta.url). In a generator thread it
 * runs the generator; in the main thread it runs `argv` for `scenarios` (a bundle passes
 * its one scenario; the source CLI passes them all and the first argument names one).
 */
export async function runEntry(scenarios: Scenario[], selfUrl: string, argv: string[] = process.argv.slice(2)): Promise<void> {
  if (!isMainThread) {
    const data = workerData as WorkerData | undefined;
    if (data?.kind !== 'load-generator' || !parentPort) return;
    const port = parentPort;
    const scenario = scenarios.find((s) => s.name === data.init.workload);
    try {
      if (!scenario) throw new Error(`this program has no scenario '${data.init.workload}'`);
      await runGenerator(workloadOf(scenario), data.init, port);
    } catch (error) {
      port.postMessage({ type: 'failed', worker: data.init.worker, message: (error as Error).message.split('\n')[0] ?? String(error) } satisfies GeneratorMessage);
    }
    return;
  }
  await runMain(() => {
    let scenario = scenarios.length === 1 ? scenarios[0] : undefined;
    let rest = argv;
    if (!scenario) {
      const name = argv[0];
      scenario = scenarios.find((s) => s.name === name);
      if (!scenario) throw new SuiteError('USAGE', `${name === undefined ? 'name a scenario' : `unknown scenario '${name}'`} (known: ${scenarios.map((s) => s.name).join(', ')})`);
      rest = argv.slice(1);
    }
    const worker = isSource(selfUrl)
      ? { workerUrl: new URL('./worker-bootstrap.mjs', import.meta.url), workerEntry: selfUrl }
      : { workerUrl: new URL(selfUrl) };
    return runScenarioCommand(scenario, rest, worker);
  });
}
