// Several bridges: the PBX POSTs each webhook event to one bridge (whichever the load balancer
// picks), yet every bridge must follow every call, as each does with its own AMI session — a
// rep's tabs may be on any of them. The events a bridge accepts are passed on to the others
// (storage/postgres-broadcast.ts), which apply them as if the PBX had posted them there; the
// same dedup keys drop a PBX retry that lands on another bridge.
import type { CallEvent } from '../../calls/call';
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
): void {
  channel.on(TOPIC, (body) => {
    const events = revive(body);
    if (events.length > 0) webhook.receive(events, now(), { relayed: true });
  });
  webhook.onAccepted((events) => {
    channel.send(TOPIC, events).catch((error: unknown) => {
      logger.warn(
        { err: error instanceof Error ? error.message : String(error), events: events.length },
        'PBX events not passed on to the other bridges: their reps miss these pops',
      );
    });
  });
}
