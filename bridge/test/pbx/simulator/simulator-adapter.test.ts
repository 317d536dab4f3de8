// The simulator PBX on jest's fake clock: triggered calls follow their schedule, random calls
// come every interval with the promised variety, dial-out is simulated, stop() clears all.
import type { CallEvent } from '../../../src/calls/call';
import { CallTracker } from '../../../src/calls/call-tracker';
import { ErrorCodes, SwitchboardError } from '../../../src/errors';
import { silentLogger } from '../../../src/logging/logger';
import {
  SimulatorPbxAdapter,
  type SimulatorPbxAdapterOptions,
} from '../../../src/pbx/simulator/simulator-adapter';

/** A repeatable stand-in for Math.random (a small linear congruential generator). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

async function started(options: Partial<SimulatorPbxAdapterOptions> = {}) {
  const events: CallEvent[] = [];
  const simulator = new SimulatorPbxAdapter({
    extensions: ['201', '202', '203'],
    numbers: ['+14155550101', '+14155550102'],
    intervalMs: 0,
    logger: silentLogger(),
    random: seeded(1),
    ...options,
  });
  await simulator.start((event) => events.push(event));
  return { simulator, events };
}

const summary = (events: CallEvent[]) =>
  events.map((e) => `${e.type}${e.extension === undefined ? '' : `@${e.extension}`}`);

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2025-03-01T10:00:00.000Z') });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('SimulatorPbxAdapter', () => {
  it('rings, answers and hangs up a triggered call on schedule', async () => {
    const { simulator, events } = await started();
    const id = simulator.triggerCall({
      extension: '201',
      number: '+14155550101',
      answerAfterMs: 2000,
      hangupAfterMs: 10_000,
    });
    expect(summary(events)).toEqual(['ringing@201']);
    expect(events[0]).toMatchObject({
      pbxCallId: id,
      direction: 'inbound',
      number: '+14155550101',
    });
    jest.advanceTimersByTime(1999);
    expect(events).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(summary(events)).toEqual(['ringing@201', 'answered@201']);
    expect(events[1]?.at.toISOString()).toBe('2025-03-01T10:00:02.000Z');
    jest.advanceTimersByTime(8000);
    expect(summary(events)).toEqual(['ringing@201', 'answered@201', 'ended']);
    expect(simulator.activeCallCount).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rings every extension of a ring group; a never-answered call only ends', async () => {
    const { simulator, events } = await started();
    simulator.triggerCall({
      extension: ['201', '202'],
      number: '+14155550101',
      answerAfterMs: null,
      hangupAfterMs: 5000,
      pbxCallId: 'group-1',
    });
    jest.advanceTimersByTime(60_000);
    expect(summary(events)).toEqual(['ringing@201', 'ringing@202', 'ended']);
    expect(events.every((e) => e.pbxCallId === 'group-1')).toBe(true);
  });

  it('stays up with null timings until answer() and hangup() are called', async () => {
    const { simulator, events } = await started();
    const id = simulator.triggerCall({
      extension: ['201', '202'],
      number: '+14155550101',
      answerAfterMs: null,
      hangupAfterMs: null,
    });
    jest.advanceTimersByTime(24 * 3600_000);
    expect(events).toHaveLength(2);
    expect(simulator.answer(id, '202')).toBe(true);
    expect(simulator.answer(id, '201')).toBe(false); // already answered
    expect(simulator.hangup(id, 'completed')).toBe(true);
    expect(simulator.hangup(id)).toBe(false);
    expect(events.slice(2)).toMatchObject([
      { type: 'answered', extension: '202' },
      { type: 'ended', reason: 'completed' },
    ]);
  });

  it('cancels the pending answer when hung up first', async () => {
    const { simulator, events } = await started();
    const id = simulator.triggerCall({
      extension: '201',
      number: '1',
      answerAfterMs: 5000,
      hangupAfterMs: null,
    });
    simulator.hangup(id);
    jest.advanceTimersByTime(10_000);
    expect(summary(events)).toEqual(['ringing@201', 'ended']);
  });

  it('simulates dial-out: dialing for the dial request, answered, then ended', async () => {
    const { simulator, events } = await started();
    const result = await simulator.dial({
      requestId: 'r-1',
      extension: '202',
      number: '+14155550102',
    });
    expect(result.pbxCallId).toBeDefined();
    expect(events[0]).toMatchObject({
      type: 'ringing',
      direction: 'outbound',
      extension: '202',
      dialRequestId: 'r-1',
      pbxCallId: result.pbxCallId,
    });
    jest.advanceTimersByTime(60_000);
    expect(summary(events)).toEqual(['ringing@202', 'answered@202', 'ended']);
  });

  it('refuses calls and dials when not started', async () => {
    const { simulator } = await started();
    await simulator.stop();
    expect(simulator.isConnected()).toBe(false);
    expect(() => simulator.triggerCall({ extension: '201', number: '1' })).toThrow(
      SwitchboardError,
    );
    await expect(
      simulator.dial({ requestId: 'r', extension: '201', number: '1' }),
    ).rejects.toMatchObject({ code: ErrorCodes.PBX_UNREACHABLE });
  });

  it('plays the PBX link going down and back: told to listeners, no new call meanwhile', async () => {
    const { simulator, events } = await started({ intervalMs: 1000 });
    const changes: boolean[] = [];
    simulator.onConnectionChange((connected) => changes.push(connected));
    simulator.setLinkUp(false);
    simulator.setLinkUp(false);
    expect(simulator.isConnected()).toBe(false);
    expect(() => simulator.triggerCall({ extension: '201', number: '1' })).toThrow(
      'The simulator PBX link is down',
    );
    await expect(
      simulator.dial({ requestId: 'r', extension: '201', number: '1' }),
    ).rejects.toMatchObject({ code: ErrorCodes.PBX_UNREACHABLE });
    jest.advanceTimersByTime(5000);
    expect(events).toEqual([]);
    simulator.setLinkUp(true);
    expect(simulator.isConnected()).toBe(true);
    expect(changes).toEqual([false, true]);
    jest.advanceTimersByTime(1000);
    expect(events.length).toBeGreaterThan(0);
  });

  it('rings a random call every interval with known, unknown, withheld, internal and group calls', async () => {
    const { simulator, events } = await started({ intervalMs: 1000, random: seeded(42) });
    jest.advanceTimersByTime(999);
    expect(events).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(events.filter((e) => e.type === 'ringing').length).toBeGreaterThanOrEqual(1);

    jest.advanceTimersByTime(400 * 1000);
    const rings = events.filter((e) => e.type === 'ringing');
    const calls = new Set(rings.map((e) => e.pbxCallId));
    expect(calls.size).toBe(401);
    const numbers = rings.map((e) => e.number);
    expect(numbers).toContain('+14155550101'); // known
    expect(numbers).toContain('anonymous'); // withheld
    expect(numbers.some((n) => /^20[123]$/.test(n))).toBe(true); // internal
    expect(numbers.some((n) => n.startsWith('+1 415 555 01'))).toBe(true); // unknown
    expect(rings.length).toBeGreaterThan(calls.size); // some ring groups
    expect(rings.some((e) => e.direction === 'outbound')).toBe(true);

    // Played through the tracker, every call is answered or missed, and every one ends.
    jest.advanceTimersByTime(60_000);
    await simulator.stop();
    const tracker = new CallTracker({ maxEnded: 10_000 });
    for (const event of events)
      tracker.apply(event, { e164: null, withheld: false, internal: false });
    const legs = [...calls].flatMap((id) => tracker.legsOf(id));
    expect(legs.every((c) => c.state === 'ended')).toBe(true);
    expect(new Set(legs.map((c) => c.endReason))).toEqual(
      new Set(['completed', 'missed', 'no-answer', 'answered-elsewhere']),
    );
  });

  it('clears every timer on stop()', async () => {
    const { simulator, events } = await started({ intervalMs: 1000 });
    simulator.triggerCall({ extension: '201', number: '1', answerAfterMs: 10, hangupAfterMs: 20 });
    expect(jest.getTimerCount()).toBeGreaterThan(0);
    await simulator.stop();
    expect(jest.getTimerCount()).toBe(0);
    const before = events.length;
    jest.advanceTimersByTime(10_000);
    expect(events).toHaveLength(before);
  });

  it('reports no users', async () => {
    const { simulator } = await started();
    expect(await simulator.listUsers()).toEqual([]);
  });
});

describe('SimulatorPbxAdapter after a bridge restart', () => {
  it('ends the calls of the last run: a simulated call never survives a restart', async () => {
    const events: CallEvent[] = [];
    const simulator = new SimulatorPbxAdapter({
      extensions: ['201'],
      numbers: [],
      intervalMs: 0,
      logger: silentLogger(),
    });
    const lastSeenAt = new Date('2025-03-01T09:59:50.000Z');
    simulator.resume({
      legs: [{ pbxCallId: 'sim-old-1', extension: '201', direction: 'inbound', answered: true }],
      openCalls: ['sim-old-1'],
      lastSeenAt,
    });
    await simulator.start((event) => events.push(event));
    expect(events).toEqual([
      {
        type: 'finished',
        pbxCallId: 'sim-old-1',
        at: new Date('2025-03-01T09:59:55.000Z'),
        estimate: { from: lastSeenAt, to: new Date('2025-03-01T10:00:00.000Z') },
      },
    ]);
    await simulator.stop();
  });
});
