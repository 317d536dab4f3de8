// What remembering webhook events costs per event once the memory is full, as it is after a few
// minutes at 100 calls/s (two events a call; 50,000 kept by default). The main bench never gets
// there: its runs are too short.
//   npm run build:bridge && node bridge/dist/bench/webhook-dedup.js
import { WebhookDedup } from '../src/pbx/webhook/webhook-dedup';

const EVENTS = 200_000;

for (const maxEvents of [500, 5_000, 50_000]) {
  const dedup = new WebhookDedup({ maxEvents });
  let now = Date.now();
  let i = 0;
  const offer = (): void => {
    now += 5; // 200 events a second
    dedup.firstTime(
      ['call', `1733212345.${i}`, 'ringing', '1001', String(now)].join('\u0000'),
      now,
    );
    i += 1;
  };
  for (let n = 0; n < EVENTS; n++) offer(); // full, and forgetting for a while
  const start = process.hrtime.bigint();
  for (let n = 0; n < EVENTS; n++) offer();
  const micros = Number(process.hrtime.bigint() - start) / 1000 / EVENTS;
  process.stdout.write(
    `maxEvents ${maxEvents}: ${micros.toFixed(2)} µs an event at the cap (${EVENTS} events)\n`,
  );
}
