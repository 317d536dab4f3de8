import type { Call, CallMatch } from '../../src/calls/call';
import { buildCallTask, dateIn, renderSubject, resolveLinks } from '../../src/call-log/call-task';
import { CallLogSchema, type CallLogConfig } from '../../src/config/schema';

const CONTACT: CallMatch = {
  id: '003000000000001AAA',
  object: 'Contact',
  name: 'Ada Lovelace',
  phoneField: 'Phone',
  accountId: '001000000000001AAA',
  accountName: 'Analytical Engines',
  ownerId: '005000000000OWNER',
};
const LEAD: CallMatch = {
  id: '00Q000000000001AAA',
  object: 'Lead',
  name: 'Grace Hopper',
  phoneField: 'MobilePhone',
  ownerId: '005000000LEADOWNR',
};
const ACCOUNT: CallMatch = {
  id: '001000000000002AAA',
  object: 'Account',
  name: 'Babbage Ltd',
  phoneField: 'Phone',
};

function call(overrides: Partial<Call> = {}): Call {
  return {
    id: 'pbx-1:201',
    direction: 'inbound',
    state: 'ended',
    extension: '201',
    number: '+14155550100',
    e164: '+14155550100',
    withheld: false,
    internal: false,
    startedAt: '2025-03-04T23:30:00.000Z',
    answeredAt: '2025-03-04T23:30:10.000Z',
    endedAt: '2025-03-04T23:32:15.400Z',
    endReason: 'completed',
    lookup: 'done',
    matches: [],
    ...overrides,
  };
}

function config(overrides: Partial<CallLogConfig> = {}): CallLogConfig {
  return { ...CallLogSchema.parse({}), ...overrides };
}

const now = new Date('2025-03-05T09:00:00.000Z');
const REP = '005000000000REP01';

describe('call-log/call-task', () => {
  describe('resolveLinks (WhoId/WhatId rules)', () => {
    it('single Contact match: WhoId the Contact, WhatId its Account', () => {
      expect(resolveLinks(call({ matches: [CONTACT] }))).toMatchObject({
        whoId: CONTACT.id,
        whatId: CONTACT.accountId,
      });
    });

    it('single Lead match: WhoId the Lead and never a WhatId', () => {
      const links = resolveLinks(call({ matches: [LEAD, ACCOUNT] }));
      expect(links.whoId).toBe(LEAD.id);
      expect(links.whatId).toBeUndefined();
    });

    it('only an Account match: WhatId the Account, no WhoId', () => {
      const links = resolveLinks(call({ matches: [ACCOUNT] }));
      expect(links.whoId).toBeUndefined();
      expect(links.whatId).toBe(ACCOUNT.id);
    });

    it('several people and no pick: neither', () => {
      expect(resolveLinks(call({ matches: [CONTACT, LEAD] }))).toEqual({});
    });

    it('the record the rep picked wins over the matches', () => {
      const picked = resolveLinks(call({ matches: [CONTACT, LEAD], linkedRecordId: LEAD.id }));
      expect(picked).toMatchObject({ whoId: LEAD.id });
      expect(picked.whatId).toBeUndefined();
      // A picked Contact not among the matches: known by its key prefix
      expect(resolveLinks(call({ linkedRecordId: '003000000000009AAA' }))).toEqual({
        whoId: '003000000000009AAA',
      });
      // A picked Opportunity becomes WhatId next to the single Contact
      expect(
        resolveLinks(call({ matches: [CONTACT], linkedRecordId: '006000000000001AAA' })),
      ).toMatchObject({ whoId: CONTACT.id, whatId: '006000000000001AAA' });
    });

    it('ignores a picked id that is not a Salesforce id', () => {
      expect(resolveLinks(call({ linkedRecordId: "x' OR 1=1" }))).toEqual({});
    });
  });

  describe('buildCallTask', () => {
    it('an answered inbound call: a completed Call Task owned by the rep', () => {
      const decision = buildCallTask({
        call: call({ matches: [CONTACT] }),
        config: config({ timeZone: 'America/Los_Angeles' }),
        repUserId: REP,
        now,
      });
      expect(decision).toEqual({
        log: true,
        kind: 'call',
        fields: {
          TaskSubtype: 'Call',
          CallType: 'Inbound',
          CallDurationInSeconds: 125,
          CallObject: 'pbx-1:201',
          Priority: 'Normal',
          Status: 'Completed',
          OwnerId: REP,
          WhoId: CONTACT.id,
          WhatId: CONTACT.accountId,
          // 23:30 UTC is still the 4th in California
          ActivityDate: '2025-03-04',
          Subject: 'Inbound call +14155550100',
        },
      });
    });

    it('an outbound call nobody answered: duration 0, disposition No answer', () => {
      const decision = buildCallTask({
        call: call({ direction: 'outbound', answeredAt: undefined, endReason: 'no-answer' }),
        config: config(),
        repUserId: undefined,
        now,
      });
      expect(decision).toMatchObject({
        log: true,
        fields: { CallType: 'Outbound', CallDurationInSeconds: 0, CallDisposition: 'No answer' },
      });
      // No rep user: Salesforce picks the owner
      expect(decision.log && 'OwnerId' in decision.fields).toBe(false);
    });

    it('a missed inbound call: logged as missed, a call-back Task, or skipped', () => {
      const missed = call({ answeredAt: undefined, endReason: 'missed', matches: [LEAD] });
      expect(buildCallTask({ call: missed, config: config(), repUserId: REP, now })).toMatchObject({
        log: true,
        kind: 'call',
        fields: { Status: 'Completed', CallDisposition: 'Missed', OwnerId: REP },
      });
      const callback = buildCallTask({
        call: missed,
        config: config({ missedCalls: 'callback-task' }),
        repUserId: REP,
        now,
      });
      expect(callback).toMatchObject({
        log: true,
        kind: 'callback',
        fields: {
          Status: 'Not Started',
          Subject: 'Call back Grace Hopper',
          ActivityDate: '2025-03-05',
          // The record's owner calls back
          OwnerId: LEAD.ownerId,
          WhoId: LEAD.id,
          CallObject: 'pbx-1:201',
        },
      });
      expect(
        buildCallTask({
          call: missed,
          config: config({ missedCalls: 'skip' }),
          repUserId: REP,
          now,
        }),
      ).toMatchObject({ log: false, code: 'CALL_LOG_NOT_LOGGED' });
    });

    it('gives a call-back Task to the rep when a queue owns the record', () => {
      const queued = { ...LEAD, ownerId: '00G000000000001AAA' };
      const missed = call({ answeredAt: undefined, endReason: 'missed', matches: [queued] });
      const callback = buildCallTask({
        call: missed,
        config: config({ missedCalls: 'callback-task' }),
        repUserId: REP,
        now,
      });
      expect(callback).toMatchObject({ kind: 'callback', fields: { OwnerId: REP } });
    });

    it('skips call types not configured, calls taken by a colleague, and everything when off', () => {
      expect(
        buildCallTask({ call: call({ internal: true }), config: config(), repUserId: REP, now }),
      ).toMatchObject({ log: false, reason: 'internal calls are not logged' });
      expect(
        buildCallTask({
          call: call({ internal: true }),
          config: config({ callTypes: ['internal'] }),
          repUserId: REP,
          now,
        }),
      ).toMatchObject({ log: true, fields: { CallType: 'Internal' } });
      expect(
        buildCallTask({
          call: call({ answeredAt: undefined, endReason: 'answered-elsewhere' }),
          config: config(),
          repUserId: REP,
          now,
        }),
      ).toMatchObject({ log: false });
      expect(
        buildCallTask({ call: call(), config: config({ enabled: false }), repUserId: REP, now }),
      ).toMatchObject({ log: false, code: 'CALL_LOG_DISABLED' });
    });

    it('renders every placeholder of the subject template', () => {
      const decision = buildCallTask({
        call: call({ matches: [CONTACT], withheld: true }),
        config: config({
          subjectTemplate: '{direction}|{number}|{name}|{extension}|{duration}|{result}|{date}',
        }),
        repUserId: REP,
        now,
      });
      expect(decision.log && decision.fields.Subject).toBe(
        'Inbound|withheld number|Ada Lovelace|201|2:05|answered|2025-03-04',
      );
    });
  });

  it('dateIn gives the local date in any zone, also when it remembers the last one', () => {
    // Zones whose offsets are not whole hours change date at :15, :30 and :45 UTC.
    const zones = ['Asia/Kathmandu', 'Australia/Eucla', 'Pacific/Chatham', 'America/St_Johns'];
    const fresh = (at: Date, timeZone: string) =>
      new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(at);
    const start = Date.UTC(2026, 2, 28, 9, 0);
    for (let ms = start; ms < start + 2 * 24 * 3600_000; ms += 7 * 60_000)
      for (const zone of zones)
        expect({ zone, ms, date: dateIn(new Date(ms), zone) }).toEqual({
          zone,
          ms,
          date: fresh(new Date(ms), zone),
        });
  });

  it('renderSubject caps at 255 characters and never returns an empty subject', () => {
    expect(renderSubject('{name}', { name: 'x'.repeat(300) })).toHaveLength(255);
    expect(renderSubject('{name}', { name: '' })).toBe('Call');
  });
});

describe('call-log/call-task: what issue 11 decided', () => {
  const missed = (overrides: Partial<Call> = {}) =>
    call({ answeredAt: undefined, endReason: 'busy', ...overrides });

  it('an inbound call that was busy is Missed, as the docs say (the screen still says busy)', () => {
    const decision = buildCallTask({
      call: missed(),
      config: config({ missedCalls: 'log', subjectTemplate: '{result} {number}' }),
      repUserId: REP,
      now,
    });
    expect(decision).toMatchObject({
      log: true,
      fields: { CallDisposition: 'Missed', Subject: 'missed +14155550100', Status: 'Completed' },
    });
    // Outbound busy stays busy: the number was dialed and the other side was busy.
    const outbound = buildCallTask({
      call: missed({ direction: 'outbound' }),
      config: config(),
      repUserId: REP,
      now,
    });
    expect(outbound).toMatchObject({ fields: { CallDisposition: 'Busy' } });
  });

  it('a missed queue call names every extension it rang in its one call-back Task', () => {
    const decision = buildCallTask({
      call: missed({ endReason: 'missed' }),
      config: config({ missedCalls: 'callback-task' }),
      repUserId: REP,
      now,
      alsoRang: ['202', '201', '203'],
    });
    expect(decision).toMatchObject({
      fields: {
        Description:
          'Missed call from +14155550100 at 2025-03-04T23:30:00.000Z on extensions 201, 202, 203.',
      },
    });
  });

  it('says between which times a duration was estimated', () => {
    const decision = buildCallTask({
      call: call({
        estimated: {
          endedAt: { from: '2025-03-04T23:32:10.000Z', to: '2025-03-04T23:32:20.800Z' },
        },
      }),
      config: config(),
      repUserId: REP,
      now,
    });
    expect(decision).toMatchObject({
      fields: {
        CallDurationInSeconds: 125,
        Description:
          'Duration estimated: the call was ended between 2025-03-04T23:32:10.000Z and ' +
          '2025-03-04T23:32:20.800Z, while Switchboard could not see the phone system.',
      },
    });
    const exact = buildCallTask({ call: call(), config: config(), repUserId: REP, now });
    expect(exact).toMatchObject({ log: true });
    expect((exact as { fields: Record<string, unknown> }).fields.Description).toBeUndefined();
  });
});
