// Issue 11's acceptance test: every real capture replayed over TCP, with the PBX's own clock
// (timestampevents), into the real bridge (Asterisk adapter, calls, call log, emulated org,
// hub). What the reps' utilities receive and the Tasks left in the org must be what
// capture-tasks.ts says, written by hand from the captures.
import type { RunningBridge } from '../../../src/bridge';
import { Teardown } from '../../support/teardown';
import { RepClient } from '../../support/test-bridge';
import { loadTimedCapture, timedCallFrames, withTimestamps } from './ami-capture';
import { AmiTestServer } from './ami-test-server';
import { ANA, BEN, startAsteriskBridge, until } from './asterisk-test-bridge';
import {
  CALLBACK_TASK_OUTCOMES,
  LOG_MISSED_OUTCOMES,
  screen,
  type CaptureOutcome,
} from './capture-tasks';

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

      // Done when every leg has its one outbox row, nothing is still being sent, and each rep
      // was told how their leg was logged (the last frame of a leg).
      const legs = Object.keys(outcome.screens);
      const repOf = (callId: string) => (callId.endsWith(':201') ? ana : ben);
      await until(
        () => {
          const counts = bridge.callLog.counts();
          const rows =
            counts.pending + counts.sending + counts.sent + counts.parked + counts.skipped;
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
