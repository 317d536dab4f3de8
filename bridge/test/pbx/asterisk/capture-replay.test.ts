// Issue 11's acceptance test: every real capture replayed over TCP, with the PBX's own clock
// (timestampevents), into the real bridge (Asterisk adapter, calls, call log, emulated org,
// hub). What the reps' utilities receive and the Tasks left in the org must be what
// capture-tasks.ts says, written by hand from the captures. Then the queue capture again, with
// the AMI link cut at each point of the call that matters (npm run soak cuts links like this).
import type { RunningBridge } from '../../../src/bridge';
import { Teardown } from '../../support/teardown';
import { RepClient } from '../../support/test-bridge';
import {
  channelsAfter,
  headerOf,
  loadTimedCapture,
  timedCallFrames,
  withTimestamps,
} from './ami-capture';
import { AmiTestServer } from './ami-test-server';
import { ANA, BEN, startAsteriskBridge } from './asterisk-test-bridge';
import { until } from '../../support/wait-for-value';
import {
  CALLBACK_TASK_OUTCOMES,
  LOG_MISSED_OUTCOMES,
  ORG,
  screen,
  type CaptureOutcome,
} from './capture-tasks';

/**
 * Waits until every leg has its one outbox row, nothing is still being sent, and each rep was
 * told how their leg was logged (the last frame of a leg).
 */
async function untilLogsDecided(
  bridge: RunningBridge,
  legs: readonly string[],
  repOf: (callId: string) => RepClient,
): Promise<void> {
  await until(
    () => {
      const counts = bridge.callLog.counts();
      const rows = counts.pending + counts.sending + counts.sent + counts.parked + counts.skipped;
      const told = legs.every((callId) =>
        repOf(callId)
          .callFrames()
          .some(
            (c) =>
              c.id === callId &&
              c.state === 'ended' &&
              c.log?.state !== undefined &&
              c.log.state !== 'pending',
          ),
      );
      return rows === legs.length && counts.pending + counts.sending === 0 && told;
    },
    `one decided log per leg (${String(legs.length)})`,
  );
}

describe.each([
  ['callback-task', CALLBACK_TASK_OUTCOMES],
  ['log', LOG_MISSED_OUTCOMES],
] as const)('captures → bridge → reps and Tasks (missedCalls: %s)', (missedCalls, outcomes) => {
  let server: AmiTestServer;
  let bridge: RunningBridge;
  const teardown = new Teardown();

  beforeEach(async () => {
    server = teardown.add(new AmiTestServer({ split: 'random' }), (s) => s.close());
    const port = await server.listen();
    bridge = teardown.add(await startAsteriskBridge(port, { callLog: { missedCalls } }), (b) =>
      b.stop(),
    );
    await server.waitForLogin();
  });

  afterEach(() => teardown.run());

  it.each(outcomes.map((o) => [o.capture, o] as const))(
    '%s',
    async (_name, outcome: CaptureOutcome) => {
      const ana = await RepClient.connectAs(bridge, ANA);
      const ben = await RepClient.connectAs(bridge, BEN);
      const capture = loadTimedCapture(outcome.capture);
      const frames = timedCallFrames(capture);
      // The capture's clock, ending a couple of seconds before now.
      const start = new Date(Date.now() - ((frames.at(-1)?.at ?? 0) + 2) * 1000);
      await server.send(withTimestamps(frames, start));

      const legs = Object.keys(outcome.screens);
      const repOf = (callId: string) => (callId.endsWith(':201') ? ana : ben);
      await untilLogsDecided(bridge, legs, repOf);

      for (const callId of legs) {
        expect([
          callId,
          screen(
            repOf(callId)
              .callFrames()
              .filter((c) => c.id === callId),
          ),
        ]).toEqual([callId, outcome.screens[callId]]);
      }
      const tasks = bridge
        .emulatedOrg!.records('Task')
        .sort((a, b) => String(a.CallObject).localeCompare(String(b.CallObject)));
      expect(tasks).toHaveLength(outcome.tasks.length);
      outcome.tasks.forEach((expected, i) => expect(tasks[i]).toMatchObject(expected));
      ana.close();
      ben.close();
    },
  );
});

/**
 * The queue capture (202 busy, 201 answers at +3.593 and hangs up at +10.101) with the AMI link
 * cut at a point of the call. Asterisk keeps the call going without the bridge; when the bridge
 * is back, CoreShowChannels lists the channels still up, and nothing else: no event sent during
 * the cut is ever replayed. Either the call went on (its channels are listed, its later events
 * arrive), or it ended during the cut (nothing is listed).
 */
describe('local-queue-answered with the AMI link cut mid-call', () => {
  const QUINN = '+15550003333';
  const capture = loadTimedCapture('local-queue-answered');
  const frames = timedCallFrames(capture);
  const event = (i: number) => headerOf(frames[i]?.text ?? '', 'Event');
  const on = (i: number, key: string, rep: string) =>
    headerOf(frames[i]?.text ?? '', key)?.startsWith(`Local/${rep}@`) === true;
  const after = (found: (i: number) => boolean) => frames.findIndex((_f, i) => found(i)) + 1;
  const firstHangup201 = frames.findIndex(
    (_f, i) => on(i, 'Channel', '201') && /hangup/i.test(event(i) ?? ''),
  );
  const talked = [
    `ringing inbound ${QUINN}`,
    `connected inbound ${QUINN}`,
    `ended inbound ${QUINN} completed`,
  ];
  const rang = (reason: string) => [`ringing inbound ${QUINN}`, `ended inbound ${QUINN} ${reason}`];
  const missedTask = {
    CallObject: '1795289012.22:201',
    CallType: 'Inbound',
    CallDurationInSeconds: 0,
    Status: 'Completed',
    OwnerId: ORG.ana,
    CallDisposition: 'Missed',
  };
  const talkTask = { CallObject: '1795289012.22:201', Status: 'Completed', OwnerId: ORG.ana };

  interface Cut {
    name: string;
    /** Frames sent before the cut. */
    at: number;
    /** What the reps see once the bridge has those frames (so the cut comes after them). */
    seen: (ana: RepClient, ben: RepClient) => boolean;
    /** The screens and the Task when the call ended during the cut. */
    endedDuringCut: { screens: Record<string, string[]>; task: Record<string, unknown> };
  }
  const state = (rep: RepClient, s: string, reason?: string) =>
    rep.callFrames().some((c) => c.state === s && (reason === undefined || c.endReason === reason));
  const cuts: Cut[] = [
    {
      name: 'while both members ring',
      at: after((i) => event(i) === 'DialBegin' && on(i, 'DestChannel', '202')),
      seen: (ana, ben) => state(ana, 'ringing') && state(ben, 'ringing'),
      endedDuringCut: {
        screens: { '1795289012.22:201': rang('missed'), '1795289012.22:202': rang('missed') },
        task: missedTask,
      },
    },
    {
      name: 'after 202 was busy, while 201 rings',
      at: after((i) => event(i) === 'DialEnd' && on(i, 'DestChannel', '202')),
      seen: (ana, ben) => state(ana, 'ringing') && state(ben, 'ended', 'busy'),
      endedDuringCut: {
        screens: { '1795289012.22:201': rang('missed'), '1795289012.22:202': rang('busy') },
        task: missedTask,
      },
    },
    {
      name: 'after 201 answered',
      at: after((i) => event(i) === 'DialEnd' && on(i, 'DestChannel', '201')),
      seen: (ana) => state(ana, 'connected'),
      endedDuringCut: {
        screens: { '1795289012.22:201': talked, '1795289012.22:202': rang('busy') },
        task: talkTask,
      },
    },
    {
      name: 'in the conversation, before the hang-up',
      at: firstHangup201,
      seen: (ana) => state(ana, 'connected'),
      endedDuringCut: {
        screens: { '1795289012.22:201': talked, '1795289012.22:202': rang('busy') },
        task: talkTask,
      },
    },
  ];

  let server: AmiTestServer;
  let bridge: RunningBridge;
  let listing: Record<string, string>[] = [];
  const teardown = new Teardown();

  beforeEach(async () => {
    listing = [];
    server = teardown.add(new AmiTestServer({ split: 'random', channels: () => listing }), (s) =>
      s.close(),
    );
    bridge = teardown.add(await startAsteriskBridge(await server.listen()), (b) => b.stop());
    await server.waitForLogin();
  });

  afterEach(() => teardown.run());

  /** Replays up to the cut, cuts the link with `listingAtReconnect`, and waits for the reconnect. */
  async function replayAndCut(cut: Cut, listingAtReconnect: Record<string, string>[]) {
    const ana = await RepClient.connectAs(bridge, ANA);
    const ben = await RepClient.connectAs(bridge, BEN);
    const start = new Date(Date.now() - ((frames.at(-1)?.at ?? 0) + 2) * 1000);
    const timed = withTimestamps(frames, start);
    await server.send(timed.slice(0, cut.at));
    await until(() => cut.seen(ana, ben), `the reps see the call as it was at the cut`);
    listing = listingAtReconnect;
    server.dropAll();
    await server.waitForLogin(2);
    const linkStates = () =>
      ana.frames.filter((f) => f.type === 'pbx').map((f) => f.connected as boolean);
    await until(() => linkStates().join() === 'false,true', 'the bridge back on the PBX');
    return { ana, ben, rest: timed.slice(cut.at) };
  }

  /** Waits until both legs are decided, then checks what each rep saw of their leg. */
  async function expectScreens(
    ana: RepClient,
    ben: RepClient,
    screens: Record<string, string[]>,
  ): Promise<void> {
    const repOf = (callId: string) => (callId.endsWith(':201') ? ana : ben);
    const legs = Object.keys(screens);
    await untilLogsDecided(bridge, legs, repOf);
    for (const callId of legs) {
      const seen = repOf(callId)
        .callFrames()
        .filter((c) => c.id === callId);
      expect([callId, screen(seen)]).toEqual([callId, screens[callId]]);
    }
  }

  it.each(cuts.map((c) => [c.name, c] as const))(
    'cut %s, the call ended during the cut: one Task, with what the bridge knew',
    async (_name, cut) => {
      const { ana, ben } = await replayAndCut(cut, []);
      await expectScreens(ana, ben, cut.endedDuringCut.screens);
      const tasks = bridge.emulatedOrg!.records('Task');
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ ...cut.endedDuringCut.task, WhoId: ORG.quinn });
      // The end the bridge could not see is an estimate, and the Task says so.
      expect(tasks[0]?.Description).toMatch(/estimated/i);
      ana.close();
      ben.close();
    },
  );

  it.each(cuts.map((c) => [c.name, c] as const))(
    'cut %s, the call went on: what the reps see and the Task are as without the cut',
    async (_name, cut) => {
      const { ana, ben, rest } = await replayAndCut(
        cut,
        channelsAfter(frames.slice(0, cut.at).map((f) => f.text)),
      );
      await server.send(rest);
      await expectScreens(ana, ben, {
        '1795289012.22:201': talked,
        '1795289012.22:202': rang('busy'),
      });
      const tasks = bridge.emulatedOrg!.records('Task');
      expect(tasks).toHaveLength(1);
      expect(tasks[0]).toMatchObject({ ...talkTask, CallDurationInSeconds: 7, WhoId: ORG.quinn });
      ana.close();
      ben.close();
    },
  );
});
