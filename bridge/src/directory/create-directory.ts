// Which directory answers the screen pop's "who has this number" for a configuration: the
// local index synced from Salesforce when directory.enabled (no API call per ring; also the
// PBX phonebook and, with Asterisk, the AstDB caller names), else a live search per call.
import type { CallerDirectory } from '../calls/caller-directory';
import type { Config } from '../config/schema';
import type { Logger } from '../logging/logger';
import type { AstDbWriter } from '../pbx/astdb-writer';
import type { SalesforceGateway } from '../salesforce/gateway';
import type { OrgFields } from '../salesforce/org-fields';
import type { Database } from '../storage/database';
import type { DirectoryIndexStore } from './index/directory-index';
import {
  createIndexedDirectory,
  type IndexedDirectoryFeature,
} from './index/create-indexed-directory';
import { LiveSearchDirectory } from './live-search-directory';
import { shareLookups, type LookupShare } from './shared-live-search';

export interface ConfiguredDirectory {
  directory: CallerDirectory;
  /** The index feature when directory.enabled; the caller starts and stops it. */
  indexed: IndexedDirectoryFeature | undefined;
  /**
   * Names missing field permissions at start (the index's first sync does so by itself).
   * Never throws.
   */
  checkAccess(): Promise<void>;
}

export function createDirectory(options: {
  config: Pick<Config, 'directory' | 'phone' | 'lookup'>;
  db: Database;
  /** The index several bridges share (PostgreSQL); default: the SQLite index in `db`. */
  index?: DirectoryIndexStore;
  gateway: SalesforceGateway;
  /** The PBX's caller-name database, if it has one (Asterisk). */
  astDbWriter: AstDbWriter | undefined;
  /** Named here: directory-index or directory. */
  logger: Logger;
  /** What the integration user may read, shared with call logging. */
  orgFields: OrgFields;
  /** Several bridges: one search per number for all of them (shared-live-search.ts). */
  lookupShare?: LookupShare;
}): ConfiguredDirectory {
  const { config, db, gateway, astDbWriter, logger, orgFields } = options;
  if (!config.directory.enabled) {
    const directory = new LiveSearchDirectory({
      gateway,
      phone: config.phone,
      lookup: config.lookup,
      directory: config.directory,
      orgFields,
      logger: logger.child({ component: 'directory' }),
    });
    return {
      directory: shareLookups(
        directory,
        options.lookupShare,
        logger.child({ component: 'directory' }),
      ),
      indexed: undefined,
      checkAccess: () => directory.checkAccess(),
    };
  }
  const indexed = createIndexedDirectory({
    config,
    db,
    ...(options.index === undefined ? {} : { index: options.index }),
    gateway,
    orgFields,
    logger: logger.child({ component: 'directory-index' }),
    astDbWriter, // used when directory.astdb.enabled
    ...(options.lookupShare === undefined ? {} : { lookupShare: options.lookupShare }),
  });
  return { directory: indexed.directory, indexed, checkAccess: () => Promise.resolve() };
}
