// Presence over AMI against the real Asterisk 22 captures ami-queuepause and ami-devicestate:
// the reports each yields (capture-timelines.ts, written by hand), the actions sent to set a
// state or a queue pause (the same the captures' recorder sent), what can be offered with which
// means configured, and that no call capture's events read as presence.
import { parseConfig } from '../../../src/config/load';
import { AmiParser, type AmiMessage } from '../../../src/pbx/asterisk/ami-parser';
import { AmiPresence, type AsteriskPresenceConfig } from '../../../src/pbx/asterisk/ami-presence';
import { headersOf, loadCapture, loadTimedCapture } from './ami-capture';
import { CAPTURE_TIMELINES, PRESENCE_TIMELINES, presenceSteps } from './capture-timelines';

const AT = new Date('2026-12-01T19:33:08Z');

function presenceConfig(presence: Record<string, unknown> = {}): AsteriskPresenceConfig {
  const config = parseConfig({
    salesforce: { emulate: 'demo' },
    pbx: {
      adapter: 'asterisk',
      asterisk: { host: 'pbx', username: 'bridge', secret: 'bridgepass', presence },
    },
  });
  return config.pbx.asterisk!.presence;
}

function amiPresence(presence: Record<string, unknown> = {}): AmiPresence {
  return new AmiPresence(presenceConfig(presence), 'PJSIP', (name) => /^[0-9]{2,6}$/.test(name));
}

function messages(name: string): AmiMessage[] {
  const parser = new AmiParser(() => undefined);
  return parser
    .push(loadCapture(name).raw)
    .flatMap((p) => (p.kind === 'message' ? [p.message] : []));
}

/** The actions a capture's recorder sent (not Login / Logoff, not the DBGet read-back). */
function sentActions(name: string): Record<string, string>[] {
  return loadTimedCapture(name)
    .sent.map((f) => headersOf(f.text))
    .filter((a) => !['Login', 'Logoff', 'DBGet'].includes(a.Action ?? ''));
}

describe('presence over AMI, on real captures', () => {
  it.each(PRESENCE_TIMELINES)('%s yields its reports', (name, expected) => {
    const presence = amiPresence({ queues: ['sales-sip'] });
    const reports = messages(name).flatMap((m) => presence.reportOf(m, AT) ?? []);
    expect(presenceSteps(reports)).toEqual(expected);
  });

  it('reads no presence out of any call capture', () => {
    const presence = amiPresence();
    const withPresence = new Set(PRESENCE_TIMELINES.map(([name]) => name));
    for (const [name] of CAPTURE_TIMELINES.filter(([n]) => !withPresence.has(n)))
      expect([name, messages(name).flatMap((m) => presence.reportOf(m, AT) ?? [])]).toEqual([
        name,
        [],
      ]);
  });

  it('pauses and resumes the queue as the ami-queuepause recorder did', () => {
    const presence = amiPresence({ queues: ['sales-sip'] });
    const sent = [
      ...presence.actionsFor('201', { queuePaused: true, pauseReason: 'Lunch' }),
      ...presence.actionsFor('201', { queuePaused: false }),
    ].map((a) => a.fields);
    expect(sent).toEqual(sentActions('ami-queuepause'));
  });

  it('sets DND and back as the ami-devicestate recorder did (presence first, no message)', () => {
    const presence = amiPresence({ astdbFamily: 'DND' });
    const recorded = sentActions('ami-devicestate').map((a) =>
      // The recorder wrote a message ("dnd,,Lunch"); the bridge writes the state alone.
      a.Variable?.startsWith('PRESENCE_STATE(') === true
        ? { ...a, Value: a.Value!.replace(/,,.*$/, ',,') }
        : a,
    );
    const byOrder = (list: Record<string, string>[]) =>
      [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const sent = [
      ...presence.actionsFor('201', { state: 'dnd' }),
      ...presence.actionsFor('201', { state: 'available' }),
    ].map((a) => a.fields);
    expect(byOrder(sent)).toEqual(byOrder(recorded));
    // Presence state before device state: a shared NOT_INUSE then keeps Away (see support()).
    expect(sent.slice(0, 2).map((a) => a.Variable)).toEqual([
      'PRESENCE_STATE(CustomPresence:201)',
      'DEVICE_STATE(Custom:DND201)',
    ]);
  });

  it('pauses in every queue the member is in when no queue is named', () => {
    const [action] = amiPresence().actionsFor('201', { queuePaused: true, pauseReason: 'Lunch' });
    expect(action?.fields).toEqual({
      Action: 'QueuePause',
      Interface: 'PJSIP/201',
      Paused: 'true',
      Reason: 'Lunch',
    });
  });

  it.each([
    ['the defaults', {}, ['available', 'dnd', 'away']],
    ['only the device state (Away looks like Available)', { presentity: '' }, ['available', 'dnd']],
    ['only AstDB', { presentity: '', dndDevice: '', astdbFamily: 'DND' }, ['available', 'dnd']],
    ['nothing', { presentity: '', dndDevice: '' }, []],
  ])('offers with %s: %j', (_what, presence, states) => {
    expect(amiPresence(presence).support()).toEqual({ states, queuePause: true });
  });

  it('ignores state events of other devices, presentities and non-rep names', () => {
    const presence = amiPresence();
    const events: AmiMessage[] = [
      { event: 'DeviceStateChange', device: 'PJSIP/201', state: 'BUSY' },
      { event: 'DeviceStateChange', device: 'Queue:sales-sip_pause_PJSIP/201', state: 'INUSE' },
      { event: 'DeviceStateChange', device: 'Custom:DNDtrunk', state: 'BUSY' },
      { event: 'PresenceStateChange', presentity: 'CustomPresence:trunk', status: 'dnd' },
      { event: 'QueueMemberPause', interface: 'Local/201@from-queue', paused: '1' },
      { event: 'DeviceStateChange', device: 'Custom:DND201', state: 'RINGING' },
    ];
    expect(events.flatMap((e) => presence.reportOf(e, AT) ?? [])).toEqual([]);
  });

  it('reads Asterisk’s other presence values as the nearest state', () => {
    const presence = amiPresence();
    const report = (status: string) =>
      presence.reportOf(
        { event: 'PresenceStateChange', presentity: 'CustomPresence:201', status },
        AT,
      )?.states;
    expect(['xa', 'unavailable', 'chat', 'not_set'].map(report)).toEqual([
      ['away'],
      ['away'],
      ['available'],
      ['available'],
    ]);
  });
});
