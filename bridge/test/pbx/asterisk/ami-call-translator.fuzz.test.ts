// Property-based tests of the AMI → CallEvent translator (ami-call-translator.ts): random event
// streams over a small set of channels (so ids collide the way a busy PBX's do), real captures
// with frames dropped, repeated, swapped or corrupted, and reconnects with arbitrary channel
// listings. The translator must never throw, and what it reports must make sense to the call
// tracker: a leg rings before it is answered or ends, ends once, and a finished call has no
// leg left. Input classes: docs/testing.md.
import fc from 'fast-check';
import type { CallEvent } from '../../../src/calls/call';
import { AmiCallTranslator } from '../../../src/pbx/asterisk/ami-call-translator';
import { AmiParser, type AmiMessage } from '../../../src/pbx/asterisk/ami-parser';
import { fuzz, hostileString } from '../../support/fuzz';
import { loadCapture } from './ami-capture';
import { CAPTURE_TIMELINES } from './capture-timelines';

const EXTENSION_PATTERN = /^[0-9]{2,6}$/;
const NOW = new Date('2026-01-05T10:00:00Z');

function translator(): AmiCallTranslator {
  return new AmiCallTranslator({
    extensionPattern: EXTENSION_PATTERN,
    trunkContexts: ['from-trunk', 'from-pstn'],
    now: () => NOW,
  });
}

/**
 * Checks a stream of CallEvents the way the call tracker will read it, leg by leg
 * (pbxCallId + extension), and returns the legs still open. A transfer ends the rep's leg in
 * the tracker; the translator may still end it when its channel goes (which changes nothing).
 */
function checkTimeline(events: readonly CallEvent[]): Set<string> {
  type LegState = 'ringing' | 'answered' | 'transferred';
  const legs = new Map<string, LegState>();
  for (const event of events) {
    expect(typeof event.pbxCallId).toBe('string');
    expect(event.pbxCallId).not.toBe('');
    expect(Number.isNaN(event.at.getTime())).toBe(false);
    if (event.estimate !== undefined) {
      expect(event.estimate.from.getTime()).toBeLessThanOrEqual(event.at.getTime());
      expect(event.at.getTime()).toBeLessThanOrEqual(event.estimate.to.getTime());
    }
    if (event.type === 'finished') {
      for (const [key, state] of legs) {
        if (!key.startsWith(`${event.pbxCallId}|`)) continue;
        expect([key, state]).toEqual([key, 'transferred']);
        legs.delete(key);
      }
      continue;
    }
    expect(event.extension).toMatch(EXTENSION_PATTERN);
    const key = `${event.pbxCallId}|${event.extension ?? ''}`;
    const state = legs.get(key);
    switch (event.type) {
      case 'ringing':
        expect([key, state]).toEqual([key, undefined]);
        legs.set(key, 'ringing');
        break;
      case 'answered':
        expect([key, state]).toEqual([key, 'ringing']);
        legs.set(key, 'answered');
        break;
      case 'transferred':
        expect(event.toExtension).toMatch(EXTENSION_PATTERN);
        expect([key, state === 'ringing' || state === 'answered']).toEqual([key, true]);
        legs.set(key, 'transferred');
        break;
      case 'ended':
        expect([key, state !== undefined]).toEqual([key, true]);
        legs.delete(key);
        break;
    }
  }
  return new Set([...legs].flatMap(([key, state]) => (state === 'transferred' ? [] : [key])));
}

// ---------------------------------------------------------------------------------------------
// Random AMI events over a few channels

const uniqueid = fc.constantFrom('1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '2.1', '2.2');
const linkedid = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('1.1', '1.3', '2.1') },
  { weight: 1, arbitrary: fc.constantFrom('', '<unknown>', ' 1.1 ') },
);
const channel = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      'PJSIP/201-00000001',
      'PJSIP/202-0000000a',
      'SIP/203-00000003',
      'PJSIP/trunk-00000002',
      'Local/201@from-internal-00000001;1',
      'Local/201@from-internal-00000001;2',
      'Local/202@from-queue-00000004;1',
      'Local/5550100@from-trunk-0000000f;1',
      'IAX2/204',
      'DAHDI/1-1',
    ),
  },
  { weight: 1, arbitrary: hostileString(30) },
);
const eventName = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.constantFrom(
      'Newchannel',
      'DialBegin',
      'DialEnd',
      'Hangup',
      'HangupRequest',
      'SoftHangupRequest',
      'BlindTransfer',
      'AttendedTransfer',
      'UnParkedCall',
      'Newstate',
      'BridgeEnter',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('DIALBEGIN', 'hangup', 'Cdr', '') },
  { weight: 1, arbitrary: hostileString(12) },
);
const number = fc.oneof(
  fc.constantFrom('+15551234567', '201', '202', '<unknown>', '', 'anonymous', '815551234567'),
  hostileString(20),
);

/** Header maps as Asterisk sends them (every key optional, any value sometimes). */
const amiEvent: fc.Arbitrary<AmiMessage> = fc
  .record(
    {
      event: eventName,
      uniqueid,
      linkedid,
      channel,
      destchannel: channel,
      destuniqueid: uniqueid,
      destlinkedid: linkedid,
      dialstatus: fc.oneof(
        fc.constantFrom('ANSWER', 'BUSY', 'NOANSWER', 'CANCEL', 'CHANUNAVAIL', 'CONGESTION', ''),
        hostileString(10),
      ),
      cause: fc.oneof(fc.constantFrom('0', '16', '17', '19', '21'), hostileString(4)),
      calleridnum: number,
      destcalleridnum: number,
      destconnectedlinenum: number,
      exten: number,
      result: fc.constantFrom('Success', 'Fail', 'success'),
      transfereruniqueid: uniqueid,
      origtransfereruniqueid: uniqueid,
      secondtransfereruniqueid: uniqueid,
      extension: fc.oneof(fc.constantFrom('202', '203', '5550100'), hostileString(8)),
      retrieverchannel: channel,
      retrieveruniqueid: uniqueid,
      retrieverlinkedid: linkedid,
      parkeelinkedid: linkedid,
      parkeecalleridnum: number,
      timestamp: fc.oneof(
        fc.constant(String(NOW.getTime() / 1000)),
        fc.double().map(String),
        fc.constantFrom('', 'NaN', '1e400', '-1', '99999999999999999999.5'),
        hostileString(10),
      ),
    },
    { requiredKeys: ['event'] },
  )
  .map((m) => m as AmiMessage);

/** A CoreShowChannel item, for recover(). */
const listedChannel: fc.Arbitrary<AmiMessage> = fc
  .record(
    {
      channel,
      uniqueid,
      linkedid,
      channelstatedesc: fc.constantFrom('Up', 'Ring', 'Ringing', 'Down', ''),
      application: fc.constantFrom('Dial', 'AppDial', 'Queue', ''),
      bridgeid: fc.constantFrom('', 'b-1'),
      connectedlinenum: number,
      calleridnum: number,
      exten: number,
      duration: fc.oneof(fc.constantFrom('00:00:05', '01:02:03', '99:59:59', ''), hostileString(8)),
    },
    { requiredKeys: [] },
  )
  .map((m) => m as AmiMessage);

/** What happens on the AMI link: an event, a drop, a reconnect with a listing, a dial. */
const step = fc.oneof(
  { weight: 20, arbitrary: amiEvent.map((event) => ({ kind: 'event' as const, event })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'lost' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .array(listedChannel, { maxLength: 4 })
      .map((listing) => ({ kind: 'recover' as const, listing })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('r1', 'r2'), fc.constantFrom('201', '202'))
      .map(([requestId, extension]) => ({ kind: 'expect' as const, requestId, extension })),
  },
);

function drive(t: AmiCallTranslator, steps: readonly fc.Arbitrary<unknown>[] | unknown[]) {
  const events: CallEvent[] = [];
  for (const s of steps as Array<
    | { kind: 'event'; event: AmiMessage }
    | { kind: 'lost' }
    | { kind: 'recover'; listing: AmiMessage[] }
    | { kind: 'expect'; requestId: string; extension: string }
  >) {
    switch (s.kind) {
      case 'event':
        events.push(...t.handle(s.event));
        break;
      case 'lost':
        t.linkLost(NOW);
        break;
      case 'recover':
        events.push(...t.recover(s.listing));
        break;
      case 'expect':
        t.expectDial({ requestId: s.requestId, extension: s.extension, number: '+15550001111' });
        break;
    }
  }
  return events;
}

describe('AmiCallTranslator (property-based)', () => {
  it('never throws on random event streams, and its legs follow ringing → answered → ended', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const t = translator();
        const events = drive(t, steps);
        const open = checkTimeline(events);
        // Reconnecting to a PBX with no channels up ends every leg and finishes every call.
        const after = t.recover([]);
        const stillOpen = checkTimeline([...events, ...after]);
        expect(stillOpen.size).toBe(0);
        expect(t.activeLegCount()).toBe(0);
        // Every leg open before was ended by the recovery (transferred legs included).
        for (const key of open)
          expect(
            after.some((e) => e.type === 'ended' && `${e.pbxCallId}|${e.extension}` === key),
          ).toBe(true);
      }),
      fuzz(500),
    );
  });

  it('never reports a time that is not a date, whatever Timestamp the PBX sends', () => {
    fc.assert(
      fc.property(fc.array(amiEvent, { maxLength: 30 }), (events) => {
        const t = translator();
        for (const e of events.flatMap((m) => t.handle(m)))
          expect(Number.isFinite(e.at.getTime())).toBe(true);
      }),
      fuzz(300),
    );
  });

  it('names a rep only for channels whose resource matches the extension pattern', () => {
    const t = translator();
    fc.assert(
      fc.property(fc.oneof(channel, hostileString(60)), (name) => {
        const extension = t.extensionOf(name);
        if (extension !== undefined) {
          expect(extension).toMatch(EXTENSION_PATTERN);
          expect(name).toContain(extension);
        }
      }),
      fuzz(500),
    );
  });

  it('copes with real captures whose frames are dropped, repeated, swapped or corrupted', () => {
    const captures = CAPTURE_TIMELINES.map(([name]) => {
      const parser = new AmiParser(() => undefined);
      return parser
        .push(loadCapture(name).raw)
        .flatMap((p) => (p.kind === 'message' ? [p.message] : []));
    });
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('repeat' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
      fc.record({
        op: fc.constant('corrupt' as const),
        at: fc.nat(),
        key: fc.constantFrom('uniqueid', 'linkedid', 'destuniqueid', 'channel', 'dialstatus'),
        value: hostileString(12),
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...captures),
        fc.array(mutation, { maxLength: 8 }),
        (messages, mutations) => {
          const stream = [...messages];
          for (const m of mutations) {
            if (stream.length === 0) break;
            const i = m.at % stream.length;
            const frame = stream[i]!;
            if (m.op === 'drop') stream.splice(i, 1);
            else if (m.op === 'repeat') stream.splice(i, 0, frame);
            else if (m.op === 'swap' && i + 1 < stream.length) {
              stream[i] = stream[i + 1]!;
              stream[i + 1] = frame;
            } else if (m.op === 'corrupt') stream[i] = { ...frame, [m.key]: m.value };
          }
          const t = translator();
          const events = stream.flatMap((m) => t.handle(m));
          checkTimeline([...events, ...t.recover([])]);
          expect(t.activeLegCount()).toBe(0);
        },
      ),
      fuzz(300),
    );
  });

  it('resumes any saved state after a restart and settles it against any channel listing', () => {
    const saved = fc.record({
      legs: fc.array(
        fc.record({
          pbxCallId: fc.constantFrom('1.1', '1.3', '2.1'),
          extension: fc.constantFrom('201', '202', '203'),
          direction: fc.constantFrom('inbound' as const, 'outbound' as const),
          answered: fc.boolean(),
        }),
        { maxLength: 5 },
      ),
      openCalls: fc.array(fc.constantFrom('1.1', '1.3', '2.1', '9.9'), { maxLength: 4 }),
      lastSeenAt: fc.date({
        min: new Date(NOW.getTime() - 3_600_000),
        max: NOW,
        noInvalidDate: true,
      }),
    });
    fc.assert(
      fc.property(saved, fc.array(listedChannel, { maxLength: 5 }), (state, listing) => {
        const t = translator();
        t.resume(state);
        const events = t.recover(listing);
        const resumed = new Set(state.legs.map((l) => `${l.pbxCallId}|${l.extension}`));
        for (const e of events) {
          expect(Number.isFinite(e.at.getTime())).toBe(true);
          // What happened to a leg it knew while the bridge was down is placed inside the blind
          // window (a channel it never knew may be older: the PBX says how old).
          if (e.estimate !== undefined && resumed.has(`${e.pbxCallId}|${e.extension ?? ''}`))
            expect(e.estimate.from.getTime()).toBeGreaterThanOrEqual(state.lastSeenAt.getTime());
        }
        t.recover([]);
        expect(t.activeLegCount()).toBe(0);
      }),
      fuzz(300),
    );
  });
});

describe('AmiCallTranslator: counterexamples the properties found', () => {
  it('reports a leg transferred once when the PBX repeats the transfer event', () => {
    const t = translator();
    const dial = (destchannel: string): AmiMessage => ({
      event: 'DialBegin',
      destchannel,
      destuniqueid: '1.1',
      destlinkedid: '2.1',
    });
    const events = [
      ...t.handle(dial('SIP/203-00000003')),
      ...t.handle(dial('PJSIP/201-00000001')),
      ...t.handle({ event: 'AttendedTransfer', result: 'Success', origtransfereruniqueid: '1.1' }),
      ...t.handle({
        event: 'AttendedTransfer',
        result: 'Success',
        secondtransfereruniqueid: '1.1',
      }),
      ...t.handle({
        event: 'BlindTransfer',
        result: 'Success',
        transfereruniqueid: '1.1',
        extension: '202',
      }),
    ];
    expect(events.filter((e) => e.type === 'transferred')).toEqual([
      expect.objectContaining({ extension: '201', toExtension: '203' }),
    ]);
    checkTimeline(events);
  });
});
