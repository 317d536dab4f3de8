// Webhook events the bridge has already applied, so a repeat changes nothing: a PBX retries a
// POST it got no answer to, and a retried `ringing` without `at` would otherwise ring a call
// that has ended again. An event is known by its `eventId` when the PBX sends one, else by
// call id, event, leg and `at`. Remembered on the bridge's clock for `retentionMs` (as long as
// ended calls are remembered), at most `maxEvents` of them, the oldest forgotten first.
import type { WebhookEvent } from './webhook-event-schema';

export interface WebhookDedupOptions {
  retentionMs?: number;
  maxEvents?: number;
}

export const WEBHOOK_DEDUP_DEFAULTS = { retentionMs: 15 * 60_000, maxEvents: 50_000 };

/** The identity of an event: its eventId, else what makes it this event of this call. */
export function eventKey(body: WebhookEvent): string {
  if (body.eventId !== undefined) return `id\u0000${body.eventId}`;
  const leg = body.extension ?? (body.userEmail === undefined ? '' : `@${body.userEmail}`);
  const at = body.at === undefined ? '' : String(Date.parse(body.at));
  return ['call', body.callId, body.event, leg, at].join('\u0000');
}

export class WebhookDedup {
  private readonly retentionMs: number;
  private readonly maxEvents: number;
  /** key → bridge time (ms) first seen, oldest first. */
  private readonly seen = new Map<string, number>();

  constructor(options: WebhookDedupOptions = {}) {
    this.retentionMs = options.retentionMs ?? WEBHOOK_DEDUP_DEFAULTS.retentionMs;
    this.maxEvents = options.maxEvents ?? WEBHOOK_DEDUP_DEFAULTS.maxEvents;
  }

  /** True the first time a key is offered (and remembers it); false for a repeat. */
  firstTime(key: string, nowMs: number): boolean {
    this.forgetOld(nowMs);
    if (this.seen.has(key)) return false;
    this.seen.set(key, nowMs);
    while (this.seen.size > this.maxEvents) {
      const oldest = this.seen.keys().next();
      if (oldest.done === true) break;
      this.seen.delete(oldest.value);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private forgetOld(nowMs: number): void {
    for (const [key, at] of this.seen) {
      if (nowMs - at <= this.retentionMs) return;
      this.seen.delete(key);
    }
  }
}
