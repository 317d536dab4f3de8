// The call timeline each real Asterisk capture must produce, written down by reading the
// capture (bridge/test/fixtures/asterisk, described in docs/asterisk.md): per event, the
// type, the rep's extension and direction:number (ringing), reason (ended) or target.
import type { CallEvent } from '../../../src/calls/call';

export type Step = [type: CallEvent['type'], extension: string | undefined, detail?: string];

export const CAPTURE_TIMELINES: [capture: string, linkedid: string, timeline: Step[]][] = [
  [
    'sip-inbound-answered',
    '1795289031.28',
    [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
    ],
  ],
  [
    'sip-inbound-answered.ctiro',
    '1795289136.45',
    [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
    ],
  ],
  [
    // Hold/Unhold on the rep's channel: the call stays connected until the caller hangs up.
    'sip-inbound-hold',
    '1795289068.36',
    [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
    ],
  ],
  [
    'sip-internal-201-to-202',
    '1795289085.38',
    [
      ['ringing', '201', 'outbound:202'],
      ['ringing', '202', 'inbound:201'],
      ['answered', '202'],
      ['answered', '201'],
      ['ended', '202', 'completed'],
      ['ended', '201', 'completed'],
    ],
  ],
  [
    // Originated by someone else (no pending dial): the number is the CallerID it set.
    'sip-originate-click2dial',
    '1795289120.43',
    [
      ['ringing', '201', 'outbound:15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
    ],
  ],
  [
    'local-inbound-answered',
    '1795288953.0',
    [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
    ],
  ],
  [
    'local-inbound-noanswer',
    '1795288966.4',
    [
      ['ringing', '201', 'inbound:+15557654321'],
      ['ended', '201', 'no-answer'],
    ],
  ],
  [
    // The caller hung up while 201 rang: DialEnd CANCEL.
    'local-inbound-abandoned',
    '1795288978.8',
    [
      ['ringing', '201', 'inbound:+15550001111'],
      ['ended', '201', 'missed'],
    ],
  ],
  [
    'local-inbound-busy',
    '1795288986.12',
    [
      ['ringing', '202', 'inbound:+15550002222'],
      ['ended', '202', 'busy'],
    ],
  ],
  [
    // Queue ringall: both reps get the pop; 202 is busy, 201 answers and hangs up.
    'local-queue-answered',
    '1795289012.22',
    [
      ['ringing', '201', 'inbound:+15550003333'],
      ['ringing', '202', 'inbound:+15550003333'],
      ['ended', '202', 'busy'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
    ],
  ],
  [
    'local-originate-click2dial',
    '1795288989.16',
    [
      ['ringing', '201', 'outbound:15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
    ],
  ],
  [
    'local-originate-busy',
    '1795289008.20',
    [
      ['ringing', '202', 'outbound:15551234567'],
      ['ended', '202', 'busy'],
    ],
  ],
];

/** ringing → direction:number, ended → reason, transferred → toExtension. */
export function steps(events: readonly CallEvent[]): Step[] {
  return events.map((e): Step => {
    switch (e.type) {
      case 'ringing':
        return [e.type, e.extension, `${e.direction}:${e.number}`];
      case 'ended':
        return [e.type, e.extension, e.reason];
      case 'transferred':
        return [e.type, e.extension, e.toExtension];
      case 'answered':
        return [e.type, e.extension];
    }
  });
}
