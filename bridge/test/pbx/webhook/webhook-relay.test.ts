// The webhook's hand-off to the other bridges (webhook-relay.ts), with a channel whose sends the
// test settles itself: what the PBX's answer waits for, and what a retry passes on again. The
// same over a real PostgreSQL: bridge/test/integration/several-bridges.test.ts.
import type { CallEvent } from '../../../src/calls/call';
import { createLogger, silentLogger } from '../../../src/logging/logger';
import { WebhookPbxAdapter, type KeyedCallEvent } from '../../../src/pbx/webhook/webhook-adapter';
import { relayWebhookEvents, type BridgeChannel } from '../../../src/pbx/webhook/webhook-relay';

const AT = new Date('2025-03-01T10:00:00.000Z');

/** A channel to the other bridges whose sends stay on their way until the test settles them. */
class HeldChannel implements BridgeChannel {
  readonly sent: Array<{ body: unknown; resolve(): void; reject(error: Error): void }> = [];
  readonly handlers = new Map<string, (body: unknown) => void>();

  send(_topic: string, body: unknown): Promise<void> {
    return new Promise((resolve, reject) => this.sent.push({ body, resolve, reject }));
  }

  on(topic: string, handler: (body: unknown) => void): void {
    this.handlers.set(topic, handler);
  }

  /** The keys of each send, in order. */
  keys(): string[][] {
    return this.sent.map((s) => (s.body as KeyedCallEvent[]).map((e) => e.key));
  }
}

function ringing(key: string): KeyedCallEvent {
  const event: CallEvent = {
    type: 'ringing',
    pbxCallId: key,
    extension: '201',
    direction: 'inbound',
    number: '+14155550101',
    at: AT,
  };
  return { key, event };
}

/** How a promise stands now: the microtasks that could settle it have run. */
async function stateOf(promise: Promise<void> | undefined): Promise<string> {
  if (promise === undefined) return 'nothing to wait for';
  let state = 'on its way';
  promise.then(
    () => (state = 'passed on'),
    () => (state = 'failed'),
  );
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return state;
}

describe('relayWebhookEvents: the PBX is answered once its events are passed on', () => {
  let adapter: WebhookPbxAdapter;
  let channel: HeldChannel;
  let applied: CallEvent[];
  let logLines: string[];

  beforeEach(async () => {
    logLines = [];
    const logger = createLogger({ level: 'info', destination: { write: (l) => logLines.push(l) } });
    adapter = new WebhookPbxAdapter({ token: 'x'.repeat(24), dialTimeoutMs: 1000, logger });
    applied = [];
    await adapter.start((event) => applied.push(event));
    channel = new HeldChannel();
    relayWebhookEvents(adapter, channel, logger, () => AT.getTime());
  });

  const receive = (...events: KeyedCallEvent[]) => adapter.receive(events, AT.getTime());

  /** A bridge of its own, with the relay's options the test sets; its lines go to logLines. */
  async function bridgeWith(options: Parameters<typeof relayWebhookEvents>[4]) {
    const own = new WebhookPbxAdapter({
      token: 'x'.repeat(24),
      dialTimeoutMs: 1000,
      logger: silentLogger(),
    });
    await own.start(() => undefined);
    const held = new HeldChannel();
    const logger = createLogger({ level: 'info', destination: { write: (l) => logLines.push(l) } });
    relayWebhookEvents(own, held, logger, () => AT.getTime(), options);
    return { adapter: own, channel: held };
  }

  it('waits for the hand-off; a repeat of a passed-on event is only a repeat', async () => {
    const first = receive(ringing('a'));
    expect(applied).toHaveLength(1); // applied here at once: the rep's pop does not wait
    expect(await stateOf(first?.passedOn)).toBe('on its way');
    channel.sent[0]!.resolve();
    expect(await stateOf(first?.passedOn)).toBe('passed on');

    const again = receive(ringing('a'));
    expect(again).toEqual({ duplicates: 1 });
    expect(channel.sent).toHaveLength(1);
    expect(applied).toHaveLength(1);
  });

  it('fails a repeat that came while the hand-off was on its way together with it', async () => {
    const first = receive(ringing('a'));
    const retry = receive(ringing('a')); // the PBX timed out and sent it again
    expect(retry?.duplicates).toBe(1);
    expect(channel.sent).toHaveLength(1); // not sent twice
    expect(await stateOf(retry?.passedOn)).toBe('on its way');
    channel.sent[0]!.reject(new Error('database unreachable'));
    expect(await stateOf(first?.passedOn)).toBe('failed');
    expect(await stateOf(retry?.passedOn)).toBe('failed');
    const warnings = logLines.filter((l) => l.includes('PBX_WEBHOOK_NOT_PASSED_ON'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('database unreachable');
  });

  it('passes a failed event on again when the PBX retries it, without applying it twice', async () => {
    const first = receive(ringing('a'), ringing('b'));
    channel.sent[0]!.reject(new Error('database unreachable'));
    expect(await stateOf(first?.passedOn)).toBe('failed');

    // The retry of one of them, with a new event: both go, the repeat is not applied again.
    const retry = receive(ringing('b'), ringing('c'));
    expect(retry?.duplicates).toBe(1);
    expect(channel.keys()).toEqual([
      ['a', 'b'],
      ['c', 'b'],
    ]);
    expect(applied.map((e) => e.pbxCallId)).toEqual(['a', 'b', 'c']);
    channel.sent[1]!.resolve();
    expect(await stateOf(retry?.passedOn)).toBe('passed on');

    // Once passed on, b is only a repeat; a still waits for its own retry.
    expect(receive(ringing('b'))).toEqual({ duplicates: 1 });
    const retryOfA = receive(ringing('a'));
    expect(channel.keys()[2]).toEqual(['a']);
    channel.sent[2]!.resolve();
    expect(await stateOf(retryOfA?.passedOn)).toBe('passed on');
  });

  it('answers a hand-off that hangs after a deadline, logged once; a late success needs no retry', async () => {
    // PostgreSQL unreachable without an error: the sends hang. A bridge whose PBX answers wait
    // 20 ms.
    const { adapter: hanging, channel: held } = await bridgeWith({ handOffWaitMs: 20 });
    const at = AT.getTime();

    const first = hanging.receive([ringing('a')], at);
    await expect(first?.passedOn).rejects.toThrow('not passed on within 20 ms');
    const second = hanging.receive([ringing('b')], at);
    await expect(second?.passedOn).rejects.toThrow('not passed on within 20 ms');
    // One warning for the outage, not one per POST.
    expect(logLines.filter((l) => l.includes('PBX_WEBHOOK_NOT_PASSED_ON'))).toHaveLength(1);

    // The hand-offs finish after all: the PBX's retries are only repeats.
    held.sent[0]!.resolve();
    held.sent[1]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(hanging.receive([ringing('a'), ringing('b')], at)).toEqual({ duplicates: 2 });
    expect(held.sent).toHaveLength(2);
    expect(logLines.filter((l) => l.includes('passed on to the other bridges again'))).toHaveLength(
      1,
    );
  });

  it('forgets the oldest failed events beyond its cap, says so once, and counts them at recovery', async () => {
    const { adapter: small, channel: held } = await bridgeWith({ maxUnsent: 2 });
    const at = AT.getTime();
    for (const key of ['a', 'b', 'c', 'd']) {
      const answer = small.receive([ringing(key)], at);
      held.sent.at(-1)!.reject(new Error('database unreachable'));
      expect(await stateOf(answer?.passedOn)).toBe('failed');
    }
    const forgetting = logLines.filter((l) => l.includes('forgetting the oldest'));
    expect(forgetting).toHaveLength(1);
    expect(JSON.parse(forgetting[0]!)).toMatchObject({
      level: 'warn',
      code: 'PBX_WEBHOOK_NOT_PASSED_ON',
      kept: 2,
    });

    // The PBX retries all four: a and b were forgotten (only repeats), c and d go again.
    expect(small.receive([ringing('a'), ringing('b')], at)).toEqual({ duplicates: 2 });
    const retry = small.receive([ringing('c'), ringing('d')], at);
    expect(held.keys().at(-1)).toEqual(['c', 'd']);
    held.sent.at(-1)!.resolve();
    expect(await stateOf(retry?.passedOn)).toBe('passed on');
    const recovered = logLines.filter((l) => l.includes('passed on to the other bridges again'));
    expect(
      recovered.map((l) => (JSON.parse(l) as { forgottenEvents?: number }).forgottenEvents),
    ).toEqual([2]);
  });

  it('does not pass on again what another bridge passed on here', () => {
    const fromOthers = channel.handlers.get('pbx-webhook-events')!;
    fromOthers([{ key: 'z', event: { ...ringing('z').event, at: AT.toISOString() } }]);
    expect(applied.map((e) => e.pbxCallId)).toEqual(['z']);
    expect(channel.sent).toHaveLength(0);
    // The PBX's retry of it to this bridge: a repeat, with nothing to wait for.
    expect(receive(ringing('z'))).toEqual({ duplicates: 1 });
    expect(channel.sent).toHaveLength(0);
  });
});
