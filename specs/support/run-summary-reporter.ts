/**
 * A Playwright reporter that frames a run for the person reading the console: which
 * target and capabilities it checks (first), and where the reports are (last). Against
 * staging, "what did this run test?" must never be a guess.
 */
import type { FullResult, Reporter } from '@playwright/test/reporter';
import { suiteConfig } from '../../lib/config.ts';

const ON = 'on';
const OFF = 'off';

export default class RunSummaryReporter implements Reporter {
  private readonly config = suiteConfig();

  printsToStdio(): boolean {
    return true;
  }

  onBegin(): void {
    const { config } = this;
    const target = config.targetKind === 'embedded' ? `embedded reference API (${config.baseUrl})` : config.baseUrl;
    const caps = Object.entries(config.capabilities)
      .map(([name, enabled]) => `${name} ${enabled ? ON : OFF}`)
      .join(', ');
    process.stdout.write(`contract suite → ${target}\ncapabilities: ${caps}\n`);
  }

  onEnd(result: FullResult): void {
    const dir = this.config.run.reportDir;
    const verdict = {
      passed: 'passed (exit 0)',
      failed: 'failed (exit 1): a contract check failed, see above',
      timedout: 'timed out (exit 1)',
      interrupted: 'interrupted',
    }[result.status];
    process.stdout.write(`\ncontract suite ${verdict}\nreports: ${dir}/html/index.html, ${dir}/junit.xml, ${dir}/results.json\n`);
  }
}
