// "Who has this number?" — the interface the screen pop asks. Today a live Salesforce search
// (live-search-directory.ts); later a local index synced from Salesforce, behind the same interface.
import type { CallMatch } from '../calls/call';

/** A match with what ranking needs; the Call sent to the browser carries the CallMatch part. */
export interface DirectoryMatch extends CallMatch {
  /** ISO timestamp of the record's last modification. */
  lastModifiedAt: string;
}

export interface CallerDirectory {
  /**
   * Records whose phone fields normalize to this E.164 number, unranked. Rejects with a
   * SwitchboardError (SF_* codes) when Salesforce cannot be asked.
   */
  findByNumber(e164: string): Promise<DirectoryMatch[]>;
  /** Tell the directory about a record created or changed just now (the search index lags). */
  noteRecordChanged?(sobjectType: string, id: string): void;
}
