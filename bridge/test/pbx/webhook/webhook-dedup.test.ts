// The webhook's memory of events already applied: a repeat within the retention is dropped,
// the oldest keys are forgotten first (by age, and beyond the cap), and a forgotten key counts
// as new again.
import { WebhookDedup } from '../../../src/pbx/webhook/webhook-dedup';

describe('pbx/webhook/webhook-dedup', () => {
  it('drops a repeat within the retention, and takes it again once forgotten', () => {
    const dedup = new WebhookDedup({ retentionMs: 1_000, maxEvents: 10 });
    expect(dedup.firstTime('a', 0)).toBe(true);
    expect(dedup.firstTime('a', 1_000)).toBe(false);
    expect(dedup.firstTime('b', 1_000)).toBe(true);
    // `a` was first seen at 0: forgotten after 1,000 ms, whatever its repeats.
    expect(dedup.firstTime('a', 1_001)).toBe(true);
    expect(dedup.firstTime('b', 1_001)).toBe(false);
    expect(dedup.size).toBe(2);
  });

  it('forgets the oldest beyond its cap, the rest kept in order', () => {
    const dedup = new WebhookDedup({ retentionMs: 60_000, maxEvents: 3 });
    for (const key of ['a', 'b', 'c', 'd']) expect(dedup.firstTime(key, 0)).toBe(true);
    expect(dedup.size).toBe(3);
    expect(dedup.firstTime('b', 0)).toBe(false);
    expect(dedup.firstTime('a', 0)).toBe(true); // forgotten, new again; pushes `b` out
    expect(dedup.firstTime('c', 0)).toBe(false);
    expect(dedup.firstTime('b', 0)).toBe(true);
  });

  it('keeps exactly the last events across many rounds of forgetting (its queue compacts)', () => {
    const max = 2_500;
    const dedup = new WebhookDedup({ retentionMs: 10_000, maxEvents: max });
    let now = 0;
    const refused: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      now += i % 3; // some events at the same instant
      if (!dedup.firstTime(`e${i}`, now)) refused.push(`e${i}`);
    }
    expect(refused).toEqual([]);
    // Everything younger than the retention, at most `max`: e17500 … e19999.
    expect(dedup.size).toBe(max);
    expect(dedup.firstTime('e17500', now)).toBe(false);
    expect(dedup.firstTime('e19999', now)).toBe(false);
    expect(dedup.firstTime('e17499', now)).toBe(true);
    // By age: 10 s later only what came after e17499 is gone too.
    expect(dedup.firstTime('late', now + 10_001)).toBe(true);
    expect(dedup.size).toBe(1);
  });
});
