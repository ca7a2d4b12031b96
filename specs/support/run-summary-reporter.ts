/**
 * A Playwright reporter that frames a run for the person reading the console: which
 * target and capabilities it checks (first), and where the reports are (last). Against
 * staging, "what did this run test?" must never be a guess.
 *
 * When the contract reports go to a folder named `contract` (the default
 * `reports/contract`), once every reporter has written its files it also records the run
 * in the contract history beside it (`reports/contract-history/`, titles of failed tests
 * only, reporting/contract-history.ts) and rewrites the reports page (`reports/index.html`,
 * reporting/index-page.ts).
 */
import { basename, dirname, relative, resolve } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite } from '@playwright/test/reporter';
import { PROJECT_ROOT, suiteConfig } from '../../lib/config.ts';
import { recordContractRun, type ContractStatus } from '../../reporting/contract-history.ts';
import { writeReportsIndex } from '../../reporting/index-page.ts';

const ON = 'on';
const OFF = 'off';

export default class RunSummaryReporter implements Reporter {
  private readonly config = suiteConfig();
  private status: ContractStatus | undefined;
  /**
   * `playwright test --list` runs the reporters too, with every test unrun: such a "run"
   * has no verdict, and must not enter the contract history or the reports page. The
   * reporter API does not say it is listing; the command line (this process's) does.
   */
  private readonly listing = process.argv.includes('--list');
  private listed = 0;

  printsToStdio(): boolean {
    return true;
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    this.listed = suite.allTests().length;
    const { config } = this;
    const target = config.targetKind === 'embedded' ? `embedded reference API (${config.baseUrl})` : config.baseUrl;
    const caps = Object.entries(config.capabilities)
      .map(([name, enabled]) => `${name} ${enabled ? ON : OFF}`)
      .join(', ');
    process.stdout.write(`contract suite → ${target}\ncapabilities: ${caps}\n`);
  }

  onEnd(result: FullResult): void {
    if (this.listing) {
      process.stdout.write(`\ncontract suite: ${this.listed} tests listed, none run\n`);
      return;
    }
    this.status = result.status;
    const dir = this.config.run.reportDir;
    const verdict = {
      passed: 'passed (exit 0)',
      failed: 'failed (exit 1): a contract check failed, see above',
      timedout: 'timed out (exit 1)',
      interrupted: 'interrupted',
    }[result.status];
    process.stdout.write(`\ncontract suite ${verdict}\nreports: ${dir}/html/index.html, ${dir}/junit.xml, ${dir}/results.json\n`);
  }

  /** Runs after every reporter's onEnd, so results.json and the HTML report exist by now. */
  async onExit(): Promise<void> {
    if (this.listing) return;
    const contractDir = resolve(PROJECT_ROOT, this.config.run.reportDir);
    if (basename(contractDir) !== 'contract') return;
    const reportsRoot = dirname(contractDir);
    try {
      const history = recordContractRun(reportsRoot, { status: this.status });
      if ('skipped' in history) process.stderr.write(`contract history not recorded: ${history.skipped}\n`);
    } catch (error) {
      process.stderr.write(`contract history not recorded: ${(error as Error).message.split('\n')[0]}\n`);
    }
    try {
      const { path } = writeReportsIndex(reportsRoot);
      process.stdout.write(`reports page: ${relative(process.cwd(), path) || path}\n`);
    } catch (error) {
      // The run's verdict stands; a page that cannot be written is worth one line, not a failure.
      process.stderr.write(`reports page not written: ${(error as Error).message.split('\n')[0]}\n`);
    }
  }
}
