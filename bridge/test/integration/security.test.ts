// Issue 2's security acceptance tests through the running bridge: tokens that must be
// refused, origins that must be refused, and webhook bodies that must get a 400 with a code.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, importPKCS8 } from 'jose';
import type { RunningBridge } from '../../src/bridge';
import { DEMO_USERS, RepClient, postPbxEvent, startTestBridge } from '../support/test-bridge';
import { Teardown } from '../support/teardown';

const ANA = DEMO_USERS[0]!;

describe('bridge security', () => {
  let bridge: RunningBridge;
  const teardown = new Teardown();
  beforeAll(async () => {
    bridge = await startTestBridge({
      config: {
        server: {
          port: 0,
          host: '127.0.0.1',
          allowedOrigins: ['https://acme.lightning.force.com'],
        },
      },
    });
    teardown.add(bridge, (b) => b.stop());
  });
  afterAll(() => teardown.run());

  async function expectRefused(token: string, code: string): Promise<void> {
    const client = await RepClient.connect(bridge, token);
    expect(await client.waitForClose()).toBe(4401);
    expect(client.frames).toContainEqual(expect.objectContaining({ type: 'error', code }));
    expect(client.frames.some((f) => f.type === 'ready')).toBe(false);
  }

  it('accepts a token signed by the org', async () => {
    const client = await RepClient.connect(
      bridge,
      await bridge.emulatedOrg!.identity.signToken(ANA.Id),
    );
    const ready = await client.waitFor((f) => f.type === 'ready');
    expect(ready.user).toEqual({ id: ANA.Id, email: ANA.Email });
    client.close();
  });

  it('refuses a forged token (signed with another key)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = await importPKCS8(
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      'RS256',
    );
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ email: ANA.Email })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(bridge.emulatedOrg!.orgId)
      .setSubject(ANA.Id)
      .setAudience('switchboard-bridge')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .setJti(randomUUID())
      .sign(key);
    await expectRefused(forged, 'AUTH_TOKEN_INVALID');
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(
      await bridge.emulatedOrg!.identity.signToken(ANA.Id, { iat: now - 900, exp: now - 600 }),
      'AUTH_TOKEN_EXPIRED',
    );
  });

  it('refuses a replayed token', async () => {
    const token = await bridge.emulatedOrg!.identity.signToken(ANA.Id);
    const first = await RepClient.connect(bridge, token);
    await first.waitFor((f) => f.type === 'ready');
    first.close();
    await expectRefused(token, 'AUTH_TOKEN_REPLAYED');
  });

  it('refuses a token from another org', async () => {
    await expectRefused(
      await bridge.emulatedOrg!.identity.signToken(ANA.Id, { iss: '00D000000000999AAA' }),
      'AUTH_ORG_NOT_ALLOWED',
    );
  });

  it('refuses a token for another audience', async () => {
    await expectRefused(
      await bridge.emulatedOrg!.identity.signToken(ANA.Id, { aud: 'someone-else' }),
      'AUTH_WRONG_AUDIENCE',
    );
  });

  it('refuses a browser origin that is not allowed, and accepts an allowed one', async () => {
    const foreign = await RepClient.connect(bridge, 'x', { origin: 'https://evil.example' });
    expect(await foreign.waitForClose()).toBe(4403);
    expect(foreign.frames).toEqual([
      expect.objectContaining({ type: 'error', code: 'WS_ORIGIN_NOT_ALLOWED' }),
    ]);
    const allowed = await RepClient.connect(
      bridge,
      await bridge.emulatedOrg!.identity.signToken(ANA.Id),
      {
        origin: 'https://acme.lightning.force.com',
      },
    );
    await allowed.waitFor((f) => f.type === 'ready');
    allowed.close();
  });

  it('answers a bad frame with an error and keeps the socket open', async () => {
    const client = await RepClient.connectAs(bridge, ANA.Email);
    client.socket.send('{not json');
    await client.waitFor((f) => f.type === 'error' && f.code === 'WS_BAD_FRAME');
    client.send({ type: 'call.link', callId: 'nope:201', recordId: '003000000000001AAA' });
    await client.waitFor((f) => f.type === 'error' && f.code === 'CALL_NOT_FOUND');
    expect(client.closeCode).toBeUndefined();
    client.close();
  });

  describe('webhook', () => {
    it('refuses a wrong token with 401', async () => {
      const response = await postPbxEvent(
        bridge,
        { callId: 'a', event: 'ringing', direction: 'inbound', extension: '201', number: '1' },
        'wrong',
      );
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: { code: 'PBX_WEBHOOK_UNAUTHORIZED' } });
    });

    it.each([
      ['not JSON', '{"callId":', 'HTTP_BAD_JSON'],
      [
        'no callId',
        { event: 'ringing', direction: 'inbound', extension: '201', number: '+14155551212' },
        'PBX_EVENT_INVALID',
      ],
      [
        'an unknown event',
        { callId: 'c1', event: 'exploded', direction: 'inbound', extension: '201', number: '1' },
        'PBX_EVENT_INVALID',
      ],
      [
        'a bad direction',
        { callId: 'c1', event: 'ringing', direction: 'sideways', extension: '201', number: '1' },
        'PBX_EVENT_INVALID',
      ],
      [
        'neither extension nor userEmail',
        { callId: 'c1', event: 'ringing', direction: 'inbound', number: '1' },
        'PBX_EVENT_INVALID',
      ],
      [
        'ringing without a number',
        { callId: 'c1', event: 'ringing', direction: 'inbound', extension: '201' },
        'PBX_EVENT_INVALID',
      ],
      [
        'a bad timestamp',
        { callId: 'c1', event: 'ended', direction: 'inbound', extension: '201', at: 'yesterday' },
        'PBX_EVENT_INVALID',
      ],
      ['an array of strings', ['x'], 'PBX_EVENT_INVALID'],
    ])('answers %s with 400 and a code', async (_what, body, code) => {
      const response = await postPbxEvent(bridge, body);
      expect(response.status).toBe(400);
      const error = (response.body as { error?: { code?: unknown; message?: unknown } }).error;
      expect(error?.code).toBe(code);
      expect(typeof error?.message).toBe('string');
    });

    it('keeps working after bad input', async () => {
      const client = await RepClient.connectAs(bridge, ANA.Email);
      const response = await postPbxEvent(bridge, {
        callId: 'after-bad',
        event: 'ringing',
        direction: 'inbound',
        extension: '201',
        number: '+1 415 555 0000',
      });
      expect(response.status).toBe(202);
      await client.waitForCall((c) => c.id.startsWith('after-bad:'));
      client.close();
    });
  });
});

describe('demo endpoints', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('exist only when the bridge listens on this machine alone', async () => {
    const local = teardown.add(await startTestBridge(), (b) => b.stop());
    const open = teardown.add(
      await startTestBridge({ config: { server: { port: 0, host: '0.0.0.0' } } }),
      (b) => b.stop(),
    );
    expect((await fetch(`${local.httpUrl}/demo/token`)).status).toBe(200);
    // Listening on every interface: no token minting, no record reading for anyone.
    expect((await fetch(`${open.httpUrl}/demo/token`)).status).toBe(404);
    expect(local.demoEndpoints).toBe(true);
    expect(open.demoEndpoints).toBe(false);
  });
});
