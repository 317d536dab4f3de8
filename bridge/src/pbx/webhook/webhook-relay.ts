// Several bridges: the PBX POSTs each webhook event to one bridge (whichever the load balancer
// picks), yet every bridge must follow every call, as each does with its own AMI session — a
// rep's tabs may be on any of them. The events a bridge accepts are passed on to the others
// (storage/postgres-broadcast.ts), which apply them as if the PBX had posted them there; the
// same dedup keys drop a PBX retry that lands on another bridge.
//
// The PBX is answered once its events are passed on (stored in PostgreSQL), not before: a
// bridge that died between its 202 and its broadcast left the other bridges without the event
// (a pop missing there, or a call that never ended there) while the PBX, told "accepted", never
// sent it again. Now the PBX hears 503 when the hand-off fails and retries; the retry is a
// repeat here (not applied twice) and is passed on again. A hand-off that hangs (PostgreSQL
// unreachable without an error) is answered 503 after a few seconds all the same, so the
// PBX's requests do not pile up on the bridge; it may still finish, and then the retry is
// only a repeat.
import type { CallEvent } from '../../calls/call';
import { ErrorCodes } from '../../errors';
import type { Logger } from '../../logging/logger';
import type { KeyedCallEvent, WebhookPbxAdapter } from './webhook-adapter';

/** Messages to and from the other bridges. */
export interface BridgeChannel {
  send(topic: string, body: unknown): Promise<void>;
  on(topic: string, handler: (body: unknown) => void): void;
}

const TOPIC = 'pbx-webhook-events';

/** Dates travel as ISO text; everything else of a CallEvent is JSON already. */
function revive(raw: unknown): KeyedCallEvent[] {
  if (!Array.isArray(raw)) return [];
  const events: KeyedCallEvent[] = [];
  for (const item of raw as Array<{ key?: unknown; event?: Record<string, unknown> }>) {
    const event = item.event;
    if (typeof item.key !== 'string' || typeof event !== 'object') continue;
    const estimate = event.estimate as { from: string; to: string } | undefined;
    events.push({
      key: item.key,
      event: {
        ...event,
        at: new Date(String(event.at)),
        ...(estimate === undefined
          ? {}
          : { estimate: { from: new Date(estimate.from), to: new Date(estimate.to) } }),
      } as unknown as CallEvent,
    });
  }
  return events;
}

/** Passes `webhook`'s accepted events to the other bridges and applies theirs here. */
export function relayWebhookEvents(
  webhook: WebhookPbxAdapter,
  channel: BridgeChannel,
  logger: Logger,
  now: () => number = Date.now,
  options: { handOffWaitMs?: number; maxUnsent?: number } = {},
): void {
  const handOffWaitMs = options.handOffWaitMs ?? HAND_OFF_WAIT_MS;
  const maxUnsent = options.maxUnsent ?? MAX_UNSENT;
  /** Failed events forgotten (beyond maxUnsent) since the hand-off last worked. */
  let forgotten = 0;
  /**
   * A hand-off failed or ran late, and that was logged (once: an outage of PostgreSQL must not
   * log each of the PBX's hundreds of events a second); the next one that succeeds says so.
   */
  let troubled = false;
  const trouble = (fields: Record<string, unknown>, message: string): void => {
    if (troubled) {
      logger.debug(fields, message);
      return;
    }
    troubled = true;
    logger.warn(
      {
        code: ErrorCodes.PBX_WEBHOOK_NOT_PASSED_ON,
        ...fields,
        hint: 'The PBX is answered 503 and retries; check PostgreSQL (storage.postgres).',
      },
      message,
    );
  };
  channel.on(TOPIC, (body) => {
    const events = revive(body);
    if (events.length > 0) webhook.receive(events, now(), { relayed: true });
  });
  // Events on their way to the other bridges: a repeat of one waits for the same hand-off.
  const sending = new Map<string, Promise<void>>();
  // Events applied here whose hand-off failed, oldest first: a repeat passes them on again.
  const unsent = new Map<string, KeyedCallEvent>();
  webhook.onAccepted((fresh, repeats) => {
    const waits: Promise<void>[] = [];
    const toSend = [...fresh];
    for (const repeat of repeats) {
      const pending = sending.get(repeat.key);
      if (pending !== undefined) waits.push(pending);
      else if (unsent.delete(repeat.key)) toSend.push(repeat);
    }
    if (toSend.length > 0) waits.push(passOn(toSend));
    return waits.length === 0 ? undefined : withDeadline(Promise.all(waits));
  });

  /** The PBX's answer waits at most handOffWaitMs; the hand-off itself goes on. */
  function withDeadline(handOff: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        trouble(
          { waitedMs: handOffWaitMs },
          'PBX events not passed on to the other bridges in time',
        );
        reject(new Error(`not passed on within ${handOffWaitMs} ms`));
      }, handOffWaitMs);
      timer.unref();
    });
    return Promise.race([handOff, deadline]).then(
      () => {
        clearTimeout(timer);
      },
      (error: unknown) => {
        clearTimeout(timer);
        throw error;
      },
    );
  }

  function passOn(events: readonly KeyedCallEvent[]): Promise<void> {
    const handOff = channel.send(TOPIC, events);
    for (const { key } of events) sending.set(key, handOff);
    const done = (): void => {
      for (const { key } of events) if (sending.get(key) === handOff) sending.delete(key);
    };
    return handOff.then(
      () => {
        done();
        for (const { key } of events) unsent.delete(key);
        if (troubled) {
          troubled = false;
          logger.info(
            forgotten === 0 ? {} : { forgottenEvents: forgotten },
            'PBX events are passed on to the other bridges again',
          );
          forgotten = 0;
        }
      },
      (error: unknown) => {
        done();
        for (const event of events) unsent.set(event.key, event);
        // Beyond this many, the oldest retry is only a repeat here: the PBX gave up on it. Said
        // once per outage: those events reached this bridge's reps only.
        for (const key of unsent.keys()) {
          if (unsent.size <= maxUnsent) break;
          unsent.delete(key);
          if (forgotten++ === 0)
            logger.warn(
              {
                code: ErrorCodes.PBX_WEBHOOK_NOT_PASSED_ON,
                kept: maxUnsent,
                hint:
                  'A retry of the oldest failed events is now only a repeat here: reps on the ' +
                  'other bridges miss those calls. Check PostgreSQL (storage.postgres).',
              },
              'too many PBX events wait to be passed on; forgetting the oldest',
            );
        }
        trouble(
          { err: error instanceof Error ? error.message : String(error), events: events.length },
          'PBX events not passed on to the other bridges',
        );
        throw error;
      },
    );
  }
}

/** Events whose hand-off failed, kept for the PBX's retry (the dedup memory's order of size). */
const MAX_UNSENT = 10_000;
/** How long the PBX's answer waits for the hand-off: a healthy insert takes milliseconds. */
export const HAND_OFF_WAIT_MS = 5_000;
