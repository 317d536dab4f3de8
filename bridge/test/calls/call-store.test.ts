// The durable store of calls under way: the same behaviour in SQLite (what the bridge runs)
// and in memory (what CallService uses without a database), and the SQLite rows survive a
// reopened database file, as they must survive a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Call } from '../../src/calls/call';
import {
  MemoryCallStore,
  SqliteCallStore,
  type CallStore,
  type StoredLeg,
} from '../../src/calls/call-store';
import { silentLogger } from '../../src/logging/logger';
import { openDatabase, schemaVersion, type Database } from '../../src/storage/database';

function leg(
  id: string,
  pbxCallId: string,
  state: Call['state'],
  updatedAt: number,
  extra: Partial<Call> = {},
): StoredLeg {
  return {
    call: {
      id,
      direction: 'inbound',
      state,
      extension: id.split(':')[1] ?? '201',
      number: '+15550003333',
      e164: '+15550003333',
      withheld: false,
      internal: false,
      startedAt: '2026-12-01T19:27:47.000Z',
      lookup: 'done',
      matches: [],
      ...extra,
    },
    pbxCallId,
    dialRequestId: undefined,
    reportsFinish: true,
    updatedAt,
  };
}

describe('calls/call-store', () => {
  let dir: string;
  const open: Database[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-calls-'));
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function sqlite(path = join(dir, 'sb.db')): SqliteCallStore {
    const db = openDatabase(path, silentLogger());
    open.push(db);
    return new SqliteCallStore(db, silentLogger());
  }

  const stores: [string, () => CallStore][] = [
    ['sqlite', () => sqlite()],
    ['memory', () => new MemoryCallStore()],
  ];

  it.each(stores)(
    '%s: keeps the last state of each leg, in the order the legs appeared',
    (_n, make) => {
      const store = make();
      store.save(leg('q1:201', 'q1', 'ringing', 1));
      store.save(leg('q1:202', 'q1', 'ringing', 1));
      store.save(leg('x9:203', 'x9', 'connected', 1));
      store.save(leg('q1:201', 'q1', 'ended', 2, { endReason: 'no-answer' }));
      expect(store.legsOf('q1').map((l) => [l.call.id, l.call.state, l.updatedAt])).toEqual([
        ['q1:201', 'ended', 2],
        ['q1:202', 'ringing', 1],
      ]);
      expect(store.legsOf('q1')[0]).toMatchObject({
        pbxCallId: 'q1',
        reportsFinish: true,
        call: { endReason: 'no-answer' },
      });
      store.deleteCall('q1');
      expect(store.all().map((l) => l.call.id)).toEqual(['x9:203']);
    },
  );

  it.each(stores)('%s: lists calls whose legs all ended and did not change since', (_n, make) => {
    const store = make();
    store.save(leg('a:201', 'a', 'ended', 100));
    store.save(leg('b:201', 'b', 'ended', 100));
    store.save(leg('b:202', 'b', 'connected', 100));
    store.save(leg('c:201', 'c', 'ended', 500));
    expect(store.idleCalls(200)).toEqual(['a']);
  });

  it.each(stores)('%s: remembers when the PBX was last seen', (_n, make) => {
    const store = make();
    expect(store.lastSeen()).toBeUndefined();
    store.markSeen(1000);
    store.markSeen(2000);
    expect(store.lastSeen()).toBe(2000);
  });

  it('answers from the rows it wrote, as the file holds them, without reading them back', () => {
    const path = join(dir, 'mirror.db');
    const store = sqlite(path);
    store.save(leg('q1:201', 'q1', 'ringing', 1));
    store.save(leg('q1:202', 'q1', 'ringing', 1));
    store.save(leg('t1:203', 't1', 'connected', 2));
    store.save(leg('q1:201', 'q1', 'ended', 3, { endReason: 'no-answer' }));
    // A transfer moves a leg to another PBX call: it keeps its place (its rowid) in the order.
    store.save(leg('q1:202', 't1', 'connected', 4));
    store.save(leg('t1:204', 't1', 'ringing', 5));
    store.save(leg('d1:205', 'd1', 'ended', 1));
    store.deleteCall('d1');
    const answered = {
      all: store.all(),
      q1: store.legsOf('q1'),
      t1: store.legsOf('t1'),
      idle: store.idleCalls(10),
    };
    expect(answered.t1.map((l) => l.call.id)).toEqual(['q1:202', 't1:203', 't1:204']);
    expect(answered.idle).toEqual(['q1']);
    const fromFile = sqlite(path);
    expect({
      all: fromFile.all(),
      q1: fromFile.legsOf('q1'),
      t1: fromFile.legsOf('t1'),
      idle: fromFile.idleCalls(10),
    }).toEqual(answered);
    // The file is this bridge's own: what it wrote is answered without a read.
    open[0]!.exec('DELETE FROM call_legs');
    expect(store.legsOf('t1')).toEqual(answered.t1);
  });

  it('does not answer with a leg the database refused to store', () => {
    const store = sqlite();
    store.save(leg('q1:201', 'q1', 'ringing', 1));
    open[0]!.exec(`CREATE TRIGGER refuse BEFORE UPDATE ON call_legs
                     BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => store.save(leg('q1:201', 'q1', 'ended', 2))).toThrow('disk full');
    expect(store.legsOf('q1').map((l) => l.call.state)).toEqual(['ringing']);
    expect(() => store.deleteCall('q1')).not.toThrow();
    open[0]!.exec('DROP TRIGGER refuse');
    store.save(leg('q2:201', 'q2', 'ringing', 3));
    open[0]!.exec(`CREATE TRIGGER refuse BEFORE DELETE ON call_legs
                     BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => store.deleteCall('q2')).toThrow('disk full');
    expect(store.all().map((l) => [l.call.id, l.call.state])).toEqual([['q2:201', 'ringing']]);
  });

  it('keeps the legs and the last check in the database file across a restart', () => {
    const path = join(dir, 'restart.db');
    const before = sqlite(path);
    before.save(leg('q1:201', 'q1', 'connected', 5, { answeredAt: '2026-12-01T19:28:03.000Z' }));
    before.markSeen(7);
    open.splice(0).forEach((db) => db.close());
    const after = sqlite(path);
    expect(after.all()).toEqual([
      leg('q1:201', 'q1', 'connected', 5, { answeredAt: '2026-12-01T19:28:03.000Z' }),
    ]);
    expect(after.lastSeen()).toBe(7);
    expect(schemaVersion(open[0]!, 'calls')).toBe(1);
  });
});
