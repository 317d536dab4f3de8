// CallService: the ring is published before the lookup answers, the lookup result follows,
// failures and withheld/internal numbers are handled, and ring-group legs share one lookup.
import type { Call } from '../../src/calls/call';
import { CallService, type CallServiceOptions, type RankFn } from '../../src/calls/call-service';
import { MemoryCallStore } from '../../src/calls/call-store';
import { CallTracker } from '../../src/calls/call-tracker';
import type { CallerDirectory, DirectoryMatch } from '../../src/calls/caller-directory';
import { PhoneSchema } from '../../src/config/schema';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import * as logging from '../../src/logging/logger';
import { createLogger, silentLogger } from '../../src/logging/logger';
import { normalizeNumber } from '../../src/phone/phone-number';
import type { UserDirectory } from '../../src/users/user-directory';
import { captureLogger } from '../support/capture-logger';

const AT = new Date('2025-03-01T10:00:00.000Z');
const PHONE = PhoneSchema.parse({ defaultCountry: 'US' });
const LOOKUP = { cacheTtlSeconds: 60, recentWindowMinutes: 30, maxMatches: 10 };

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const ADA: DirectoryMatch = {
  id: '003000000000001AAA',
  object: 'Contact',
  name: 'Ada Lovelace',
  phoneField: 'Phone',
  ownerId: '005000000000002AAA',
  lastModifiedAt: '2025-01-01T00:00:00.000Z',
};
const BO: DirectoryMatch = {
  id: '00Q000000000001AAA',
  object: 'Lead',
  name: 'Bo Diddley',
  phoneField: 'MobilePhone',
  ownerId: '005000000000001AAA',
  lastModifiedAt: '2025-01-02T00:00:00.000Z',
};

/** Reps 201 (owner of Bo) and 202 (owner of Ada); 999 belongs to nobody. */
const users: UserDirectory = {
  extensionsForEmail: (email) =>
    ({ 'ann@example.com': ['201'], 'ben@example.com': ['202'] })[email.toLowerCase()] ?? [],
  emailForExtension: (ext) => ({ '201': 'ann@example.com', '202': 'ben@example.com' })[ext],
  salesforceUserIdForEmail: (email) =>
    ({ 'ann@example.com': '005000000000001AAA', 'ben@example.com': '005000000000002AAA' })[email],
  extensionsForRep: () => [],
  warningsForRep: () => [],
};

/** Puts the rep's own records first, so the test sees ranking happen per leg. */
const rank: RankFn = (matches, { repUserId, max }) =>
  [...matches]
    .sort((a, b) => Number(b.ownerId === repUserId) - Number(a.ownerId === repUserId))
    .slice(0, max)
    .map(({ lastModifiedAt: _ignored, ...match }) => match);

function setup(directory: CallerDirectory, extra: Partial<CallServiceOptions> = {}) {
  const published: Call[] = [];
  const service = new CallService({
    tracker: new CallTracker(),
    directory,
    users,
    phone: PHONE,
    lookup: LOOKUP,
    publish: (call) => published.push(call),
    logger: silentLogger(),
    rank,
    housekeepingIntervalMs: 0,
    ...extra,
  });
  return { service, published };
}

const ring = (extension: string, number = '+1 415 555 0100', pbxCallId = 'c1') =>
  ({
    type: 'ringing',
    pbxCallId,
    extension,
    direction: 'inbound',
    number,
    at: AT,
  }) as const;

describe('CallService', () => {
  describe('the ringing line at debug', () => {
    afterEach(() => jest.restoreAllMocks());

    it('carries the whole number at debug', () => {
      const { logger, lines } = captureLogger('debug');
      const { service } = setup({ findByNumber: () => Promise.resolve([]) }, { logger });

      service.handleEvent(ring('201'));

      expect(lines.find((l) => l.msg === 'call ringing')).toMatchObject({
        pbxCallId: 'c1',
        extension: '201',
        number: '+1 415 555 0100',
      });
    });

    it('is not built at info: the number is not even masked for it', () => {
      const masked = jest.spyOn(logging, 'numberForLog');
      const { logger, lines } = captureLogger('info');
      const { service, published } = setup({ findByNumber: () => Promise.resolve([]) }, { logger });

      service.handleEvent(ring('201'));

      expect(published).toHaveLength(1);
      expect(lines.filter((l) => l.msg === 'call ringing')).toEqual([]);
      expect(masked).not.toHaveBeenCalled();
    });
  });

  it('publishes the ring as pending before the lookup answers, then the ranked matches', async () => {
    const answer = deferred<DirectoryMatch[]>();
    const findByNumber = jest.fn(() => answer.promise);
    const { service, published } = setup({ findByNumber });

    service.handleEvent(ring('201'));
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      id: 'c1:201',
      state: 'ringing',
      e164: '+14155550100',
      lookup: 'pending',
      matches: [],
    });
    expect(findByNumber).toHaveBeenCalledWith('+14155550100');

    answer.resolve([ADA, BO]);
    await service.whenIdle();
    expect(published).toHaveLength(2);
    expect(published[1]?.lookup).toBe('done');
    // 201 is Ann, owner of Bo: her record comes first.
    expect(published[1]?.matches.map((m) => m.id)).toEqual([BO.id, ADA.id]);
    expect(published[1]?.matches[0]).not.toHaveProperty('lastModifiedAt');
  });

  it('carries the matches along on later state changes', async () => {
    const { service, published } = setup({ findByNumber: () => Promise.resolve([ADA]) });
    service.handleEvent(ring('201'));
    await service.whenIdle();
    service.handleEvent({ type: 'answered', pbxCallId: 'c1', extension: '201', at: AT });
    expect(published.at(-1)).toMatchObject({ state: 'connected', lookup: 'done' });
    expect(published.at(-1)?.matches.map((m) => m.id)).toEqual([ADA.id]);
  });

  it('marks the lookup failed, logging once with the code and a masked number', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l) => lines.push(l) } });
    const { service, published } = setup(
      {
        findByNumber: () =>
          Promise.reject(new SwitchboardError(ErrorCodes.SF_UNAVAILABLE, 'Salesforce is down')),
      },
      { logger },
    );
    service.handleEvent(ring('201'));
    await service.whenIdle();
    expect(published.map((c) => c.lookup)).toEqual(['pending', 'failed']);
    const failures = lines.filter((l) => l.includes('SF_UNAVAILABLE'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).not.toContain('4155550100');
    expect(failures[0]).toContain('+141******00');
  });

  it.each([
    ['withheld', 'anonymous'],
    ['internal', '203'],
  ])('does not look up a %s number at all', async (_kind, number) => {
    const findByNumber = jest.fn(() => Promise.resolve([ADA]));
    const { service, published } = setup({ findByNumber });
    service.handleEvent(ring('201', number));
    await service.whenIdle();
    expect(findByNumber).not.toHaveBeenCalled();
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ lookup: 'done', matches: [], e164: null });
  });

  it('publishes a ring the directory knows already once, with its ranked matches', async () => {
    const findByNumber = jest.fn(() => Promise.resolve([ADA]));
    const knownMatches = jest.fn((e164: string) =>
      e164 === '+14155550100' ? [ADA, BO] : undefined,
    );
    const { service, published } = setup({ findByNumber, knownMatches });

    service.handleEvent(ring('201'));
    service.handleEvent(ring('202'));
    await service.whenIdle();

    expect(findByNumber).not.toHaveBeenCalled();
    expect(knownMatches).toHaveBeenCalledTimes(1);
    expect(published.map((c) => [c.id, c.lookup, c.matches.map((m) => m.id)])).toEqual([
      ['c1:201', 'done', [BO.id, ADA.id]],
      ['c1:202', 'done', [ADA.id, BO.id]],
    ]);

    // A number it does not know is looked up as before: the ring first, then the answer.
    service.handleEvent(ring('201', '+1 415 555 0199', 'c2'));
    await service.whenIdle();
    expect(findByNumber).toHaveBeenCalledWith('+14155550199');
    expect(published.slice(2).map((c) => c.lookup)).toEqual(['pending', 'done']);
  });

  it('normalizes a ringing number once however often it rings', async () => {
    const normalize = jest.fn(normalizeNumber);
    const { service, published } = setup(
      { findByNumber: () => Promise.resolve([]) },
      { normalize },
    );
    service.handleEvent(ring('201', '+1 415 555 0100', 'c1'));
    service.handleEvent(ring('201', '+1 415 555 0100', 'c2'));
    service.handleEvent(ring('202', '(415) 555-0101', 'c3'));
    await service.whenIdle();

    expect(normalize).toHaveBeenCalledTimes(2);
    expect(published.filter((c) => c.lookup === 'pending').map((c) => c.e164)).toEqual([
      '+14155550100',
      '+14155550100',
      '+14155550101',
    ]);
  });

  it('looks up once for two legs of one call and ranks for each rep', async () => {
    const answer = deferred<DirectoryMatch[]>();
    const findByNumber = jest.fn(() => answer.promise);
    const { service, published } = setup({ findByNumber });
    service.handleEvent(ring('201'));
    service.handleEvent(ring('202'));
    expect(findByNumber).toHaveBeenCalledTimes(1);
    answer.resolve([ADA, BO]);
    await service.whenIdle();
    const done = published.filter((c) => c.lookup === 'done');
    expect(done.map((c) => [c.id, c.matches[0]?.id])).toEqual([
      ['c1:201', BO.id],
      ['c1:202', ADA.id],
    ]);
    // A third leg after the lookup answered gets the result at once, without a new lookup.
    service.handleEvent(ring('203'));
    expect(findByNumber).toHaveBeenCalledTimes(1);
    expect(published.at(-1)).toMatchObject({ id: 'c1:203', lookup: 'done' });
  });

  it('resolves the extension from userEmail and still tracks unknown extensions', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l) => lines.push(l) } });
    const { service, published } = setup({ findByNumber: () => Promise.resolve([]) }, { logger });
    service.handleEvent({ ...ring('x'), extension: undefined, userEmail: 'BEN@example.com' });
    expect(published.at(-1)?.extension).toBe('202');

    service.handleEvent(ring('999', '+14155550100', 'c2'));
    service.handleEvent(ring('999', '+14155550100', 'c3'));
    expect(service.activeCallsForExtensions(['999']).map((c) => c.id)).toEqual([
      'c2:999',
      'c3:999',
    ]);
    expect(lines.filter((l) => l.includes('PBX_UNKNOWN_EXTENSION'))).toHaveLength(1);

    // An email with no extension: nothing to ring, logged once, no crash.
    service.handleEvent({ ...ring('x', '1', 'c4'), extension: undefined, userEmail: 'x@y.z' });
    service.handleEvent({ ...ring('x', '1', 'c5'), extension: undefined, userEmail: 'x@y.z' });
    expect(lines.filter((l) => l.includes('x@y.z'))).toHaveLength(1);
    expect(published.filter((c) => c.id.startsWith('c4') || c.id.startsWith('c5'))).toEqual([]);
  });

  it("links a record only to a call on the rep's own extensions", () => {
    const { service, published } = setup({ findByNumber: () => Promise.resolve([]) });
    service.handleEvent(ring('201'));
    const codeOf = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (error) {
        return error instanceof SwitchboardError ? error.code : error;
      }
      return 'no error';
    };
    expect(codeOf(() => service.linkRecord(['202'], 'c1:201', ADA.id))).toBe(
      ErrorCodes.CALL_NOT_FOUND,
    );
    expect(codeOf(() => service.linkRecord(['201'], 'nope:201', ADA.id))).toBe(
      ErrorCodes.CALL_NOT_FOUND,
    );
    expect(service.get('c1:201')?.linkedRecordId).toBeUndefined();
    const linked = service.linkRecord(['201'], 'c1:201', ADA.id);
    expect(linked.linkedRecordId).toBe(ADA.id);
    expect(published.at(-1)?.linkedRecordId).toBe(ADA.id);
  });

  it('links an outbound call to the record it was dialed from', () => {
    const asked: string[] = [];
    const { service, published } = setup(
      { findByNumber: () => Promise.resolve([]) },
      {
        dialOrigins: {
          takeDialedRecord: (dialId) => {
            asked.push(dialId);
            return dialId === 'r-1' ? ADA.id : undefined;
          },
        },
      },
    );
    service.handleEvent({ ...ring('201'), direction: 'outbound', dialRequestId: 'r-1' });
    expect(published.at(-1)).toMatchObject({ state: 'dialing', linkedRecordId: ADA.id });
    expect(asked).toEqual(['r-1']);
  });

  it('tells the directory about a linked record the lookup did not find, and only then', async () => {
    const noted: string[] = [];
    const { service } = setup({
      findByNumber: () => Promise.resolve([ADA]),
      noteRecordChanged: (_type, id) => noted.push(id),
    });
    service.handleEvent(ring('201'));
    await service.whenIdle();
    // One of the call's matches (by its 15-character id): the directory knows it already.
    service.linkRecord(['201'], 'c1:201', ADA.id.slice(0, 15));
    expect(noted).toEqual([]);
    // A record created from the pop just now: not searchable yet, so the directory is told.
    service.linkRecord(['201'], 'c1:201', '003000000000009AAA');
    expect(noted).toEqual(['003000000000009AAA']);
  });

  it('tells listeners about every change and survives a throwing publisher', () => {
    const seen: string[] = [];
    const { service } = setup(
      { findByNumber: () => Promise.resolve([]) },
      {
        publish: () => {
          throw new Error('socket gone');
        },
      },
    );
    const off = service.onCallChanged((call) => seen.push(call.state));
    service.handleEvent(ring('201'));
    service.handleEvent({ type: 'ended', pbxCallId: 'c1', at: AT });
    off();
    service.handleEvent(ring('201', '+14155550100', 'c2'));
    expect(seen).toEqual(['ringing', 'ended']);
  });

  it('sends an ended leg with the log status it gets in the same turn: one frame, not two', async () => {
    const { service, published } = setup({ findByNumber: () => Promise.resolve([ADA]) });
    service.handleEvent(ring('201'));
    expect(published.map((c) => c.state)).toEqual(['ringing']); // a ring goes out at once
    await service.whenIdle();
    published.length = 0;

    service.handleEvent({ type: 'ended', pbxCallId: 'c1', extension: '201', at: AT });
    service.setLogStatus('c1:201', { state: 'pending' });
    expect(published).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));

    expect(published).toEqual([
      expect.objectContaining({ id: 'c1:201', state: 'ended', log: { state: 'pending' } }),
    ]);
    // A status later than that turn is a frame of its own.
    service.setLogStatus('c1:201', { state: 'logged', taskId: '00T000000000001AAA' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(published.map((c) => c.log?.state)).toEqual(['pending', 'logged']);

    // A leg that rings again in the same turn (a queue's next cycle) shows its end first.
    published.length = 0;
    const queueRing = { ...ring('202', '+1 415 555 0100', 'c2'), reportsFinish: true } as const;
    const later = (seconds: number) => new Date(AT.getTime() + seconds * 1000);
    service.handleEvent(queueRing);
    service.handleEvent({ type: 'ended', pbxCallId: 'c2', extension: '202', at: later(15) });
    service.handleEvent({ ...queueRing, at: later(16) });
    expect(published.map((c) => `${c.id} ${c.state}`)).toEqual([
      'c2:202 ringing',
      'c2:202 ended',
      'c2:202 ringing',
    ]);
  });

  it('expires stale calls with the injected clock and publishes them', async () => {
    let now = AT;
    const { service, published } = setup(
      { findByNumber: () => Promise.resolve([]) },
      { tracker: new CallTracker({ maxRingMs: 1000 }), now: () => now },
    );
    service.handleEvent(ring('201', 'anonymous'));
    service.expireStale();
    expect(published).toHaveLength(1);
    now = new Date(AT.getTime() + 2000);
    service.expireStale();
    await service.whenIdle();
    expect(published.at(-1)).toMatchObject({ state: 'ended', endReason: 'missed' });
  });
});

describe('CallService: whole PBX calls and the durable store (issue 11)', () => {
  const noMatches: CallerDirectory = { findByNumber: () => Promise.resolve([]) };

  it('finishes a call whose adapter does not report `finished` when its last leg ends', async () => {
    const { service } = setup(noMatches);
    const finished: Array<[string, string[]]> = [];
    service.onCallFinished((id, legs) => {
      finished.push([id, legs.map((l) => l.id)]);
    });
    service.handleEvent(ring('201'));
    service.handleEvent(ring('202'));
    await service.whenIdle();
    service.handleEvent({ type: 'ended', pbxCallId: 'c1', extension: '201', at: AT });
    expect(finished).toEqual([]);
    service.handleEvent({ type: 'ended', pbxCallId: 'c1', extension: '202', at: AT });
    expect(finished).toEqual([['c1', ['c1:201', 'c1:202']]]);
  });

  it('waits for `finished` when the adapter reports it: a queue may ring the leg again', async () => {
    const { service, published } = setup(noMatches);
    const finished: Call[][] = [];
    service.onCallFinished((_id, legs) => {
      finished.push(legs);
    });
    const cycle = (seconds: number) =>
      ({
        ...ring('201'),
        reportsFinish: true,
        at: new Date(AT.getTime() + seconds * 1000),
      }) as const;
    service.handleEvent(cycle(0));
    await service.whenIdle();
    service.handleEvent({
      type: 'ended',
      pbxCallId: 'c1',
      extension: '201',
      reason: 'no-answer',
      at: new Date(AT.getTime() + 15_000),
    });
    service.handleEvent(cycle(16));
    service.handleEvent({
      type: 'answered',
      pbxCallId: 'c1',
      extension: '201',
      at: new Date(AT.getTime() + 18_000),
    });
    service.handleEvent({
      type: 'ended',
      pbxCallId: 'c1',
      extension: '201',
      at: new Date(AT.getTime() + 46_000),
    });
    expect(finished).toEqual([]);
    service.handleEvent({ type: 'finished', pbxCallId: 'c1', at: new Date(AT.getTime() + 46_000) });
    // One leg id, its last state: the answered second cycle.
    expect(finished.map((legs) => legs.map((l) => [l.id, l.endReason]))).toEqual([
      [['c1:201', 'completed']],
    ]);
    await service.whenIdle();
    expect(published.at(-1)).toMatchObject({ state: 'ended', endReason: 'completed' });
  });

  it('a call over while its caller lookup runs is finished when the lookup answers', async () => {
    const answer = deferred<DirectoryMatch[]>();
    const { service } = setup({ findByNumber: () => answer.promise });
    const finished: Call[][] = [];
    service.onCallFinished((_id, legs) => {
      finished.push(legs);
    });
    service.handleEvent(ring('201'));
    service.handleEvent({ type: 'ended', pbxCallId: 'c1', extension: '201', at: AT });
    expect(finished).toEqual([]);
    answer.resolve([ADA]);
    await service.whenIdle();
    expect(finished.map((legs) => legs.map((l) => [l.id, l.lookup, l.matches.length]))).toEqual([
      [['c1:201', 'done', 1]],
    ]);
  });

  it('keeps a finished call in the store until its finish listeners have stored their decision', async () => {
    const store = new MemoryCallStore();
    const { service, published } = setup(noMatches, { store });
    const stored = deferred<undefined>();
    service.onCallFinished(async () => {
      await stored.promise;
    });
    service.handleEvent(ring('201'));
    await service.whenIdle();
    service.handleEvent({ type: 'ended', pbxCallId: 'c1', extension: '201', at: AT });
    // The rep is shown the end (at the end of the turn), but the call log has not stored its
    // row: a SIGKILL now must still find the leg at the next start.
    await new Promise((resolve) => setImmediate(resolve));
    expect(published.at(-1)).toMatchObject({ id: 'c1:201', state: 'ended' });
    const idle = service.whenIdle();
    expect(store.legsOf('c1').map((leg) => leg.call.state)).toEqual(['ended']);
    stored.resolve(undefined);
    await idle;
    expect(store.legsOf('c1')).toEqual([]);
  });

  it('forgets a finished call whose finish listener failed, and says so once', async () => {
    const store = new MemoryCallStore();
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      level: 'error',
      destination: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) },
    });
    const { service } = setup(noMatches, { store, logger });
    service.onCallFinished(() => Promise.reject(new Error('outbox gone')));
    service.handleEvent(ring('201'));
    await service.whenIdle();
    service.handleEvent({ type: 'ended', pbxCallId: 'c1', extension: '201', at: AT });
    await service.whenIdle();
    expect(store.legsOf('c1')).toEqual([]);
    expect(lines.map((l) => [l.msg, l.err])).toEqual([
      ['a call-finished listener failed', 'outbox gone'],
    ]);
  });

  it('finishes at restart a call that was over when the last run died before its decision was stored', async () => {
    const store = new MemoryCallStore();
    const first = setup(noMatches, { store });
    // The process dies before the call log stores anything: the promise never settles.
    first.service.onCallFinished(() => new Promise<void>(() => undefined));
    first.service.handleEvent(ring('201'));
    first.service.handleEvent(ring('202'));
    await first.service.whenIdle();
    first.service.handleEvent({ type: 'answered', pbxCallId: 'c1', extension: '201', at: AT });
    first.service.handleEvent({ type: 'ended', pbxCallId: 'c1', extension: '202', at: AT });
    first.service.handleEvent({ type: 'ended', pbxCallId: 'c1', extension: '201', at: AT });

    const second = setup(noMatches, { store });
    const finished: Array<Array<[string, string]>> = [];
    second.service.onCallFinished((_id, legs) => {
      finished.push(legs.map((leg) => [leg.id, leg.state]));
    });
    const resumed = second.service.restore();
    expect(finished).toEqual([
      [
        ['c1:201', 'ended'],
        ['c1:202', 'ended'],
      ],
    ]);
    // Nothing left for the PBX to check, and nothing shown to the reps again.
    expect(resumed?.openCalls).toEqual([]);
    expect(resumed?.legs).toEqual([]);
    expect(second.published).toEqual([]);
    expect(store.legsOf('c1')).toEqual([]);
  });

  it('restores the calls of the last run from the store and says what the PBX must check', async () => {
    const store = new MemoryCallStore();
    const first = setup(noMatches, { store, now: () => AT });
    first.service.handleEvent({ ...ring('201'), reportsFinish: true });
    first.service.handleEvent({ type: 'answered', pbxCallId: 'c1', extension: '201', at: AT });
    first.service.handleEvent({ ...ring('202', '+1 415 555 0199', 'c2'), reportsFinish: true });
    first.service.handleEvent({ type: 'ended', pbxCallId: 'c2', extension: '202', at: AT });
    await first.service.whenIdle();
    store.markSeen(AT.getTime() + 5000);

    const second = setup(noMatches, { store });
    const resumed = second.service.restore();
    expect(resumed).toEqual({
      legs: [{ pbxCallId: 'c1', extension: '201', direction: 'inbound', answered: true }],
      openCalls: ['c1', 'c2'],
      lastSeenAt: new Date(AT.getTime() + 5000),
    });
    expect(second.service.activeCallsForExtensions(['201']).map((c) => c.state)).toEqual([
      'connected',
    ]);
    expect(second.published.map((c) => c.id)).toEqual(['c1:201']);
    // The PBX says c2 is over: its ended leg, still stored, goes to the finish listeners.
    const finished: string[][] = [];
    second.service.onCallFinished((_id, legs) => {
      finished.push(legs.map((l) => l.id));
    });
    second.service.handleEvent({ type: 'finished', pbxCallId: 'c2', at: AT });
    expect(finished).toEqual([['c2:202']]);
    expect(store.legsOf('c2')).toEqual([]);
    expect(setup(noMatches, { store: new MemoryCallStore() }).service.restore()).toBeUndefined();
  });

  it('finishes a call the PBX never reported as over an hour after its last change', async () => {
    let now = AT;
    const { service } = setup(noMatches, { now: () => now });
    const finished: string[] = [];
    service.onCallFinished((id) => {
      finished.push(id);
    });
    service.handleEvent({ ...ring('201'), reportsFinish: true });
    await service.whenIdle();
    service.handleEvent({ type: 'ended', pbxCallId: 'c1', extension: '201', at: AT });
    now = new Date(AT.getTime() + 59 * 60_000);
    service.expireStale();
    expect(finished).toEqual([]);
    now = new Date(AT.getTime() + 61 * 60_000);
    service.expireStale();
    expect(finished).toEqual(['c1']);
  });

  it('goes on without its durable copy when the store fails', () => {
    const failing = new MemoryCallStore();
    failing.save = () => {
      throw new Error('disk full');
    };
    const { service, published } = setup(noMatches, { store: failing });
    service.handleEvent(ring('201'));
    expect(published).toHaveLength(1);
  });
});
