#!/usr/bin/env node
// The switchboard-bridge command: `start` runs the bridge (the demo when no --config is
// given), `check` looks at every step of the installation, `sync` loads the directory index.
// Configuration errors are printed with their code and hint, and exit with status 2.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { checkCommandOutput } from './check-command';
import { loadConfig, parseConfig, readConfigInput } from './config/load';
import { isSwitchboardError } from './errors';
import { createLogger, defaultLogFormat, silentLogger } from './logging/logger';
import { RecentLog } from './logging/recent-log';
import { startBridge } from './bridge';
import { startBanner } from './start-banner';
import { runSyncCommand } from './sync-command';

/* eslint-disable no-console -- the CLI talks to the person at the terminal */

const HARNESS_DIR = path.resolve(__dirname, '../../../harness/dist');

async function start(options: { config?: string }): Promise<void> {
  const input = readConfigInput({ file: options.config, env: process.env });
  const config = parseConfig(input, options.config);
  const demo = options.config === undefined;
  // Warnings and errors are also kept for the Switchboard Setup page.
  const recentLog = new RecentLog();
  const logger = createLogger({
    level: config.log.level,
    format: config.log.format ?? defaultLogFormat({ demo, tty: process.stdout.isTTY }),
    recent: recentLog,
  });
  process.on('unhandledRejection', (reason) => {
    logger.error(
      { err: reason instanceof Error ? reason.message : String(reason) },
      'unhandled rejection (kept running)',
    );
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error.message, stack: error.stack }, 'uncaught exception (kept running)');
  });

  const bridge = await startBridge(config, {
    logger,
    harnessDir: existsSync(HARNESS_DIR) ? HARNESS_DIR : undefined,
    configInput: input,
    configSource: options.config ?? 'the demo configuration',
    checkAtStart: true,
    recentLog,
  });
  if (bridge.emulatedOrg !== undefined)
    console.log(startBanner({ config, demo, bridge, pageBuilt: existsSync(HARNESS_DIR) }));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    void bridge.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const program = new Command()
  .name('switchboard-bridge')
  .description('Switchboard bridge: PBX call events to Salesforce Lightning');
program
  .command('start', { isDefault: true })
  .description('run the bridge; without --config, the demo (emulated org, simulated PBX)')
  .option('-c, --config <file>', 'YAML configuration file')
  .action(async (options: { config?: string }) => {
    try {
      await start(options);
    } catch (error) {
      if (isSwitchboardError(error)) {
        console.error(`switchboard-bridge: ${error.code}: ${error.message}`);
        if (error.hint !== undefined) console.error(`  hint: ${error.hint}`);
      } else {
        console.error('switchboard-bridge: failed to start:', error);
      }
      process.exit(2);
    }
  });

program
  .command('check')
  .description('check every installation step the bridge can see; exit status 1 when one fails')
  .option('-c, --config <file>', 'YAML configuration file (default: the demo configuration)')
  .option('--json', 'print the report as JSON, for scripts')
  .action(async (options: { config?: string; json?: boolean }) => {
    try {
      const { output, exitCode } = await checkCommandOutput({
        file: options.config,
        env: process.env,
        logger: silentLogger(),
        json: options.json === true,
      });
      console.log(output);
      process.exit(exitCode);
    } catch (error) {
      console.error('switchboard-bridge check: failed:', error);
      process.exit(2);
    }
  });

program
  .command('sync')
  .description('sync the directory index from Salesforce now (resumes an interrupted load)')
  .requiredOption('-c, --config <file>', 'YAML configuration file')
  .option('--full', 'reload every record instead of reading changes since the last sync')
  .action(async (options: { config: string; full?: boolean }) => {
    const bar = new SingleBar(
      { format: ' {object} {phase} [{bar}] {value}/{total}', hideCursor: true },
      Presets.shades_classic,
    );
    let current = '';
    try {
      const config = loadConfig({ file: options.config, env: process.env });
      // The bar owns the terminal: only warnings and errors are logged meanwhile.
      const logger = createLogger({ level: config.log.level === 'silent' ? 'silent' : 'warn' });
      const { report, status } = await runSyncCommand({
        config,
        full: options.full === true,
        logger,
        onProgress: (p) => {
          const key = `${p.object} ${p.phase}`;
          const total = p.total ?? p.fetched;
          if (key !== current) {
            if (current !== '') bar.stop();
            bar.start(Math.max(total, 1), p.fetched, { object: p.object, phase: p.phase });
            current = key;
          } else {
            bar.setTotal(Math.max(total, 1));
            bar.update(p.fetched);
          }
        },
      });
      if (current !== '') bar.stop();
      for (const o of report.objects)
        console.log(`${o.object}: ${o.mode}, ${o.fetched} fetched, ${o.removed} removed`);
      console.log(
        `Index: ${status.totalRecords} records, ${status.numbers} numbers; ${report.apiRequests} API requests this run.`,
      );
    } catch (error) {
      if (current !== '') bar.stop();
      if (isSwitchboardError(error)) {
        console.error(`switchboard-bridge sync: ${error.code}: ${error.message}`);
        if (error.hint !== undefined) console.error(`  hint: ${error.hint}`);
      } else {
        console.error('switchboard-bridge sync: failed:', error);
      }
      process.exit(error instanceof Error && isSwitchboardError(error) ? 2 : 1);
    }
  });

void program.parseAsync(process.argv);
