// The check the bridge runs on itself once it listens: the same steps as `switchboard-bridge
// check`, on the bridge's own Salesforce connection and PBX adapter, each step logged with the
// same words as the terminal shows. A failed step is logged, never fatal: the bridge keeps
// retrying the PBX and Salesforce, and an admin can run the check again (Switchboard Setup).
import type { ConfigIssue } from '../config/load';
import type { Config } from '../config/schema';
import type { Logger } from '../logging/logger';
import type { PbxAdapter } from '../pbx/adapter';
import type { SalesforceGateway } from '../salesforce/gateway';
import { CheckContext } from './check-context';
import { stepLines, type CheckReport } from './check-report';
import { CHECK_STEPS } from './check-steps';
import { runChecks } from './run-checks';

export interface RunningBridgeCheckOptions {
  config: Readonly<Config>;
  /** The configuration as written, when the bridge was started from a file. */
  input?: Record<string, unknown>;
  source: string;
  gateway: SalesforceGateway;
  adapter: PbxAdapter;
  logger: Logger;
  /** Extra CA certificates to trust when reaching the Bridge URL (tests). */
  trustedCa?: string[];
}

/** Runs every step against the running parts and keeps the last report. */
export class RunningBridgeCheck {
  private last: CheckReport | undefined;
  private running: Promise<CheckReport> | undefined;

  constructor(private readonly options: RunningBridgeCheckOptions) {}

  /** The last finished report, if any. */
  get report(): CheckReport | undefined {
    return this.last;
  }

  /** Runs the check (one run at a time: a second caller shares the run in progress). */
  run(): Promise<CheckReport> {
    this.running ??= this.runOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOnce(): Promise<CheckReport> {
    const { config, gateway, adapter, logger } = this.options;
    const issues: ConfigIssue[] = [];
    const ctx = new CheckContext({
      source: this.options.source,
      input: this.options.input,
      config,
      issues,
      bridgeRunning: true,
      ...(this.options.trustedCa === undefined ? {} : { trustedCa: this.options.trustedCa }),
      parts: {
        salesforce: () => Promise.resolve(gateway),
        pbx: () => Promise.resolve(adapter),
        close: () => Promise.resolve(),
      },
    });
    const report = await runChecks(ctx, CHECK_STEPS);
    this.last = report;
    logReport(report, logger);
    return report;
  }
}

/** One log line per step and per problem, in the words `check` prints. */
export function logReport(report: CheckReport, logger: Logger): void {
  for (const step of report.steps) {
    const [headline = '', ...details] = stepLines(step);
    const level = step.status === 'fail' || step.status === 'warn' ? 'warn' : 'info';
    const fields = { component: 'check', step: step.id, status: step.status };
    logger[level](fields, `check ${headline}`);
    for (let i = 0; i < details.length; i += 2)
      logger[level](fields, `check ${(details[i] ?? '').trim()} ${(details[i + 1] ?? '').trim()}`);
  }
  logger[report.ok ? 'info' : 'warn'](
    { component: 'check', ok: report.ok },
    report.ok
      ? 'check: every step passed'
      : 'check: some steps failed (see above); the bridge keeps running',
  );
}
