// The identity replay cache, the same test bodies against one bridge's memory and against
// PostgreSQL (a real server the suite starts); and the point of the shared one: a token used
// at one bridge is refused at every other.
import { ErrorCodes } from '../../src/errors';
import type { IdentityVerifier } from '../../src/hub/identity-verifier';
import {
  MemoryReplayCache,
  PostgresReplayCache,
  type ReplayCache,
} from '../../src/hub/replay-cache';
import { silentLogger } from '../../src/logging/logger';
import { useTestPostgres } from '../support/postgres-server';
import { ORG_ID, generateKeys, signToken, testVerifier, type TestKeys } from './identity-tokens';

const logger = silentLogger();
const server = useTestPostgres();

const stores: Array<[string, () => Promise<ReplayCache>]> = [
  ['memory', () => Promise.resolve(new MemoryReplayCache(logger))],
  [
    'postgres',
    async () => PostgresReplayCache.open(await server.pool(await server.freshDatabase()), logger),
  ],
];

describe.each(stores)('replay cache (%s)', (_name, open) => {
  it('accepts a token id once and refuses it until it expires', async () => {
    const cache = await open();
    expect(await cache.firstUse('org:a', 2_000, 1_000)).toBe(true);
    expect(await cache.firstUse('org:a', 2_000, 1_500)).toBe(false);
    expect(await cache.firstUse('org:b', 2_000, 1_500)).toBe(true);
    // Past its expiry the token itself is refused by exp; its id no longer needs remembering.
    expect(await cache.firstUse('org:a', 40_000, 30_000)).toBe(true);
    expect(await cache.firstUse('org:a', 40_000, 30_001)).toBe(false);
  });

  it('lets exactly one of many simultaneous uses of a token id through', async () => {
    const cache = await open();
    const uses = await Promise.all(
      Array.from({ length: 20 }, () => cache.firstUse('org:raced', 9_000, 1_000)),
    );
    expect(uses.filter(Boolean)).toHaveLength(1);
  });
});

describe('several bridges on one PostgreSQL', () => {
  let keys: TestKeys;
  beforeAll(() => {
    keys = generateKeys();
  });

  async function bridgeVerifier(url: string): Promise<IdentityVerifier> {
    const replayCache = await PostgresReplayCache.open(await server.pool(url), logger);
    return testVerifier(keys, logger, { replayCache });
  }

  it('refuses at every bridge a token one bridge accepted', async () => {
    const url = await server.freshDatabase();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => bridgeVerifier(url)));
    const token = await signToken(keys.privateKey, { iat: Math.floor(Date.now() / 1000) });

    await expect(a?.verify(token)).resolves.toMatchObject({ orgId: ORG_ID });
    await expect(b?.verify(token)).rejects.toMatchObject({ code: ErrorCodes.AUTH_TOKEN_REPLAYED });
    await expect(c?.verify(token)).rejects.toMatchObject({ code: ErrorCodes.AUTH_TOKEN_REPLAYED });
  });
});
