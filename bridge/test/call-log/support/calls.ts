// Ended calls for the call-log tests against the emulated org: ids and records from SEED.
import type { Call, CallMatch } from '../../../src/calls/call';

export const REP_USER_ID = '005000000000001AAA';
export const LEAD_OWNER_ID = '005000000000002AAA';
export const ACCOUNT: CallMatch = {
  id: '001000000000001AAA',
  object: 'Account',
  name: 'Analytical Engines',
  phoneField: 'Phone',
};
export const CONTACT: CallMatch = {
  id: '003000000000001AAA',
  object: 'Contact',
  name: 'Ada Lovelace',
  phoneField: 'Phone',
  accountId: ACCOUNT.id,
  accountName: ACCOUNT.name,
  ownerId: REP_USER_ID,
};
export const LEAD: CallMatch = {
  id: '00Q000000000001AAA',
  object: 'Lead',
  name: 'Grace Hopper',
  phoneField: 'MobilePhone',
  ownerId: LEAD_OWNER_ID,
};

export const SEED = {
  User: [
    {
      Id: REP_USER_ID,
      FirstName: 'Ana',
      LastName: 'Lopez',
      Email: 'ana@acme.example',
      IsActive: true,
    },
    {
      Id: LEAD_OWNER_ID,
      FirstName: 'Ben',
      LastName: 'Okafor',
      Email: 'ben@acme.example',
      IsActive: true,
    },
  ],
  Account: [{ Id: ACCOUNT.id, Name: ACCOUNT.name, Phone: '+1 415 555 0100' }],
  Contact: [
    {
      Id: CONTACT.id,
      FirstName: 'Ada',
      LastName: 'Lovelace',
      AccountId: ACCOUNT.id,
      Phone: '+1 415 555 0101',
    },
  ],
  Lead: [
    {
      Id: LEAD.id,
      FirstName: 'Grace',
      LastName: 'Hopper',
      Company: 'Navy',
      MobilePhone: '+1 415 555 0102',
      OwnerId: LEAD_OWNER_ID,
    },
  ],
};

export const ENDED_AT = Date.parse('2025-03-05T10:00:00.000Z');

/** An answered inbound call on extension 201 that ended at ENDED_AT after 50 s of talk. */
export function endedCall(id: string, overrides: Partial<Call> = {}): Call {
  return {
    id,
    direction: 'inbound',
    state: 'ended',
    extension: '201',
    number: '+14155550100',
    e164: '+14155550100',
    withheld: false,
    internal: false,
    startedAt: new Date(ENDED_AT - 60_000).toISOString(),
    answeredAt: new Date(ENDED_AT - 50_000).toISOString(),
    endedAt: new Date(ENDED_AT).toISOString(),
    endReason: 'completed',
    lookup: 'done',
    matches: [],
    ...overrides,
  };
}
