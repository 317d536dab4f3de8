// The translator against real Asterisk 22 captures: each one's exact CallEvent timeline,
// written down from reading the capture (see bridge/test/fixtures/asterisk).
import type { CallEvent } from '../../../src/calls/call';
import { AmiCallTranslator } from '../../../src/pbx/asterisk/ami-call-translator';
import { AmiParser, type AmiMessage } from '../../../src/pbx/asterisk/ami-parser';
import {
  loadCapture,
  loadTimedCapture,
  timedCallFrames,
  timeOf,
  withTimestamps,
  type TimedCapture,
} from './ami-capture';
import { CAPTURE_TIMELINES, steps } from './capture-timelines';

function translator(): AmiCallTranslator {
  return new AmiCallTranslator({
    extensionPattern: /^[0-9]{2,6}$/,
    trunkContexts: ['from-trunk', 'from-pstn'],
    now: () => new Date('2026-01-05T10:00:00Z'),
  });
}

function messages(name: string): AmiMessage[] {
  const problems: string[] = [];
  const parser = new AmiParser((p) => problems.push(p.reason));
  const out = parser.push(loadCapture(name).raw);
  expect(problems).toEqual([]);
  return out.flatMap((p) => (p.kind === 'message' ? [p.message] : []));
}

function replay(name: string, t = translator()): CallEvent[] {
  return messages(name).flatMap((m) => t.handle(m));
}

describe('AmiCallTranslator on real captures', () => {
  it.each(CAPTURE_TIMELINES)('%s yields its timeline', (name, expected) => {
    const t = translator();
    const events = replay(name, t);
    expect(steps(events)).toEqual(expected.steps);
    expect([...new Set(events.map((e) => e.pbxCallId))]).toEqual(expected.callIds);
    expect(events.every((e) => e.type !== 'ringing' || e.dialRequestId === undefined)).toBe(true);
    expect(t.activeLegCount()).toBe(0);
  });

  it('marks the ring of a click-to-dial the bridge placed with its request id and number', () => {
    const t = translator();
    t.expectDial({ requestId: 'req-7', extension: '201', number: '815551234567' });
    const [ringing] = replay('sip-originate-click2dial', t);
    expect(ringing).toMatchObject({
      type: 'ringing',
      extension: '201',
      direction: 'outbound',
      number: '815551234567',
      dialRequestId: 'req-7',
    });
  });

  it('does not give a pending dial of one rep to another rep ringing', () => {
    const t = translator();
    t.expectDial({ requestId: 'req-8', extension: '202', number: '5550000' });
    const [ringing] = replay('local-originate-click2dial', t);
    expect(ringing).toMatchObject({ extension: '201', number: '15551234567' });
    expect(ringing).not.toHaveProperty('dialRequestId');
  });
});

describe('AmiCallTranslator: transfers', () => {
  // The successful blind and attended transfers are captures (sip-ami-blindtransfer,
  // sip-attended-transfer); a failed one is built from sip-inbound-answered's channels.
  const call = '1795289031.28';
  const trunk = { channel: 'PJSIP/trunk-00000000', uniqueid: '1795289031.28', linkedid: call };
  const rep201 = { channel: 'PJSIP/201-00000001', uniqueid: '1795289031.29', linkedid: call };
  const dial = (event: string, dest: typeof rep201, status?: string): AmiMessage => ({
    event,
    channel: trunk.channel,
    uniqueid: trunk.uniqueid,
    linkedid: call,
    calleridnum: '+15551234567',
    destchannel: dest.channel,
    destuniqueid: dest.uniqueid,
    destlinkedid: call,
    ...(status === undefined ? {} : { dialstatus: status }),
  });

  it('ignores a failed transfer', () => {
    const t = translator();
    t.handle(dial('DialBegin', rep201));
    expect(
      t.handle({
        event: 'BlindTransfer',
        result: 'Fail',
        transfereruniqueid: rep201.uniqueid,
        extension: '202',
      }),
    ).toEqual([]);
  });
});

describe('AmiCallTranslator: extensions, recovery, noise', () => {
  it('recognises reps’ channels and not trunks, queues or Local helpers', () => {
    const t = translator();
    expect(t.extensionOf('PJSIP/201-00000001')).toBe('201');
    expect(t.extensionOf('SIP/2001-0000abcd')).toBe('2001');
    expect(t.extensionOf('Local/201@sim-phone-answer-00000001;1')).toBe('201');
    expect(t.extensionOf('Local/201@sim-phone-answer-00000001;2')).toBeUndefined();
    expect(t.extensionOf('Local/5550100@from-trunk-00000000;1')).toBeUndefined();
    expect(t.extensionOf('Local/201@from-trunk-00000000;1')).toBeUndefined();
    expect(t.extensionOf('Local/15551234567@sim-pstn-00000009;1')).toBeUndefined();
    expect(t.extensionOf('PJSIP/trunk-00000000')).toBeUndefined();
    expect(t.extensionOf(undefined)).toBeUndefined();
  });

  it('rebuilds a connected inbound call from CoreShowChannels and ends legs that vanished', () => {
    const t = translator();
    const ringing = t.handle({
      event: 'DialBegin',
      channel: 'PJSIP/trunk-00000020',
      uniqueid: '100.1',
      linkedid: '100.1',
      calleridnum: '+15550009999',
      destchannel: 'PJSIP/202-00000021',
      destuniqueid: '100.2',
      destlinkedid: '100.1',
    });
    expect(steps(ringing)).toEqual([['ringing', '202', 'inbound:+15550009999']]);
    const events = t.recover([
      {
        event: 'CoreShowChannel',
        channel: 'PJSIP/trunk-00000000',
        channelstatedesc: 'Up',
        calleridnum: '+15551234567',
        connectedlinenum: '201',
        uniqueid: '1795289031.28',
        linkedid: '1795289031.28',
        application: 'Dial',
        bridgeid: 'b1',
      },
      {
        event: 'CoreShowChannel',
        channel: 'PJSIP/201-00000001',
        channelstatedesc: 'Up',
        calleridnum: '201',
        connectedlinenum: '+15551234567',
        uniqueid: '1795289031.29',
        linkedid: '1795289031.28',
        application: 'AppDial',
        bridgeid: 'b1',
      },
    ]);
    expect(steps(events)).toEqual([
      ['ended', '202', 'missed'],
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['finished', undefined, '100.1'],
    ]);
    expect(events[1]?.pbxCallId).toBe('1795289031.28');
    expect(events[3]?.pbxCallId).toBe('100.1');
    // The rest of the call arrives as ordinary events and ends the rebuilt leg.
    const end = t.handle({ event: 'Hangup', uniqueid: '1795289031.29', linkedid: '1795289031.28' });
    expect(steps(end)).toEqual([['ended', '201', 'completed']]);
  });

  it('ignores unknown events and events of channels it does not track', () => {
    const t = translator();
    expect(t.handle({ event: 'SomethingNew', channel: 'PJSIP/201-00000001' })).toEqual([]);
    expect(t.handle({ event: 'Hangup', uniqueid: 'nope' })).toEqual([]);
    expect(t.handle({ event: 'DialEnd', destuniqueid: 'nope', dialstatus: 'ANSWER' })).toEqual([]);
  });
});

/** Parses timed frames into messages, each with the wall-clock time it arrived. */
function timedMessages(
  capture: TimedCapture,
  frames = timedCallFrames(capture),
): { at: Date; message: AmiMessage }[] {
  const parser = new AmiParser((p) => {
    throw new Error(p.reason);
  });
  return frames.flatMap((frame) =>
    parser
      .push(withTimestamps([frame], capture.startedAt)[0] ?? '')
      .flatMap((p) =>
        p.kind === 'message' ? [{ at: timeOf(capture, frame), message: p.message }] : [],
      ),
  );
}

/** A translator whose clock is the capture's: `clock.now` is set as frames are handled. */
function clockedTranslator(): { t: AmiCallTranslator; clock: { now: Date } } {
  const clock = { now: new Date(0) };
  const t = new AmiCallTranslator({
    extensionPattern: /^[0-9]{2,6}$/,
    trunkContexts: ['from-trunk', 'from-pstn'],
    now: () => clock.now,
  });
  return { t, clock };
}

/** The CoreShowChannel items a capture received (its answer to CoreShowChannels). */
function coreShowChannels(capture: TimedCapture): AmiMessage[] {
  return timedMessages(capture)
    .map((m) => m.message)
    .filter((m) => m.event === 'CoreShowChannel');
}

/** Seconds after the capture's start: what the exchange file says, read by hand. */
function offset(capture: TimedCapture, seconds: number): number {
  return capture.startedAt.getTime() + seconds * 1000;
}

describe('AmiCallTranslator: the PBX’s own clock and the blind windows', () => {
  it('the exchange files hold exactly the bytes of the raw captures', () => {
    for (const [name] of CAPTURE_TIMELINES) {
      const timed = loadTimedCapture(name);
      const raw = loadCapture(name).raw.toString('utf8');
      const greeting = raw.slice(0, raw.indexOf('\r\n') + 2);
      expect(greeting + timed.frames.map((f) => f.text).join('')).toBe(raw);
    }
  });

  it('times events by their Timestamp header (timestampevents = yes)', () => {
    const capture = loadTimedCapture('sip-queue-second-cycle');
    // The bridge's clock is a minute late: the PBX's Timestamp is what counts.
    const { t, clock } = clockedTranslator();
    const events = timedMessages(capture).flatMap(({ at, message }) => {
      clock.now = new Date(at.getTime() + 60_000);
      return t.handle(message);
    });
    const times = events.map((e) => [e.type, e.extension, e.at.getTime()]);
    // From the exchange file: second-cycle DialBegin 201 at +17.350, DialEnd ANSWER at
    // +19.864, Hangup of 201's channel at +47.876.
    expect(times).toContainEqual(['answered', '201', offset(capture, 19.864)]);
    expect(times.at(-2)).toEqual(['ended', '201', offset(capture, 47.876)]);
    expect(times[4]).toEqual(['ringing', '201', offset(capture, 17.35)]);
    expect(events.every((e) => e.estimate === undefined)).toBe(true);
  });

  it('ignores a Timestamp far from the bridge’s clock and says so once', () => {
    const skews: number[] = [];
    const t = new AmiCallTranslator({
      extensionPattern: /^[0-9]{2,6}$/,
      trunkContexts: [],
      now: () => new Date('2026-01-05T10:00:00Z'),
      onClockSkew: (ms) => skews.push(ms),
    });
    const capture = loadTimedCapture('sip-inbound-answered');
    const events = timedMessages(capture).flatMap(({ message }) => t.handle(message));
    expect(events.map((e) => e.at.toISOString())).toEqual(
      events.map(() => '2026-01-05T10:00:00.000Z'),
    );
    expect(skews).toHaveLength(1);
  });

  it('AMI reconnect while ringing: the call answered in the gap is connected, its answer estimated', () => {
    // Session 1 sees 201 ring; the link drops 1.5 s later (Logoff at +1.969). 201 answers
    // while no client is connected. Session 2 lists both channels Up (CoreShowChannels at
    // +0.309) and then sees the caller hang up at +7.286.
    const s1 = loadTimedCapture('ami-reconnect-ringing.session1');
    const s2 = loadTimedCapture('ami-reconnect-ringing.session2');
    const { t, clock } = clockedTranslator();
    const first = timedMessages(s1).flatMap(({ at, message }) => {
      clock.now = at;
      return t.handle(message);
    });
    expect(steps(first)).toEqual([['ringing', '201', 'inbound:+15551234567']]);
    t.linkLost(new Date(offset(s1, 1.969)));

    const s2frames = timedCallFrames(s2);
    const listing = coreShowChannels(s2);
    expect(listing).toHaveLength(2);
    clock.now = new Date(offset(s2, 0.309));
    const recovered = t.recover(listing);
    expect(steps(recovered)).toEqual([['answered', '201']]);
    const lost = offset(s1, 1.969);
    const seen = offset(s2, 0.309);
    expect(recovered[0]?.estimate).toEqual({ from: new Date(lost), to: new Date(seen) });
    expect(recovered[0]?.at.getTime()).toBe(Math.round((lost + seen) / 2));

    const rest = timedMessages(
      s2,
      s2frames.filter((f) => !/^ActionID: csc-1/m.test(f.text)),
    ).flatMap(({ at, message }) => {
      clock.now = at;
      return t.handle(message);
    });
    expect(steps(rest)).toEqual([
      ['ended', '201', 'completed'],
      ['finished', undefined, '1796153599.34'],
    ]);
    expect(rest[0]?.at.getTime()).toBe(offset(s2, 7.286));
    expect(rest[0]?.estimate).toBeUndefined();
  });

  it('a call that ended during the gap ends in the middle of the gap, estimated', () => {
    const s1 = loadTimedCapture('ami-reconnect-ringing.session1');
    const { t, clock } = clockedTranslator();
    for (const { at, message } of timedMessages(s1)) {
      clock.now = at;
      t.handle(message);
    }
    t.linkLost(new Date(offset(s1, 1.969)));
    clock.now = new Date(offset(s1, 11.969));
    const events = t.recover([]);
    expect(steps(events)).toEqual([
      ['ended', '201', 'missed'],
      ['finished', undefined, '1796153599.34'],
    ]);
    expect(events[0]?.at.getTime()).toBe(offset(s1, 6.969));
    expect(events[0]?.estimate).toEqual({
      from: new Date(offset(s1, 1.969)),
      to: new Date(offset(s1, 11.969)),
    });
  });

  it('after a bridge restart: resumed legs are matched to the PBX’s channels by call and extension', () => {
    const s2 = loadTimedCapture('ami-reconnect-ringing.session2');
    const listing = coreShowChannels(s2);
    const { t, clock } = clockedTranslator();
    const stoppedAt = new Date(offset(s2, -9));
    t.resume({
      legs: [
        { pbxCallId: '1796153599.34', extension: '201', direction: 'inbound', answered: false },
        { pbxCallId: '1700000000.1', extension: '202', direction: 'inbound', answered: true },
      ],
      openCalls: ['1796153599.34', '1700000000.1', '1700000000.9'],
      lastSeenAt: stoppedAt,
    });
    clock.now = new Date(offset(s2, 0.309));
    const events = t.recover(listing);
    expect(steps(events)).toEqual([
      ['answered', '201'],
      ['ended', '202', 'completed'],
      ['finished', undefined, '1700000000.1'],
      ['finished', undefined, '1700000000.9'],
    ]);
    for (const e of events) expect(e.estimate).toEqual({ from: stoppedAt, to: clock.now });
    // The resumed leg now follows its channel: its Hangup ends it.
    const end = t.handle({ event: 'Hangup', uniqueid: '1796153599.35', linkedid: '1796153599.34' });
    expect(steps(end)).toEqual([['ended', '201', 'completed']]);
  });

  it('a call first seen in CoreShowChannels started when the PBX says (Duration)', () => {
    const s2 = loadTimedCapture('ami-reconnect-ringing.session2');
    const listing = coreShowChannels(s2);
    const { t, clock } = clockedTranslator();
    clock.now = new Date(offset(s2, 0.309));
    const events = t.recover(listing);
    expect(steps(events)).toEqual([
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
    ]);
    // Duration: 00:00:11 for the rep's channel.
    const started = offset(s2, 0.309) - 11_000;
    expect(events[0]?.at.getTime()).toBe(started);
    expect(events[1]?.estimate).toEqual({ from: new Date(started), to: clock.now });
  });

  it('says why a click-to-dial failed at the rep’s own phone', () => {
    const t = translator();
    t.expectDial({ requestId: 'busy-1', extension: '201', number: '+15551234567' });
    replay('sip-originate-own-busy', t);
    expect(t.ownPhoneOutcome('busy-1')).toBe('busy');
    const u = translator();
    u.expectDial({ requestId: 'na-1', extension: '201', number: '+15551234567' });
    replay('sip-originate-own-noanswer', u);
    expect(u.ownPhoneOutcome('na-1')).toBe('no-answer');
    expect(u.ownPhoneOutcome('unknown')).toBeUndefined();
  });
});
