// `switchboard-bridge sync`: one directory sync run from the command line (the first full load of
// a large org, or `--full` to rebuild), against the same database the bridge uses. Safe to run
// while the bridge runs: SQLite serializes the writes and each page commits with its checkpoint;
// a run interrupted with Ctrl-C continues where it stopped next time.
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/schema';
import { EmulatedOrg, loadSeed } from '../../demo/emulated-org/emulated-org';
import { ErrorCodes, SwitchboardError } from '../../errors';
import type { Logger } from '../../logging/logger';
import { JsforceSalesforceGateway } from '../../salesforce/jsforce-gateway';
import { openDatabase } from '../../storage/database';
import { createIndexedDirectory, type DirectoryStatus } from './create-indexed-directory';
import type { SyncProgress, SyncReport } from './directory-sync';

export interface SyncCommandOptions {
  config: Config;
  full: boolean;
  logger: Logger;
  onProgress: (progress: SyncProgress) => void;
}

export async function runSyncCommand(
  options: SyncCommandOptions,
): Promise<{ report: SyncReport; status: DirectoryStatus }> {
  const { config, logger } = options;
  let org: EmulatedOrg | undefined;
  let gateway: JsforceSalesforceGateway;
  if (config.salesforce.emulate !== undefined) {
    org = await EmulatedOrg.start({
      seed: loadSeed(config.salesforce.emulate),
      logger,
      apiVersion: config.salesforce.apiVersion,
    });
    gateway = new JsforceSalesforceGateway({
      loginUrl: org.url,
      flow: 'client_credentials',
      clientId: org.credentials.clientId,
      clientSecret: org.credentials.clientSecret,
      apiVersion: config.salesforce.apiVersion,
      logger,
    });
  } else {
    const sf = config.salesforce;
    if (sf.loginUrl === undefined || sf.clientId === undefined)
      throw new SwitchboardError(
        ErrorCodes.CONFIG_INVALID,
        'salesforce.loginUrl and salesforce.clientId are required',
      );
    gateway = new JsforceSalesforceGateway({
      loginUrl: sf.loginUrl,
      flow: sf.flow,
      clientId: sf.clientId,
      clientSecret: sf.clientSecret,
      username: sf.username,
      privateKeyPem: sf.privateKeyFile === undefined ? undefined : readKey(sf.privateKeyFile),
      apiVersion: sf.apiVersion,
      logger,
    });
  }
  const db = openDatabase(config.storage.database, logger);
  try {
    const feature = createIndexedDirectory({ config, db, gateway, logger });
    const report = await feature.sync.run({ full: options.full, onProgress: options.onProgress });
    const status = feature.status();
    await feature.stop();
    return { report, status };
  } finally {
    db.close();
    await org?.stop();
  }
}

function readKey(value: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (cause) {
    throw new SwitchboardError(
      ErrorCodes.CONFIG_INVALID,
      `salesforce.privateKeyFile: cannot read ${value}`,
      { cause, hint: 'Set salesforce.privateKeyFile to a readable PEM file.' },
    );
  }
}
