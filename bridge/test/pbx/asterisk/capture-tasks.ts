// What each real Asterisk capture must give a sales team, written down by hand from reading the
// capture (bridge/test/fixtures/asterisk/*.exchange.txt: the offsets of DialEnd ANSWER and of
// the Hangup of the rep's channel) and from the rules in docs/call-logging.md: the `call`
// frames each rep's utility receives, and the Tasks in Salesforce. Durations are rounded
// seconds between the answer and the end, as the capture's offsets give them.
//
// The org (capture-replay.test.ts seeds it): Alice External (+1 555 123 4567) is Ana's Contact
// at Acme Ltd; Quinn Queue (+1 555 000 3333) is Chloe's Contact; other numbers are unknown.
// Ana is extension 201, Ben 202.
import type { Call } from '../../../src/calls/call';

export const ORG = {
  ana: '005000000000001AAA',
  ben: '005000000000002AAA',
  chloe: '005000000000003AAA',
  alice: '003000000000011AAA',
  acme: '001000000000011AAA',
  quinn: '003000000000012AAA',
} as const;

/** The org the captures are replayed against (Users come from the test bridge). */
export const CAPTURE_ORG_SEED = {
  Account: [{ Id: ORG.acme, Name: 'Acme Ltd', OwnerId: ORG.ana }],
  Contact: [
    {
      Id: ORG.alice,
      FirstName: 'Alice',
      LastName: 'External',
      Phone: '+1 555 123 4567',
      AccountId: ORG.acme,
      OwnerId: ORG.ana,
    },
    {
      Id: ORG.quinn,
      FirstName: 'Quinn',
      LastName: 'Queue',
      Phone: '+1 555 000 3333',
      OwnerId: ORG.chloe,
    },
  ],
};

/** A leg's `call` frames as its rep saw them, repeats (lookup, log status) collapsed. */
export function screen(calls: readonly Call[]): string[] {
  const out: string[] = [];
  for (const c of calls) {
    const step = [c.state, c.direction, c.number, c.endReason ?? ''].join(' ').trim();
    if (out.at(-1) !== step) out.push(step);
  }
  return out;
}

export interface ExpectedTask {
  CallObject: string;
  CallType: 'Inbound' | 'Outbound';
  CallDurationInSeconds: number;
  Status: 'Completed' | 'Not Started';
  OwnerId: string;
  CallDisposition?: string;
  WhoId?: string;
  WhatId?: string;
  Subject?: string;
}

export interface CaptureOutcome {
  capture: string;
  /**
   * Each leg (Call id) as its rep's utility shows it: "state direction number [endReason]"
   * per `call` frame, repeats (lookup, log status) collapsed.
   */
  screens: Record<string, string[]>;
  /** Every Task the call leaves in Salesforce, by CallObject. */
  tasks: ExpectedTask[];
}

const ALICE = '+15551234567';
const QUINN = '+15550003333';

/** An answered inbound call to one rep: ringing, connected, ended. */
function talked(number: string): string[] {
  return [
    `ringing inbound ${number}`,
    `connected inbound ${number}`,
    `ended inbound ${number} completed`,
  ];
}

/** An inbound call that rang one rep and ended unanswered. */
function rang(number: string, reason: string): string[] {
  return [`ringing inbound ${number}`, `ended inbound ${number} ${reason}`];
}

/** A conversation of a rep with Quinn, Chloe's Contact without an Account. */
function quinnTask(callId: string, seconds: number): ExpectedTask {
  return {
    CallObject: callId,
    CallType: 'Inbound',
    CallDurationInSeconds: seconds,
    Status: 'Completed',
    OwnerId: ORG.ana,
    WhoId: ORG.quinn,
  };
}

function aliceTask(callId: string, seconds: number, owner: string = ORG.ana): ExpectedTask {
  return {
    CallObject: callId,
    CallType: 'Inbound',
    CallDurationInSeconds: seconds,
    Status: 'Completed',
    OwnerId: owner,
    WhoId: ORG.alice,
    WhatId: ORG.acme,
  };
}

/** local-inbound-busy: 202's phone is busy. */
const INBOUND_BUSY = { '1795288986.12:202': rang('+15550002222', 'busy') };

/** sip-queue-abandoned: the caller gives up while both reps' phones ring (DialEnd CANCEL). */
const ABANDONED_QUEUE = {
  '1796153318.8:201': rang(QUINN, 'missed'),
  '1796153318.8:202': rang(QUINN, 'missed'),
};

/** With `callLog.missedCalls: callback-task` (the configuration issue 11 reports on). */
export const CALLBACK_TASK_OUTCOMES: CaptureOutcome[] = [
  {
    // DialEnd ANSWER +3.646, Hangup of 201's channel +8.653: 5.0 s.
    capture: 'sip-inbound-answered',
    screens: { '1795289031.28:201': talked(ALICE) },
    tasks: [aliceTask('1795289031.28:201', 5)],
  },
  {
    // +3.656 → +8.662: 5.0 s.
    capture: 'sip-inbound-answered.ctiro',
    screens: { '1795289136.45:201': talked(ALICE) },
    tasks: [aliceTask('1795289136.45:201', 5)],
  },
  {
    // +2.655 → +12.664, held in between: 10.0 s.
    capture: 'sip-inbound-hold',
    screens: { '1795289068.36:201': talked(ALICE) },
    tasks: [aliceTask('1795289068.36:201', 10)],
  },
  {
    // 201 calls 202: internal calls are not logged (callLog.callTypes: inbound, outbound).
    capture: 'sip-internal-201-to-202',
    screens: {
      '1795289085.38:201': [
        'dialing outbound 202',
        'connected outbound 202',
        'ended outbound 202 completed',
      ],
      '1795289085.38:202': [
        'ringing inbound 201',
        'connected inbound 201',
        'ended inbound 201 completed',
      ],
    },
    tasks: [],
  },
  {
    // Someone else's Originate (CallerID 15551234567): the far end answers at +5.825,
    // 201's channel hangs up at +11.833: 6.0 s.
    capture: 'sip-originate-click2dial',
    screens: {
      '1795289120.43:201': [
        'dialing outbound 15551234567',
        'connected outbound 15551234567',
        'ended outbound 15551234567 completed',
      ],
    },
    tasks: [
      {
        CallObject: '1795289120.43:201',
        CallType: 'Outbound',
        CallDurationInSeconds: 6,
        Status: 'Completed',
        OwnerId: ORG.ana,
        WhoId: ORG.alice,
        WhatId: ORG.acme,
      },
    ],
  },
  {
    // +3.797 → +10.307 (the rep's Local;1 half): 6.51 s, rounded to 7.
    capture: 'local-inbound-answered',
    screens: { '1795288953.0:201': talked(ALICE) },
    tasks: [aliceTask('1795288953.0:201', 7)],
  },
  {
    // Rings out (DialEnd NOANSWER): a call-back Task for the rep; nobody owns the number.
    capture: 'local-inbound-noanswer',
    screens: {
      '1795288966.4:201': rang('+15557654321', 'no-answer'),
    },
    tasks: [
      {
        CallObject: '1795288966.4:201',
        CallType: 'Inbound',
        CallDurationInSeconds: 0,
        Status: 'Not Started',
        OwnerId: ORG.ana,
        CallDisposition: 'Missed',
        Subject: 'Call back +15557654321',
      },
    ],
  },
  {
    capture: 'local-inbound-abandoned',
    screens: {
      '1795288978.8:201': rang('+15550001111', 'missed'),
    },
    tasks: [
      {
        CallObject: '1795288978.8:201',
        CallType: 'Inbound',
        CallDurationInSeconds: 0,
        Status: 'Not Started',
        OwnerId: ORG.ana,
        CallDisposition: 'Missed',
        Subject: 'Call back +15550001111',
      },
    ],
  },
  {
    // 202 is busy: the caller was missed, a call-back for Ben.
    capture: 'local-inbound-busy',
    screens: INBOUND_BUSY,
    tasks: [
      {
        CallObject: '1795288986.12:202',
        CallType: 'Inbound',
        CallDurationInSeconds: 0,
        Status: 'Not Started',
        OwnerId: ORG.ben,
        CallDisposition: 'Missed',
        Subject: 'Call back +15550002222',
      },
    ],
  },
  {
    // Queue: 202 busy, 201 answers at +3.593 and hangs up at +10.101 (6.51 s → 7). Only the
    // answered leg is a Task.
    capture: 'local-queue-answered',
    screens: {
      '1795289012.22:201': talked(QUINN),
      '1795289012.22:202': rang(QUINN, 'busy'),
    },
    tasks: [quinnTask('1795289012.22:201', 7)],
  },
  {
    // The far end answers at +6.013; 201's Local;1 hangs up at +15.036: 9.0 s.
    capture: 'local-originate-click2dial',
    screens: {
      '1795288989.16:201': [
        'dialing outbound 15551234567',
        'connected outbound 15551234567',
        'ended outbound 15551234567 completed',
      ],
    },
    tasks: [
      {
        CallObject: '1795288989.16:201',
        CallType: 'Outbound',
        CallDurationInSeconds: 9,
        Status: 'Completed',
        OwnerId: ORG.ana,
        WhoId: ORG.alice,
        WhatId: ORG.acme,
      },
    ],
  },
  {
    // The same click-to-dial seen by the narrower AMI user ctiro (no VarSet/Newexten): the far
    // end answers at +6.017, 201's Local;1 hangs up at +15.044: 9.0 s.
    capture: 'local-originate-click2dial.ctiro',
    screens: {
      '1795289146.47:201': [
        'dialing outbound 15551234567',
        'connected outbound 15551234567',
        'ended outbound 15551234567 completed',
      ],
    },
    tasks: [
      {
        CallObject: '1795289146.47:201',
        CallType: 'Outbound',
        CallDurationInSeconds: 9,
        Status: 'Completed',
        OwnerId: ORG.ana,
        WhoId: ORG.alice,
        WhatId: ORG.acme,
      },
    ],
  },
  {
    // 202's own phone is busy: nothing was dialed, nothing is logged.
    capture: 'local-originate-busy',
    screens: {
      '1795289008.20:202': ['dialing outbound 15551234567', 'ended outbound 15551234567 busy'],
    },
    tasks: [],
  },
  {
    // Issue 11 item 1: cycle 1 rings out for both; cycle 2 (same call id) 201 answers at
    // +19.864; the caller hangs up at +47.876: one Task, 28 s. No Task for 202 (busy or
    // unanswered members of a queue call that someone answered) and none for cycle 1.
    capture: 'sip-queue-second-cycle',
    screens: {
      '1796153267.3:201': [
        `ringing inbound ${QUINN}`,
        `ended inbound ${QUINN} no-answer`,
        `ringing inbound ${QUINN}`,
        `connected inbound ${QUINN}`,
        `ended inbound ${QUINN} completed`,
      ],
      '1796153267.3:202': [
        `ringing inbound ${QUINN}`,
        `ended inbound ${QUINN} no-answer`,
        `ringing inbound ${QUINN}`,
        `ended inbound ${QUINN} answered-elsewhere`,
      ],
    },
    tasks: [quinnTask('1796153267.3:201', 28)],
  },
  {
    // Issue 11 item 2: 202 answers 486 at once (busy); 201 answers at +4.369, the caller
    // hangs up at +14.394: 10 s. No "Missed" Task for 202.
    capture: 'sip-queue-member-busy',
    screens: {
      '1796153244.0:201': talked(QUINN),
      '1796153244.0:202': rang(QUINN, 'busy'),
    },
    tasks: [quinnTask('1796153244.0:201', 10)],
  },
  {
    // Issue 11 item 2: the caller abandons the queue while both ring: ONE call-back Task for
    // the call, owned by the owner of the caller's record (Chloe), under the first leg rung.
    capture: 'sip-queue-abandoned',
    screens: ABANDONED_QUEUE,
    tasks: [
      {
        CallObject: '1796153318.8:201',
        CallType: 'Inbound',
        CallDurationInSeconds: 0,
        Status: 'Not Started',
        OwnerId: ORG.chloe,
        CallDisposition: 'Missed',
        WhoId: ORG.quinn,
        Subject: 'Call back Quinn Queue',
      },
    ],
  },
  {
    // Issue 11 item 5: an Originate while 201's phone answers 486: never dialed, no Task.
    capture: 'sip-originate-own-busy',
    screens: {
      '1796153328.11:201': ['dialing outbound 15551234567', 'ended outbound 15551234567 busy'],
    },
    tasks: [],
  },
  {
    capture: 'sip-originate-own-noanswer',
    screens: {
      '1796153333.12:201': ['dialing outbound 15551234567', 'ended outbound 15551234567 no-answer'],
    },
    tasks: [],
  },
  {
    // 201 talks +2.246 → BlindTransfer +5.257 (3 s); 202 answers +7.269, ends +20.273 (13 s).
    capture: 'sip-ami-blindtransfer',
    screens: {
      '1796153452.23:201': talked(ALICE),
      '1796153452.23:202': talked(ALICE),
    },
    tasks: [aliceTask('1796153452.23:201', 3), aliceTask('1796153452.23:202', 13, ORG.ben)],
  },
  {
    // +2.286 → AMI Hangup +5.296: 3 s.
    capture: 'sip-ami-hangup',
    screens: { '1796153476.26:201': talked(ALICE) },
    tasks: [aliceTask('1796153476.26:201', 3)],
  },
  {
    // 201: +2.297 → +5.314 (3 s); 202: +7.322 → +20.331 (13 s).
    capture: 'sip-ami-redirect',
    screens: {
      '1796153538.28:201': talked(ALICE),
      '1796153538.28:202': talked(ALICE),
    },
    tasks: [aliceTask('1796153538.28:201', 3), aliceTask('1796153538.28:202', 13, ORG.ben)],
  },
  {
    // 201 talks +2.272 → AttendedTransfer +16.753 (14 s). 202 first sees the consultation
    // from 201, then the caller: talks with Alice from +16.753 to +42.767 (26 s).
    capture: 'sip-attended-transfer',
    screens: {
      '1796153348.13:201': talked(ALICE),
      '1796153348.13:202': [
        'ringing inbound 201',
        'connected inbound 201',
        `connected inbound ${ALICE}`,
        `ended inbound ${ALICE} completed`,
      ],
    },
    tasks: [aliceTask('1796153348.13:201', 14), aliceTask('1796153348.13:202', 26, ORG.ben)],
  },
  {
    // The consultation with 202 is an internal call (not logged); 201 talks +2.262 → +32.021
    // (29.76 s → 30).
    capture: 'sip-attended-transfer-cancel',
    screens: {
      '1796153394.18:201': talked(ALICE),
      '1796153394.18:202': [
        'ringing inbound 201',
        'connected inbound 201',
        'ended inbound 201 completed',
      ],
    },
    tasks: [aliceTask('1796153394.18:201', 30)],
  },
  {
    // Park: 201 talks +2.279 → +5.296 (3 s); takes the caller back from 701 at +10.334 on a
    // call of its own (Linkedid 1796153572.33) until +16.347 (6 s).
    capture: 'sip-park-retrieve',
    screens: {
      '1796153562.31:201': talked(ALICE),
      '1796153572.33:201': talked(ALICE),
    },
    tasks: [aliceTask('1796153562.31:201', 3), aliceTask('1796153572.33:201', 6)],
  },
];

/**
 * With `callLog.missedCalls: log`: unanswered inbound calls are completed Tasks with
 * CallDisposition Missed (busy included: issue 11 item 8) — one per call.
 */
export const LOG_MISSED_OUTCOMES: CaptureOutcome[] = [
  {
    capture: 'local-inbound-busy',
    screens: INBOUND_BUSY,
    tasks: [
      {
        CallObject: '1795288986.12:202',
        CallType: 'Inbound',
        CallDurationInSeconds: 0,
        Status: 'Completed',
        OwnerId: ORG.ben,
        CallDisposition: 'Missed',
      },
    ],
  },
  {
    // One Missed Task for the abandoned queue call, owned by the first rep it rang.
    capture: 'sip-queue-abandoned',
    screens: ABANDONED_QUEUE,
    tasks: [
      {
        CallObject: '1796153318.8:201',
        CallType: 'Inbound',
        CallDurationInSeconds: 0,
        Status: 'Completed',
        OwnerId: ORG.ana,
        CallDisposition: 'Missed',
        WhoId: ORG.quinn,
      },
    ],
  },
];
