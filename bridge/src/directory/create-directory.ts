// Which directory answers the screen pop's "who has this number" for a configuration: the
// local index synced from Salesforce when directory.enabled (no API call per ring; also the
// PBX phonebook and, with Asterisk, the AstDB caller names), else a live search per call.
import type { CallerDirectory } from '../calls/caller-directory';
import type { Config } from '../config/schema';
import type { Logger } from '../logging/logger';
import type { AstDbWriter } from '../pbx/astdb-writer';
import type { SalesforceGateway } from '../salesforce/gateway';
import type { Database } from '../storage/database';
import {
  createIndexedDirectory,
  type IndexedDirectoryFeature,
} from './index/create-indexed-directory';
import { LiveSearchDirectory } from './live-search-directory';

export interface ConfiguredDirectory {
  directory: CallerDirectory;
  /** The index feature when directory.enabled; the caller starts and stops it. */
  indexed: IndexedDirectoryFeature | undefined;
}

export function createDirectory(options: {
  config: Pick<Config, 'directory' | 'phone' | 'lookup'>;
  db: Database;
  gateway: SalesforceGateway;
  /** The PBX's caller-name database, if it has one (Asterisk). */
  astDbWriter: AstDbWriter | undefined;
  /** Named here: directory-index or directory. */
  logger: Logger;
}): ConfiguredDirectory {
  const { config, db, gateway, astDbWriter, logger } = options;
  if (!config.directory.enabled) {
    const directory = new LiveSearchDirectory({
      gateway,
      phone: config.phone,
      lookup: config.lookup,
      logger: logger.child({ component: 'directory' }),
    });
    return { directory, indexed: undefined };
  }
  const indexed = createIndexedDirectory({
    config,
    db,
    gateway,
    logger: logger.child({ component: 'directory-index' }),
    astDbWriter, // used when directory.astdb.enabled
  });
  return { directory: indexed.directory, indexed };
}
