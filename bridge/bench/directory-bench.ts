// Directory index benchmark: an index of 1,000,000 numbers in the embedded database (synthetic
// records written straight into the index), lookup latency over 100,000 random numbers (hits
// through IndexedDirectory, misses through the index alone), memory and database size; then an
// initial sync of 100,000 Contacts from the emulated org through Bulk API 2.0, timed on its own.
//   npm run build:bridge && node bridge/dist/bench/directory-bench.js [--numbers 1000000] [--lookups 100000] [--sync 100000]
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDirectoryConfig, LookupSchema, PhoneSchema } from '../src/config/schema';
import { EmulatedOrg } from '../src/demo/emulated-org/emulated-org';
import { createIndexedDirectory } from '../src/directory/index/create-indexed-directory';
import type { IndexedRecord } from '../src/directory/index/record-mapping';
import { silentLogger } from '../src/logging/logger';
import { JsforceSalesforceGateway } from '../src/salesforce/jsforce-gateway';
import { openDatabase } from '../src/storage/database';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

const NUMBERS = option('numbers', 1_000_000);
const LOOKUPS = option('lookups', 100_000);
const SYNC = option('sync', 100_000);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/** A Salesforce-looking 18-character id (valid shape; the checksum does not matter here). */
function fakeId(prefix: string, n: number): string {
  return `${prefix}Hs00${n.toString(36).padStart(8, '0')}AAA`;
}

/** Distinct US numbers in the fictional 555 ranges and German Heilbronn numbers, by index. */
function fakeNumber(n: number): string {
  return n % 2 === 0
    ? `+1${String(200 + ((n >> 1) % 700))}555${String(Math.floor(n / 1400) % 10000).padStart(4, '0')}`
    : `+497131${String(Math.floor(n / 2)).padStart(7, '0')}`;
}

function syntheticRecord(n: number): IndexedRecord {
  const object = (['Contact', 'Lead', 'Account'] as const)[n % 3] ?? 'Contact';
  const prefix = object === 'Contact' ? '003' : object === 'Lead' ? '00Q' : '001';
  return {
    id: fakeId(prefix, n),
    object,
    name: `Person ${n}`,
    firstName: 'Person',
    lastName: String(n),
    company: object === 'Account' ? null : `Company ${n % 5000}`,
    accountId: object === 'Contact' ? fakeId('001', n % 5000) : null,
    ownerId: fakeId('005', n % 50),
    lastModifiedAt: '2026-03-01T10:00:00.000+0000',
    modstamp: '2026-03-01T10:00:00.000+0000',
    // Two numbers per record: Phone and MobilePhone.
    numbers: [
      { e164: fakeNumber(2 * n), field: 'Phone' },
      { e164: fakeNumber(2 * n + 1), field: 'MobilePhone' },
    ],
  };
}

function dbSize(file: string): number {
  return [file, `${file}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'directory-bench-'));
  const logger = silentLogger();
  const config = {
    directory: parseDirectoryConfig({ enabled: true, bulkThreshold: 1000 }),
    phone: PhoneSchema.parse({ defaultCountry: 'US' }),
    lookup: LookupSchema.parse({}),
  };
  console.log(`Directory index benchmark — node ${process.version}, ${cpus().length} CPUs`);

  // ---- 1. Build an index of NUMBERS numbers straight into the database.
  const file = path.join(dir, 'index.db');
  const db = openDatabase(file, logger);
  const noSalesforce = new JsforceSalesforceGateway({
    loginUrl: 'http://127.0.0.1:9',
    flow: 'client_credentials',
    clientId: 'none',
    clientSecret: 'none',
    apiVersion: '62.0',
    logger,
  });
  const feature = createIndexedDirectory({ config, db, gateway: noSalesforce, logger });
  const records = NUMBERS / 2;
  const buildStart = performance.now();
  const BATCH = 10_000;
  for (let start = 0; start < records; start += BATCH) {
    const batch: IndexedRecord[] = [];
    for (let n = start; n < Math.min(records, start + BATCH); n++) batch.push(syntheticRecord(n));
    await feature.index.upsert(batch, 1);
  }
  for (const object of ['Contact', 'Lead', 'Account'] as const)
    await feature.index.saveState({
      object,
      phase: 'incremental',
      loadGeneration: 1,
      resumeAfterId: null,
      bulkJobId: null,
      bulkLocator: null,
      loaded: 0,
      initialStartedAt: null,
      watermark: new Date().toISOString(),
      deletedCheckedAt: new Date().toISOString(),
      lastSyncAt: new Date().toISOString(),
    });
  db.pragma('wal_checkpoint(TRUNCATE)');
  const buildSeconds = (performance.now() - buildStart) / 1000;
  const numbers = await feature.index.numberCount();
  console.log(
    `index built: ${numbers} numbers, ${records} records in ${buildSeconds.toFixed(1)} s; database ${mb(dbSize(file))}`,
  );

  // ---- 2. Lookups: hits through the CallerDirectory, misses through the index.
  const hitTimes: number[] = [];
  const missTimes: number[] = [];
  let found = 0;
  for (let i = 0; i < LOOKUPS; i++) {
    const n = Math.floor(Math.random() * NUMBERS);
    const t0 = performance.now();
    const matches = await feature.directory.findByNumber(fakeNumber(n));
    hitTimes.push(performance.now() - t0);
    if (matches.length > 0) found++;
    const miss = `+1999555${String(i % 10000).padStart(4, '0')}`;
    const t1 = performance.now();
    await feature.index.find(miss);
    missTimes.push(performance.now() - t1);
  }
  hitTimes.sort((a, b) => a - b);
  missTimes.sort((a, b) => a - b);
  if (global.gc !== undefined) global.gc();
  const memory = process.memoryUsage();
  console.log(
    `lookups (${LOOKUPS} hits, ${found} found): p50 ${pct(hitTimes, 50).toFixed(3)} ms, p99 ${pct(hitTimes, 99).toFixed(3)} ms, max ${pct(hitTimes, 100).toFixed(3)} ms`,
  );
  console.log(
    `index misses (${LOOKUPS}): p50 ${pct(missTimes, 50).toFixed(3)} ms, p99 ${pct(missTimes, 99).toFixed(3)} ms`,
  );
  console.log(
    `memory after lookups: RSS ${mb(memory.rss)}, heap used ${mb(memory.heapUsed)}; API requests ${feature.status().apiRequests.sinceStart}`,
  );
  await feature.stop();
  db.close();

  // ---- 3. Initial sync of SYNC Contacts from the emulated org through Bulk API 2.0.
  const seed = {
    Contact: Array.from({ length: SYNC }, (_, i) => ({
      FirstName: 'Sync',
      LastName: `Contact ${i}`,
      Phone: `(${String(200 + (i % 700))}) 555-${String(Math.floor(i / 700) % 10000).padStart(4, '0')}`,
      MobilePhone: `07131 ${String(100000 + i)}`,
      MailingCountry: i % 2 === 0 ? 'Germany' : 'USA',
    })),
  };
  const org = await EmulatedOrg.start({ seed, logger });
  const syncDb = openDatabase(path.join(dir, 'sync.db'), logger);
  const gateway = new JsforceSalesforceGateway({
    loginUrl: org.url,
    flow: 'client_credentials',
    clientId: org.credentials.clientId,
    clientSecret: org.credentials.clientSecret,
    apiVersion: '62.0',
    logger,
    bulkPollMs: 200,
    requestTimeoutMs: 120_000,
  });
  const syncFeature = createIndexedDirectory({
    config: { ...config, directory: { ...config.directory, objects: ['Contact'] } },
    db: syncDb,
    gateway,
    logger,
  });
  const syncStart = performance.now();
  const report = await syncFeature.sync.run();
  const syncSeconds = (performance.now() - syncStart) / 1000;
  const status = syncFeature.status();
  console.log(
    `initial sync of ${SYNC} Contacts (${report.objects[0]?.mode ?? '?'}): ${syncSeconds.toFixed(1)} s, ${status.numbers} numbers indexed, ${report.apiRequests} API requests (org counted ${org.apiCalls})`,
  );
  await syncFeature.stop();
  syncDb.close();
  await org.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
