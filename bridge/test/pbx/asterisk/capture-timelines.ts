// The call timeline each real Asterisk capture must produce, written down by reading the
// capture (bridge/test/fixtures/asterisk and its README): per event, the type, the rep's
// extension and direction:number (ringing), reason (ended; "not-dialed" when a click-to-dial
// never got past the rep's own phone), target (transferred) or the PBX call id (finished: the
// last channel of the call hung up). Never generated from the code's output.
import type { CallEvent } from '../../../src/calls/call';
import type { PresenceReport } from '../../../src/presence/presence';

export type Step = [type: string, extension: string | undefined, detail?: string];

export interface CaptureTimeline {
  capture: string;
  /** Every PBX call id (Linkedid) the events carry, in the order they first appear. */
  callIds: string[];
  steps: Step[];
}

const timelines: CaptureTimeline[] = [
  {
    capture: 'sip-inbound-answered',
    callIds: ['1795289031.28'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795289031.28'],
    ],
  },
  {
    capture: 'sip-inbound-answered.ctiro',
    callIds: ['1795289136.45'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795289136.45'],
    ],
  },
  {
    // Hold/Unhold on the rep's channel: the call stays connected until the caller hangs up.
    capture: 'sip-inbound-hold',
    callIds: ['1795289068.36'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795289068.36'],
    ],
  },
  {
    capture: 'sip-internal-201-to-202',
    callIds: ['1795289085.38'],
    steps: [
      ['ringing', '201', 'outbound:202'],
      ['ringing', '202', 'inbound:201'],
      ['answered', '202'],
      ['answered', '201'],
      ['ended', '202', 'completed'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795289085.38'],
    ],
  },
  {
    // Originated by someone else (no pending dial): the number is the CallerID it set.
    capture: 'sip-originate-click2dial',
    callIds: ['1795289120.43'],
    steps: [
      ['ringing', '201', 'outbound:15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795289120.43'],
    ],
  },
  {
    capture: 'local-inbound-answered',
    callIds: ['1795288953.0'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795288953.0'],
    ],
  },
  {
    capture: 'local-inbound-noanswer',
    callIds: ['1795288966.4'],
    steps: [
      ['ringing', '201', 'inbound:+15557654321'],
      ['ended', '201', 'no-answer'],
      ['finished', undefined, '1795288966.4'],
    ],
  },
  {
    // The caller hung up while 201 rang: DialEnd CANCEL.
    capture: 'local-inbound-abandoned',
    callIds: ['1795288978.8'],
    steps: [
      ['ringing', '201', 'inbound:+15550001111'],
      ['ended', '201', 'missed'],
      ['finished', undefined, '1795288978.8'],
    ],
  },
  {
    capture: 'local-inbound-busy',
    callIds: ['1795288986.12'],
    steps: [
      ['ringing', '202', 'inbound:+15550002222'],
      ['ended', '202', 'busy'],
      ['finished', undefined, '1795288986.12'],
    ],
  },
  {
    // Queue ringall: both reps get the pop; 202 is busy, 201 answers and hangs up.
    capture: 'local-queue-answered',
    callIds: ['1795289012.22'],
    steps: [
      ['ringing', '201', 'inbound:+15550003333'],
      ['ringing', '202', 'inbound:+15550003333'],
      ['ended', '202', 'busy'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795289012.22'],
    ],
  },
  {
    capture: 'local-originate-click2dial',
    callIds: ['1795288989.16'],
    steps: [
      ['ringing', '201', 'outbound:15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1795288989.16'],
    ],
  },
  {
    // 202's own phone is busy: the number is never dialed.
    capture: 'local-originate-busy',
    callIds: ['1795289008.20'],
    steps: [
      ['ringing', '202', 'outbound:15551234567'],
      ['ended', '202', 'busy not-dialed'],
      ['finished', undefined, '1795289008.20'],
    ],
  },
  {
    // Two ring cycles of one queue call (same Linkedid, new channels each cycle). Cycle 1:
    // nobody answers within 15 s (DialEnd NOANSWER, then a duplicate CANCEL per member).
    // Cycle 2, 1 s later: 201 answers, 202 is cancelled; the caller hangs up 28 s later.
    capture: 'sip-queue-second-cycle',
    callIds: ['1796153267.3'],
    steps: [
      ['ringing', '201', 'inbound:+15550003333'],
      ['ringing', '202', 'inbound:+15550003333'],
      ['ended', '201', 'no-answer'],
      ['ended', '202', 'no-answer'],
      ['ringing', '201', 'inbound:+15550003333'],
      ['ringing', '202', 'inbound:+15550003333'],
      ['answered', '201'],
      ['ended', '202', 'answered-elsewhere'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1796153267.3'],
    ],
  },
  {
    // 202's phone answers 486 Busy Here at once: HangupRequest Cause 17, then DialEnd says
    // NOANSWER. 201 answers after 3 s; the caller hangs up 10 s later.
    capture: 'sip-queue-member-busy',
    callIds: ['1796153244.0'],
    steps: [
      ['ringing', '201', 'inbound:+15550003333'],
      ['ringing', '202', 'inbound:+15550003333'],
      ['ended', '202', 'busy'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1796153244.0'],
    ],
  },
  {
    // The caller gives up after 4.5 s in the queue while 201 and 202 ring (DialEnd CANCEL).
    capture: 'sip-queue-abandoned',
    callIds: ['1796153318.8'],
    steps: [
      ['ringing', '201', 'inbound:+15550003333'],
      ['ringing', '202', 'inbound:+15550003333'],
      ['ended', '201', 'missed'],
      ['ended', '202', 'missed'],
      ['finished', undefined, '1796153318.8'],
    ],
  },
  {
    // Originate to 201 while its phone answers 486: DialEnd BUSY, OriginateResponse Reason 0.
    capture: 'sip-originate-own-busy',
    callIds: ['1796153328.11'],
    steps: [
      ['ringing', '201', 'outbound:15551234567'],
      ['ended', '201', 'busy not-dialed'],
      ['finished', undefined, '1796153328.11'],
    ],
  },
  {
    // Originate to 201 while its phone rings out: OriginateResponse Reason 3, Hangup Cause 19.
    capture: 'sip-originate-own-noanswer',
    callIds: ['1796153333.12'],
    steps: [
      ['ringing', '201', 'outbound:15551234567'],
      ['ended', '201', 'no-answer not-dialed'],
      ['finished', undefined, '1796153333.12'],
    ],
  },
  {
    // 201 answers; 3 s later AMI BlindTransfer to 202, who answers 2 s after; caller hangs up.
    capture: 'sip-ami-blindtransfer',
    callIds: ['1796153452.23'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['transferred', '201', '202'],
      ['ringing', '202', 'inbound:+15551234567'],
      ['answered', '202'],
      ['ended', '202', 'completed'],
      ['finished', undefined, '1796153452.23'],
    ],
  },
  {
    // AMI Hangup of the rep's channel 3 s after the answer.
    capture: 'sip-ami-hangup',
    callIds: ['1796153476.26'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1796153476.26'],
    ],
  },
  {
    // AMI Redirect of the caller to 202: no transfer event; 201 is hung up, 202 is dialed.
    capture: 'sip-ami-redirect',
    callIds: ['1796153538.28'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['ringing', '202', 'inbound:+15551234567'],
      ['answered', '202'],
      ['ended', '202', 'completed'],
      ['finished', undefined, '1796153538.28'],
    ],
  },
  {
    // 201 answers, consults 202 (Atxfer: a Local pair dials 202, whose screen shows 201),
    // then hangs up to complete the transfer: 202 now talks to the caller until the end.
    capture: 'sip-attended-transfer',
    callIds: ['1796153348.13'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ringing', '202', 'inbound:201'],
      ['answered', '202'],
      ['transferred', '201', '202'],
      ['ended', '202', 'completed'],
      ['finished', undefined, '1796153348.13'],
    ],
  },
  {
    // The same consultation, cancelled: 202 hangs up, 201 goes on with the caller.
    capture: 'sip-attended-transfer-cancel',
    callIds: ['1796153394.18'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ringing', '202', 'inbound:201'],
      ['answered', '202'],
      ['ended', '202', 'completed'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1796153394.18'],
    ],
  },
  {
    // 201 answers; the caller is parked (201's channel hangs up); 5 s later phone 201 dials
    // the parking space 701 on a new channel with its own Linkedid and takes the caller back.
    capture: 'sip-park-retrieve',
    callIds: ['1796153562.31', '1796153572.33'],
    steps: [
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['ringing', '201', 'inbound:+15551234567'],
      ['answered', '201'],
      ['ended', '201', 'completed'],
      ['finished', undefined, '1796153572.33'],
      ['finished', undefined, '1796153562.31'],
    ],
  },
  // No call at all: registrations, queue pause, device and presence state.
  { capture: 'sip-register', callIds: [], steps: [] },
  { capture: 'ami-queuepause', callIds: [], steps: [] },
  { capture: 'ami-devicestate', callIds: [], steps: [] },
];

export const CAPTURE_TIMELINES: [capture: string, timeline: CaptureTimeline][] = timelines.map(
  (t) => [t.capture, t],
);

/** ringing → direction:number, ended → reason, transferred → toExtension, finished → call id. */
export function steps(events: readonly CallEvent[]): Step[] {
  return events.map((e): Step => {
    switch (e.type) {
      case 'ringing':
        return [e.type, e.extension, `${e.direction}:${e.number}`];
      case 'ended':
        return [
          e.type,
          e.extension,
          `${e.reason ?? ''}${e.notDialed === true ? ' not-dialed' : ''}`,
        ];
      case 'transferred':
        return [e.type, e.extension, e.toExtension];
      case 'answered':
      case 'held':
      case 'resumed':
        return [e.type, e.extension];
      case 'finished':
        return [e.type, undefined, e.pbxCallId];
    }
  });
}

/** One presence report: the extension and what it said (states a|b, paused:<reason>, resumed). */
export type PresenceStep = [extension: string, what: string];

/**
 * The presence reports of the no-call captures (ami-presence.ts), written by reading them; every
 * other capture must report none (its DeviceStateChange and QueueMemberStatus are calls').
 */
export const PRESENCE_TIMELINES: [capture: string, steps: PresenceStep[]][] = [
  [
    // QueuePause PJSIP/201 in sales-sip with reason Lunch, 2 s later unpaused: QueueMemberPause
    // Paused 1 / PausedReason Lunch, then Paused 0 with an empty reason.
    'ami-queuepause',
    [
      ['201', 'paused:Lunch'],
      ['201', 'resumed'],
    ],
  ],
  [
    // DEVICE_STATE(Custom:DND201)=BUSY, PRESENCE_STATE(CustomPresence:201)=dnd,,Lunch, then
    // NOT_INUSE (Available or Away: the device state alone cannot tell) and available.
    'ami-devicestate',
    [
      ['201', 'dnd'],
      ['201', 'dnd'],
      ['201', 'available|away'],
      ['201', 'available'],
    ],
  ],
];

/** states → a|b, queuePaused → paused:<reason> / resumed. */
export function presenceSteps(reports: readonly PresenceReport[]): PresenceStep[] {
  return reports.map((r): PresenceStep => {
    if (r.states !== undefined) return [r.extension, r.states.join('|')];
    return [r.extension, r.queuePaused === true ? `paused:${r.pauseReason ?? ''}` : 'resumed'];
  });
}
