// The translator against real Asterisk 22 captures: each one's exact CallEvent timeline,
// written down from reading the capture (see bridge/test/fixtures/asterisk).
import type { CallEvent } from '../../../src/calls/call';
import { AmiCallTranslator } from '../../../src/pbx/asterisk/ami-call-translator';
import { AmiParser, type AmiMessage } from '../../../src/pbx/asterisk/ami-parser';
import { loadCapture } from './ami-capture';
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
  it.each(CAPTURE_TIMELINES)('%s yields its timeline', (name, linkedid, expected) => {
    const t = translator();
    const events = replay(name, t);
    expect(steps(events)).toEqual(expected);
    expect(new Set(events.map((e) => e.pbxCallId))).toEqual(new Set([linkedid]));
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

describe('AmiCallTranslator: blind transfer (from the documented BlindTransfer event)', () => {
  // No capture exists: built from sip-inbound-answered's channels plus the BlindTransfer
  // fields documented for Asterisk 20/22 (Transferer*/Transferee* blocks, Extension, Context,
  // Result). Asterisk keeps the Linkedid across the transfer.
  const call = '1795289031.28';
  const trunk = { channel: 'PJSIP/trunk-00000000', uniqueid: '1795289031.28', linkedid: call };
  const rep201 = { channel: 'PJSIP/201-00000001', uniqueid: '1795289031.29', linkedid: call };
  const rep202 = { channel: 'PJSIP/202-00000002', uniqueid: '1795289031.30', linkedid: call };
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

  it('ends nothing for the transferer and rings the new extension', () => {
    const t = translator();
    const stream: AmiMessage[] = [
      dial('DialBegin', rep201),
      dial('DialEnd', rep201, 'ANSWER'),
      {
        event: 'BlindTransfer',
        result: 'Success',
        transfererchannel: rep201.channel,
        transfereruniqueid: rep201.uniqueid,
        transfererlinkedid: call,
        transfereechannel: trunk.channel,
        transfereeuniqueid: trunk.uniqueid,
        transfereelinkedid: call,
        isexternal: 'No',
        context: 'from-internal',
        extension: '202',
      },
      { event: 'Hangup', channel: rep201.channel, uniqueid: rep201.uniqueid, linkedid: call },
      dial('DialBegin', rep202),
      dial('DialEnd', rep202, 'ANSWER'),
      { event: 'Hangup', channel: rep202.channel, uniqueid: rep202.uniqueid, linkedid: call },
      { event: 'Hangup', channel: trunk.channel, uniqueid: trunk.uniqueid, linkedid: call },
    ];
    expect(steps(stream.flatMap((m) => t.handle(m)))).toEqual([
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['transferred', '201', '202'],
      ['ringing', '202', 'inbound:+15551234567'],
      ['answered', '202'],
      ['ended', '202', 'completed'],
    ]);
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
    ]);
    expect(events[1]?.pbxCallId).toBe('1795289031.28');
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
