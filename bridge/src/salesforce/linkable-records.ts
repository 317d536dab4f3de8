// Which record a rep may attach to a call: `call.link` and `dial.recordId` name a record that
// ends up as the Task's WhoId/WhatId, written by the integration user who sees every record.
// So the id must be of an object the feature links (a Contact, Lead or Account: the pop's
// matches and the record pages click-to-dial is on), name a record that exists, and name one
// the rep may open — asked of Salesforce itself (UserRecordAccess, which applies the org's
// sharing for that user), never guessed from ownership.
import type { MatchObject } from '../protocol/v1';
import { ErrorCodes, SwitchboardError } from '../errors';
import type { SalesforceGateway } from './gateway';
import { soql } from './query-builder';

export type LinkFeature = 'call.link' | 'dial';

/** The objects each feature links a call to, by their ids' standard key prefix. */
export const LINKABLE_OBJECTS: Readonly<
  Record<LinkFeature, Readonly<Record<string, MatchObject>>>
> = {
  'call.link': { '001': 'Account', '003': 'Contact', '00Q': 'Lead' },
  dial: { '001': 'Account', '003': 'Contact', '00Q': 'Lead' },
};

const FEATURE_NAMES: Readonly<Record<LinkFeature, string>> = {
  'call.link': 'A call',
  dial: 'A dialed call',
};

export class LinkableRecords {
  constructor(private readonly gateway: Pick<SalesforceGateway, 'query'>) {}

  /**
   * Resolves when the rep may link the call to this record; else RECORD_NOT_LINKABLE (another
   * object) or RECORD_NOT_ACCESSIBLE (no such record, or not one the rep may open — one code,
   * so a rep cannot tell which ids exist). A Salesforce outage rejects with its own error.
   * Resolves with the id as Salesforce writes it (18 characters), whatever case-checksum the
   * browser sent: the 15-character form is what names the record.
   */
  async check(rep: { userId: string }, recordId: string, feature: LinkFeature): Promise<string> {
    const objects = LINKABLE_OBJECTS[feature];
    if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(recordId) || !(recordId.slice(0, 3) in objects))
      throw new SwitchboardError(
        ErrorCodes.RECORD_NOT_LINKABLE,
        `${FEATURE_NAMES[feature]} can be linked only to a ${[...new Set(Object.values(objects))].join(', ')}`,
        { status: 422, hint: 'Pick the caller’s Contact, Lead or Account.' },
      );
    const key = recordId.slice(0, 15);
    const rows = await this.gateway.query(
      soql`SELECT RecordId, HasReadAccess FROM UserRecordAccess WHERE UserId = ${rep.userId} AND RecordId = ${key}`,
    );
    const readable = rows.find(
      (row) =>
        typeof row.RecordId === 'string' &&
        row.RecordId.slice(0, 15) === key &&
        row.HasReadAccess === true,
    )?.RecordId;
    if (typeof readable === 'string') return readable;
    throw new SwitchboardError(
      ErrorCodes.RECORD_NOT_ACCESSIBLE,
      `No record ${recordId} that you may open`,
      {
        status: 404,
        hint: 'The record may have been deleted, or it is not shared with you: ask its owner or your admin.',
      },
    );
  }
}
