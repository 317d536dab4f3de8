// Property-based tests of the config loader (config/load.ts, config/schema.ts): whatever file,
// YAML and environment an admin gives it, the bridge starts with a frozen, valid config or
// refuses with CONFIG_FILE_UNREADABLE / CONFIG_YAML_INVALID / CONFIG_INVALID, naming the key and
// saying what to do. A value set through SWITCHBOARD__* reaches the config exactly as typed.
// Input classes: docs/testing.md.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { ENV_PREFIX, loadConfig, parseConfig } from '../../src/config/load';
import { ErrorCodes } from '../../src/errors';
import { anyJson, expectClearError, fuzz, hostileString, thrownBy } from '../support/fuzz';

const CONFIG_ERRORS = [
  ErrorCodes.CONFIG_FILE_UNREADABLE,
  ErrorCodes.CONFIG_YAML_INVALID,
  ErrorCodes.CONFIG_INVALID,
];

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-config-fuzz-'));
let files = 0;
function writeConfig(text: string): string {
  files += 1;
  const file = path.join(dir, `c${files}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** A configuration for a real org and an Asterisk PBX with every section set. */
const FULL = {
  server: {
    port: 8443,
    host: '0.0.0.0',
    publicUrl: 'wss://bridge.acme.example',
    allowedOrigins: ['https://acme.lightning.force.com'],
    heartbeatSeconds: 30,
    helloTimeoutSeconds: 10,
    adminToken: 'admin-token',
  },
  auth: {
    certificate: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----',
    orgIds: ['00D000000000001EAA'],
    maxTokenLifetimeSeconds: 300,
    clockToleranceSeconds: 30,
  },
  salesforce: {
    loginUrl: 'https://acme.my.salesforce.com',
    clientId: '3MVGabc',
    clientSecret: 'secret',
    apiVersion: '62.0',
  },
  phone: {
    defaultCountry: 'DE',
    internalMaxDigits: 6,
    dialFormat: 'national',
    outsideLinePrefix: '0',
  },
  lookup: { cacheTtlSeconds: 60, recentWindowMinutes: 30, maxMatches: 10 },
  pbx: {
    adapter: 'asterisk',
    asterisk: {
      host: 'pbx.acme.internal',
      port: 5038,
      username: 'switchboard',
      secret: 'ami-secret',
      extensionPattern: '^[0-9]{3}$',
      trunkContexts: ['from-trunk'],
    },
    webhook: { token: 'webhook-token', dialUrl: 'https://pbx.acme.internal/dial' },
  },
  users: [{ extension: '201', email: 'ana@acme.example' }],
  storage: { database: '/var/lib/switchboard/switchboard.db' },
  callLog: {
    enabled: true,
    callTypes: ['inbound', 'outbound'],
    subjectTemplate: '{direction} call {number}',
    missedCalls: 'log',
    noteGraceSeconds: 300,
    timeZone: 'Europe/Berlin',
    retry: { baseSeconds: 5, maxSeconds: 300 },
  },
  directory: {
    enabled: true,
    syncIntervalSeconds: 300,
    objects: ['Contact', 'Lead'],
    customPhoneFields: { Contact: ['Direct_Phone__c'] },
    phonebook: { token: 'phonebook-token' },
    astdb: { enabled: true, family: 'cidname', keyFormat: 'e164' },
  },
  log: { level: 'info' },
};

/** Every leaf of a tree, as a path. */
function leaves(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, [...prefix, k]));
}
const PATHS = leaves(FULL);
/** Every mapping (not list) of the config: where a stray key can go. */
function sections(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const here = prefix.length > 0 ? [prefix] : [];
  return [...here, ...Object.entries(value).flatMap(([k, v]) => sections(v, [...prefix, k]))];
}
const SECTIONS = sections(FULL);

function setPath(tree: unknown, at: readonly string[], value: unknown): unknown {
  const copy = structuredClone(tree) as Record<string, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[at[at.length - 1]!] = value;
  return copy;
}

/** The promise of the loader: a frozen config, or a clear config error. */
function loadsOrRefuses(load: () => unknown): { ok: true } | { ok: false; message: string } {
  const thrown = thrownBy(load);
  if (thrown === undefined) {
    const config = load() as Record<string, unknown>;
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    return { ok: true };
  }
  return { ok: false, message: expectClearError(thrown, CONFIG_ERRORS).message };
}

/** Values an admin (or a typo) might put anywhere. */
const anyValue = fc.oneof(
  anyJson,
  hostileString(40),
  fc.constantFrom(-1, 0, 65536, 1e308, '', ' ', 'true', '62', null),
);

describe('config loader (property-based)', () => {
  it('loads the full example, so mutations below start from a valid config', () => {
    expect(loadsOrRefuses(() => parseConfig(FULL))).toEqual({ ok: true });
  });

  it('takes any value at any key, or refuses it naming that key', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), anyValue, (at, value) => {
        const result = loadsOrRefuses(() => parseConfig(setPath(FULL, at, value)));
        // A bad value is named by its key (or by the list or section it sits in).
        if (!result.ok) expect(result.message).toContain(at.slice(0, 2).join('.'));
      }),
      fuzz(1000),
    );
  });

  it('refuses an unknown key in any section, naming it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SECTIONS),
        fc.string({ minLength: 1, maxLength: 12 }).map((k) => `x${k}`),
        anyValue,
        (section, key, value) => {
          const result = loadsOrRefuses(() => parseConfig(setPath(FULL, [...section, key], value)));
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.message).toContain(key);
        },
      ),
      fuzz(300),
    );
  });

  it('refuses or loads any tree of values, never failing otherwise', () => {
    const section = fc.constantFrom(...Object.keys(FULL));
    fc.assert(
      fc.property(fc.oneof(anyJson, fc.dictionary(section, anyJson, { maxKeys: 6 })), (tree) => {
        loadsOrRefuses(() => parseConfig(tree));
      }),
      fuzz(500),
    );
  });

  it('reads any YAML file to the same result as the values it holds', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), anyValue, (at, value) => {
        const tree = setPath(FULL, at, value);
        const fromTree = loadsOrRefuses(() => parseConfig(tree, 'x.yaml'));
        const file = writeConfig(toYaml(tree));
        const fromFile = loadsOrRefuses(() => loadConfig({ file, env: {} }));
        expect(fromFile.ok).toBe(fromTree.ok);
      }),
      fuzz(200),
    );
  });

  it('refuses any text that is not a YAML mapping as CONFIG_YAML_INVALID or CONFIG_INVALID', () => {
    const text = fc.oneof(
      hostileString(200),
      fc.constantFrom(
        '- a\n- b',
        'server: [',
        'server:\n  port: 1\n port: 2',
        '{',
        '"x"',
        'a: &a [*a]',
      ),
      fc
        .array(fc.constantFrom('server:', '  port: 8443', 'pbx:', '\tadapter: x', ': :', '---'), {
          maxLength: 8,
        })
        .map((lines) => lines.join('\n')),
    );
    fc.assert(
      fc.property(text, (yaml) => {
        loadsOrRefuses(() => loadConfig({ file: writeConfig(yaml), env: {} }));
      }),
      fuzz(300),
    );
  });

  it('refuses a file it cannot read as CONFIG_FILE_UNREADABLE', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (name) => {
        const file = path.join(dir, 'missing', name.replace(/[/\u0000]/g, '_'));
        const result = loadsOrRefuses(() => loadConfig({ file, env: {} }));
        expect(result.ok).toBe(false);
      }),
      fuzz(50),
    );
  });

  it('takes any SWITCHBOARD__ environment, or refuses it naming the key', () => {
    const name = fc.oneof(
      fc
        .constantFrom(...PATHS)
        .map((p) => p.map((s) => s.replace(/([A-Z])/g, '_$1').toUpperCase()).join('__')),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          name,
          fc.oneof(hostileString(20), fc.constantFrom('[1, 2', '[]', '0', '1.5')),
          {
            maxKeys: 4,
          },
        ),
        (vars) => {
          const env = Object.fromEntries(
            Object.entries(vars).map(([k, v]) => [`${ENV_PREFIX}${k}`, v]),
          );
          loadsOrRefuses(() => loadConfig({ file: writeConfig(toYaml(FULL)), env }));
        },
      ),
      fuzz(300),
    );
  });

  it('keeps a secret set through the environment exactly as typed (trimmed)', () => {
    const secrets = [
      ['PBX__ASTERISK__SECRET', (c: ReturnType<typeof loadConfig>) => c.pbx.asterisk?.secret],
      ['PBX__WEBHOOK__TOKEN', (c: ReturnType<typeof loadConfig>) => c.pbx.webhook?.token],
      [
        'SALESFORCE__CLIENT_SECRET',
        (c: ReturnType<typeof loadConfig>) => c.salesforce.clientSecret,
      ],
    ] as const;
    const file = writeConfig(toYaml(FULL));
    fc.assert(
      fc.property(
        fc.constantFrom(...secrets),
        fc.oneof(
          fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
          fc.stringMatching(/^[0-9]{1,20}$/),
          fc.constantFrom('0123', '1.50', 'true', '[x]', 'abc #def', '  padded  '),
        ),
        ([key, read], value) => {
          const config = loadConfig({ file, env: { [`${ENV_PREFIX}${key}`]: value } });
          expect(read(config)).toBe(value.trim());
        },
      ),
      fuzz(300),
    );
  });
});

describe('config loader: counterexamples the properties found', () => {
  function refusal(load: () => unknown): string {
    const result = loadsOrRefuses(load);
    if (result.ok) throw new Error('expected a refusal');
    return result.message;
  }

  it.each(['', 'acme.my.salesforce.com', 'https://'])(
    'names salesforce.loginUrl when it is no URL (%j), instead of throwing Invalid URL',
    (loginUrl) => {
      expect(
        refusal(() => parseConfig(setPath(FULL, ['salesforce', 'loginUrl'], loginUrl))),
      ).toContain('salesforce.loginUrl: must be a URL');
    },
  );

  it.each(['123456', '1.50', '0'])(
    'keeps the all-digit secret %s from the environment as text',
    (secret) => {
      const config = loadConfig({
        file: writeConfig(toYaml(FULL)),
        env: { SWITCHBOARD__PBX__ASTERISK__SECRET: secret, SWITCHBOARD__SERVER__PORT: '9443' },
      });
      expect(config.pbx.asterisk?.secret).toBe(secret);
      // Keys that take numbers still get one.
      expect(config.server.port).toBe(9443);
    },
  );

  it('says a secret YAML read as a number must be quoted, rather than that it is missing', () => {
    const file = writeConfig(toYaml(FULL).replace('secret: ami-secret', 'secret: 0123'));
    expect(refusal(() => loadConfig({ file, env: {} }))).toContain(
      'pbx.asterisk.secret must be text: put it in quotes',
    );
  });
});
