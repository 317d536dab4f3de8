// "Who has this number?" — the port the screen pop asks, owned by the call core. directory/
// implements it: a live Salesforce search per call, or the local index synced from Salesforce.
import type { CallMatch } from './call';

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
  /**
   * The matches for this number when the directory knows them without asking anyone (a cache
   * hit), else undefined: the ring then carries them, and the rep gets one frame rather than
   * the ring and the lookup's answer just after it.
   */
  knownMatches?(e164: string): DirectoryMatch[] | undefined;
  /** Tell the directory about a record created or changed just now (the search index lags). */
  noteRecordChanged?(sobjectType: string, id: string): void;
}
