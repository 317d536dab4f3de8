// `switchboard-bridge check`: every step of docs/install.md the bridge can see, against the
// configuration file, without starting the bridge. Composition: it opens its own Salesforce
// gateway (or emulated org) and PBX adapter for the run and closes them after.
import { CheckContext, type CheckParts } from './check/check-context';
import { formatReport, type CheckReport } from './check/check-report';
import { CHECK_STEPS } from './check/check-steps';
import { runChecks } from './check/run-checks';
import { readConfigInput, validateConfig, type ConfigIssue } from './config/load';
import type { Config } from './config/schema';
import { toSwitchboardError, type SwitchboardError } from './errors';
import type { Logger } from './logging/logger';
import { openSalesforce } from './open-salesforce';
import { createPbxAdapter } from './pbx/create-pbx-adapter';

export interface CheckCommandOptions {
  /** The YAML file; without one the demo configuration is checked. */
  file?: string;
  env: NodeJS.ProcessEnv;
  /** For the parts the run opens; the report carries what matters. */
  logger: Logger;
  trustedCa?: string[];
}

export async function runCheckCommand(options: CheckCommandOptions): Promise<CheckReport> {
  let input: Record<string, unknown> | undefined;
  let readError: SwitchboardError | undefined;
  try {
    input = readConfigInput({ file: options.file, env: options.env });
  } catch (error) {
    readError = toSwitchboardError(error);
  }
  let config: Readonly<Config> | undefined;
  let issues: readonly ConfigIssue[] = [];
  if (input !== undefined) ({ config, issues } = validateConfig(input));
  const ctx = new CheckContext({
    source: options.file ?? 'the demo configuration',
    input,
    config,
    issues,
    bridgeRunning: false,
    ...(readError === undefined ? {} : { readError }),
    ...(options.trustedCa === undefined ? {} : { trustedCa: options.trustedCa }),
    parts: ownParts(options.logger),
  });
  try {
    return await runChecks(ctx, CHECK_STEPS);
  } finally {
    await ctx.close();
  }
}

/** What the command prints, and its exit status: 0 when every step passed, 1 when one failed. */
export async function checkCommandOutput(
  options: CheckCommandOptions & { json: boolean },
): Promise<{ output: string; exitCode: number }> {
  const report = await runCheckCommand(options);
  return {
    output: options.json ? JSON.stringify(report, null, 2) : formatReport(report),
    exitCode: report.ok ? 0 : 1,
  };
}

/** A gateway and a started PBX adapter of the run's own, stopped when it ends. */
function ownParts(logger: Logger): CheckParts {
  const opened: Array<() => Promise<void>> = [];
  return {
    salesforce: async (config) => {
      const salesforce = await openSalesforce(config, logger);
      opened.push(() => salesforce.stop());
      return salesforce.gateway;
    },
    pbx: async (config) => {
      const { adapter } = createPbxAdapter(config, logger, []);
      opened.push(() => adapter.stop());
      // Connected, refused or unreachable: the PBX step reports which; users come from it.
      await adapter.start(() => undefined).catch(() => undefined);
      return adapter;
    },
    close: async () => {
      for (const stop of opened.splice(0).reverse()) await stop().catch(() => undefined);
    },
  };
}
