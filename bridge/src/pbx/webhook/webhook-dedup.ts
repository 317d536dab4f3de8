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

/** Forgotten keys are cut from the front of the queue once this many have gathered there. */
const COMPACT_AFTER = 1024;

export class WebhookDedup {
  private readonly retentionMs: number;
  private readonly maxEvents: number;
  /** The keys remembered. */
  private readonly seen = new Set<string>();
  /**
   * The same keys oldest first, from `head` on, with the bridge time (ms) each was first seen.
   * A queue beside the set rather than the set's own order: taking the oldest key of a Set or
   * Map walks past every entry deleted before it until V8 compacts the table, and at the cap
   * (50,000) that cost 64 µs an event (docs/benchmarks.md).
   */
  private keys: string[] = [];
  private times: number[] = [];
  private head = 0;

  constructor(options: WebhookDedupOptions = {}) {
    this.retentionMs = options.retentionMs ?? WEBHOOK_DEDUP_DEFAULTS.retentionMs;
    this.maxEvents = options.maxEvents ?? WEBHOOK_DEDUP_DEFAULTS.maxEvents;
  }

  /** True the first time a key is offered (and remembers it); false for a repeat. */
  firstTime(key: string, nowMs: number): boolean {
    this.forgetOld(nowMs);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.keys.push(key);
    this.times.push(nowMs);
    while (this.seen.size > this.maxEvents && this.head < this.keys.length) this.forgetOldest();
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private forgetOld(nowMs: number): void {
    while (
      this.head < this.times.length &&
      nowMs - (this.times[this.head] ?? nowMs) > this.retentionMs
    )
      this.forgetOldest();
  }

  private forgetOldest(): void {
    const key = this.keys[this.head];
    if (key === undefined) return;
    this.seen.delete(key);
    this.head += 1;
    // Amortized: what is left (at most half) is copied once per as many forgotten keys.
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
