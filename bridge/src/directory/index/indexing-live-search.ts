// This bridge's own live search, as the directory index uses it on a miss: its hits go into the
// index before they are returned, so the caller's next ring is an index hit. With several
// bridges on one shared index, the one bridge that searched adds them; the others are handed its
// answer (shared-live-search.ts wraps this search) and write nothing: one write per miss, not
// one per bridge.
import type { DirectoryMatch } from '../../calls/caller-directory';
import { ErrorCodes } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { RememberingDirectory } from '../shared-live-search';
import type { DirectoryIndexStore } from './directory-index';

export class IndexingLiveSearch implements RememberingDirectory {
  constructor(
    private readonly search: RememberingDirectory,
    private readonly index: Pick<DirectoryIndexStore, 'addMatches'>,
    private readonly logger: Logger,
  ) {}

  async findByNumber(e164: string): Promise<DirectoryMatch[]> {
    const matches = await this.search.findByNumber(e164);
    if (matches.length === 0) return matches;
    try {
      await this.index.addMatches(e164, matches, 0);
    } catch (error) {
      // The caller still gets the answer; the index learns it on the next sync.
      this.logger.warn(
        {
          code: ErrorCodes.STORAGE_WRITE_FAILED,
          err: error instanceof Error ? error.message : String(error),
        },
        'could not add live-search hits to the directory index; the next sync adds them',
      );
    }
    return matches;
  }

  knownMatches(e164: string): DirectoryMatch[] | undefined {
    return this.search.knownMatches?.(e164);
  }

  remember(e164: string, matches: readonly DirectoryMatch[]): void {
    this.search.remember(e164, matches);
  }

  noteRecordChanged(sobjectType: string, id: string): void {
    this.search.noteRecordChanged?.(sobjectType, id);
  }
}
