// What the bridge refuses at start rather than failing later, each with the key to fix: an
// identity certificate that cannot verify RS256 (an EC key, a short RSA key) or has expired,
// a server.port another program holds, and a salesforce.emulate seed that is not valid.
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { parseConfig } from '../../src/config/load';
import type { ConfigInput } from '../../src/config/schema';
import { startBridge } from '../../src/bridge';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import { IdentityVerifier } from '../../src/hub/identity-verifier';
import { silentLogger } from '../../src/logging/logger';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-refused-'));

async function refusal(promise: Promise<unknown>): Promise<SwitchboardError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SwitchboardError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

function verifierFor(certificatePem: string, now = Date.now()) {
  return IdentityVerifier.create({
    certificatePem,
    audience: 'switchboard-bridge',
    allowedOrgIds: () => [],
    maxLifetimeSeconds: 300,
    clockToleranceSeconds: 30,
    now: () => now,
    logger: silentLogger(),
  });
}

function bridgeInput(overrides: Partial<ConfigInput> = {}): ConfigInput {
  const seed = path.join(dir, 'seed.json');
  writeFileSync(seed, JSON.stringify({ Contact: [{ LastName: 'Lopez' }] }));
  return {
    server: { port: 0, host: '127.0.0.1' },
    salesforce: { emulate: seed },
    pbx: { adapter: 'simulator', simulator: { intervalSeconds: 0 } },
    storage: { database: ':memory:' },
    log: { level: 'silent' },
    ...overrides,
  };
}

describe('refused at start', () => {
  it('refuses an EC certificate: RS256 needs an RSA key', async () => {
    const ec = await generate([{ name: 'commonName', value: 'Switchboard_Bridge' }], {
      keyType: 'ec',
      algorithm: 'sha256',
    });
    const error = await refusal(verifierFor(ec.cert));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toContain('auth.certificate');
    expect(error.message).toMatch(/EC key/);
    expect(error.message).toContain('RS256');
    expect(error.hint).toContain('Certificate and Key Management');
  });

  it('refuses an RSA key shorter than RS256 accepts', async () => {
    const short = await generate([{ name: 'commonName', value: 'Switchboard_Bridge' }], {
      keySize: 1024,
      algorithm: 'sha256',
    });
    const error = await refusal(verifierFor(short.cert));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toMatch(/1024-bit RSA key/);
    expect(error.message).toContain('2048');
  });

  it('refuses an expired certificate, naming the day it expired', async () => {
    const old = await generate([{ name: 'commonName', value: 'Switchboard_Bridge' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date('2024-01-01T00:00:00Z'),
      notAfterDate: new Date('2025-01-01T00:00:00Z'),
    });
    const error = await refusal(verifierFor(old.cert, Date.parse('2025-03-01T00:00:00Z')));
    expect(error.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(error.message).toContain('auth.certificate expired on 2025-01-01');
    expect(error.hint).toContain('Download Certificate');
    // The same certificate was fine while it was valid.
    await expect(verifierFor(old.cert, Date.parse('2024-06-01T00:00:00Z'))).resolves.toBeInstanceOf(
      IdentityVerifier,
    );
  });

  it('names server.port when another program holds the port', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const error = await refusal(
        startBridge(parseConfig(bridgeInput({ server: { port, host: '127.0.0.1' } })), {
          logger: silentLogger(),
        }),
      );
      expect(error.code).toBe(ErrorCodes.HTTP_PORT_UNAVAILABLE);
      expect(error.message).toContain(`server.port ${port}`);
      expect(error.message).toContain('in use');
      expect(error.hint).toContain('server.port');
      expect(error.stack ?? '').not.toContain('EADDRINUSE: address already in use');
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('names salesforce.emulate when the seed file is not valid JSON', async () => {
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{ "Contact": [ { "LastName": "Lopez" ');
    const error = await refusal(
      startBridge(parseConfig(bridgeInput({ salesforce: { emulate: broken } })), {
        logger: silentLogger(),
      }),
    );
    expect(error.code).toBe(ErrorCodes.DEMO_SEED_INVALID);
    expect(error.message).toMatch(/^salesforce\.emulate: /);
    expect(error.message).toContain(broken);
    expect(error.hint).toContain('salesforce.emulate');
  });

  it('names salesforce.emulate when a seed record is refused', async () => {
    const noName = path.join(dir, 'no-name.json');
    writeFileSync(noName, JSON.stringify({ Contact: [{ FirstName: 'Ana' }] }));
    const error = await refusal(
      startBridge(parseConfig(bridgeInput({ salesforce: { emulate: noName } })), {
        logger: silentLogger(),
      }),
    );
    expect(error.code).toBe(ErrorCodes.DEMO_SEED_INVALID);
    expect(error.message).toMatch(/^salesforce\.emulate: .*Contact\[0\]/);
  });

  it('names salesforce.emulate when the seed file is missing', async () => {
    const error = await refusal(
      startBridge(
        parseConfig(bridgeInput({ salesforce: { emulate: path.join(dir, 'nope.json') } })),
        {
          logger: silentLogger(),
        },
      ),
    );
    expect(error.code).toBe(ErrorCodes.DEMO_SEED_UNREADABLE);
    expect(error.message).toMatch(/^salesforce\.emulate: /);
  });
});
