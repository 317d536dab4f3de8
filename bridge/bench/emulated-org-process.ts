// Runs the emulated org in its own process for the benchmark, so the bridge is measured the
// way it runs in production: talking to Salesforce over HTTP, not sharing its event loop.
// Prints {url, orgId, clientId, clientSecret} as one JSON line once listening, and on SIGUSR2
// the requests it received so far by kind.
import { EmulatedOrg, loadSeed } from '../src/demo/emulated-org/emulated-org';

async function main(): Promise<void> {
  const seedFile = process.argv[2];
  if (seedFile === undefined) throw new Error('usage: emulated-org-process <seed.json>');
  const org = await EmulatedOrg.start({ seed: loadSeed(seedFile), apiLimit: 10_000_000 });
  process.stdout.write(
    `${JSON.stringify({ url: org.url, orgId: org.orgId, ...org.credentials })}\n`,
  );
  process.on('SIGTERM', () => void org.stop().then(() => process.exit(0)));
  // The bench asks what the bridges asked of the org so far: requests by kind, and the
  // subrequests inside Composite requests (one JSON line each time).
  process.on('SIGUSR2', () => {
    process.stdout.write(
      `${JSON.stringify({ requests: org.counts, subrequests: org.subrequests })}\n`,
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`emulated org failed: ${String(error)}\n`);
  process.exit(1);
});
