// The AstDB push: what it writes on the first run, only the difference afterwards (renames,
// removals), nothing again after a restart, names safe for a line-based AMI frame, keys in each
// format, the pace limit on a fake clock, and a failed push resumed from its checkpoint.
import { AstDbSchema } from '../../../src/config/schema';
import {
  AstDbPusher,
  astDbKey,
  sanitizeCallerName,
} from '../../../src/directory/astdb/astdb-pusher';
import { DirectoryIndex } from '../../../src/directory/index/directory-index';
import type { IndexedRecord } from '../../../src/directory/index/record-mapping';
import { ErrorCodes, SwitchboardError } from '../../../src/errors';
import { silentLogger } from '../../../src/logging/logger';
import type { AstDbWriter } from '../../../src/pbx/astdb-writer';
import { openDatabase, type Database } from '../../../src/storage/database';
import { Teardown } from '../../support/teardown';

interface Op {
  op: 'put' | 'del';
  family: string;
  key: string;
  value?: string;
  at: number;
}

class FakeWriter implements AstDbWriter {
  readonly ops: Op[] = [];
  failAfter: number | undefined;
  constructor(private readonly clock: FakeClock) {}
  put(family: string, key: string, value: string): Promise<void> {
    this.check();
    this.ops.push({ op: 'put', family, key, value, at: this.clock.time });
    return Promise.resolve();
  }
  del(family: string, key: string): Promise<void> {
    this.check();
    this.ops.push({ op: 'del', family, key, at: this.clock.time });
    return Promise.resolve();
  }
  private check(): void {
    if (this.failAfter !== undefined && this.ops.length >= this.failAfter)
      throw new SwitchboardError(ErrorCodes.PBX_UNREACHABLE, 'the connection to Asterisk was lost');
  }
}

/** Time moves only when the pusher sleeps. */
class FakeClock {
  time = 1_750_000_000_000;
  readonly sleeps: number[] = [];
  now = (): number => this.time;
  sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.time += ms;
    return Promise.resolve();
  };
}

function record(id: string, name: string, numbers: string[], modified = '2025-01-01T00:00:00Z') {
  const r: IndexedRecord = {
    id,
    object: id.startsWith('003') ? 'Contact' : id.startsWith('00Q') ? 'Lead' : 'Account',
    name,
    firstName: null,
    lastName: null,
    company: null,
    accountId: null,
    ownerId: null,
    lastModifiedAt: modified,
    modstamp: modified,
    numbers: numbers.map((e164) => ({ e164, field: 'Phone' })),
  };
  return r;
}

const JONAS = '003Hs00000C0001AAA';
const PRIYA = '003Hs00000C0002AAA';
const ACME = '001Hs00000A0001AAA';

describe('AstDbPusher', () => {
  let db: Database;
  let index: DirectoryIndex;
  let clock: FakeClock;
  let writer: FakeWriter;

  const pusher = (config: Record<string, unknown> = {}) =>
    new AstDbPusher({
      source: index,
      db,
      writer,
      config: AstDbSchema.parse({ enabled: true, ...config }),
      phone: { defaultCountry: 'DE' },
      logger: silentLogger(),
      now: clock.now,
      sleep: clock.sleep,
    });

  const teardown = new Teardown();

  beforeEach(() => {
    db = teardown.add(openDatabase(':memory:', silentLogger()), (d) => d.close());
    index = new DirectoryIndex(db, silentLogger());
    clock = new FakeClock();
    writer = new FakeWriter(clock);
    index.upsert(
      [
        record(JONAS, 'Jonas Weber', ['+497131123456', '+4915112345678']),
        record(PRIYA, 'Priya Nair', ['+14155550100']),
        // Shares Jonas's office number; the Contact wins (as in the caller-name endpoint).
        record(ACME, 'Neckar GmbH', ['+497131123456'], '2024-01-01T00:00:00Z'),
      ],
      1,
    );
  });

  afterEach(() => teardown.run());

  it('pushes every number on the first run, the best match per number', async () => {
    const report = await pusher().push();

    expect(report).toEqual({ put: 3, deleted: 0, unchanged: 0 });
    expect(writer.ops.map(({ op, family, key, value }) => ({ op, family, key, value }))).toEqual(
      expect.arrayContaining([
        { op: 'put', family: 'cidname', key: '+497131123456', value: 'Jonas Weber' },
        { op: 'put', family: 'cidname', key: '+4915112345678', value: 'Jonas Weber' },
        { op: 'put', family: 'cidname', key: '+14155550100', value: 'Priya Nair' },
      ]),
    );
    expect(writer.ops).toHaveLength(3);
  });

  it('then pushes only renamed and new numbers and deletes removed ones', async () => {
    await pusher().push();
    writer.ops.length = 0;
    index.upsert(
      [
        record(JONAS, 'Jonas Weber-Braun', ['+497131123456', '+4915112345678']),
        record('003Hs00000C0009AAA', 'New Person', ['+33142685300']),
      ],
      1,
    );
    index.remove([PRIYA]);

    const report = await pusher().push();

    expect(report).toEqual({ put: 3, deleted: 1, unchanged: 0 });
    expect(writer.ops.map(({ op, key }) => `${op} ${key}`).sort()).toEqual([
      'del +14155550100',
      'put +33142685300',
      'put +4915112345678',
      'put +497131123456',
    ]);
  });

  it('does not push anything again after a restart when nothing changed', async () => {
    await pusher().push();
    writer.ops.length = 0;

    // A new pusher on the same database: what the bridge builds after a restart.
    const report = await pusher().push();

    expect(report).toEqual({ put: 0, deleted: 0, unchanged: 3 });
    expect(writer.ops).toEqual([]);
  });

  it('continues an interrupted push from its checkpoint', async () => {
    writer.failAfter = 1;
    const first = pusher();
    await expect(first.push()).rejects.toMatchObject({
      code: ErrorCodes.DIRECTORY_ASTDB_PUSH_FAILED,
    });
    expect(first.status().lastError?.code).toBe(ErrorCodes.DIRECTORY_ASTDB_PUSH_FAILED);
    expect(writer.ops).toHaveLength(1);
    writer.failAfter = undefined;

    const report = await pusher().push();

    expect(report).toEqual({ put: 2, deleted: 0, unchanged: 1 });
    expect(new Set(writer.ops.map((o) => o.key)).size).toBe(3);
  });

  it('moves the names when the family or key format changes', async () => {
    await pusher().push();
    writer.ops.length = 0;

    await pusher({ family: 'sfname', keyFormat: 'national' }).push();

    const ops = writer.ops.map(({ op, family, key }) => `${op} ${family}/${key}`).sort();
    expect(ops).toEqual([
      'del cidname/+14155550100',
      'del cidname/+4915112345678',
      'del cidname/+497131123456',
      'put sfname/0014155550100',
      'put sfname/015112345678',
      'put sfname/07131123456',
    ]);
  });

  it('sends names with CR/LF and control characters as one clean header value', async () => {
    index.upsert(
      [record(PRIYA, 'Priya\r\nAction: Originate\u0000\tNair\u2028', ['+14155550100'])],
      1,
    );

    await pusher().push();

    const put = writer.ops.find((o) => o.key === '+14155550100');
    expect(put).toMatchObject({ op: 'put', value: 'Priya Action: Originate Nair' });
  });

  it('paces the actions at actionsPerSecond on the clock it is given', async () => {
    const many = Array.from({ length: 120 }, (_, i) =>
      record(`003Hs0000D${String(i).padStart(5, '0')}AAA`, `Person ${String(i)}`, [
        `+1415555${String(1000 + i)}`,
      ]),
    );
    index.upsert(many, 1);
    const start = clock.time;

    const report = await pusher({ actionsPerSecond: 50 }).push();

    expect(report.put).toBe(123);
    const times = writer.ops.map((o) => o.at);
    // No window of one second holds more than 50 actions.
    for (let i = 50; i < times.length; i++)
      expect((times[i] ?? 0) - (times[i - 50] ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(clock.time - start).toBeGreaterThanOrEqual(122 * 20);
  });
});

describe('sanitizeCallerName', () => {
  it.each([
    ['Jonas Weber', 40, 'Jonas Weber'],
    ['  Jonas \n\r Weber  ', 40, 'Jonas Weber'],
    ['Zoë Ångström-Müller', 40, 'Zoë Ångström-Müller'],
    ['A very long company name that goes on and on', 10, 'A very lon'],
    ['Emoji 😀😀', 7, 'Emoji 😀'],
    ['\r\n', 40, ''],
  ])('%j (max %d) → %j', (input, max, expected) => {
    expect(sanitizeCallerName(input, max)).toBe(expected);
  });

  it('keeps an AstDB value within 255 bytes', () => {
    expect(Buffer.byteLength(sanitizeCallerName('漢'.repeat(100), 100))).toBeLessThanOrEqual(255);
  });
});

describe('astDbKey', () => {
  it.each([
    ['+497131123456', 'e164', 'DE', '+497131123456'],
    ['+497131123456', 'digits', 'DE', '497131123456'],
    ['+497131123456', 'national', 'DE', '07131123456'],
    ['+14155550100', 'national', 'DE', '0014155550100'],
    ['+14155550100', 'national', 'US', '4155550100'],
    ['not a number', 'e164', 'US', undefined],
  ] as const)('%s as %s from %s → %s', (e164, format, country, expected) => {
    expect(astDbKey(e164, format, country)).toBe(expected);
  });
});
