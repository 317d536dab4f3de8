// Config: YAML + SWITCHBOARD__* overrides, validated once; every error names the key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, parseConfig } from '../../src/config/load';
import { SwitchboardError } from '../../src/errors';

const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-config-'));
function yamlFile(text: string): string {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

const REAL_ORG = `
pbx:
  adapter: webhook
  webhook: {token: t0ken}
auth:
  certificate: "-----BEGIN PUBLIC KEY-----\\nabc\\n-----END PUBLIC KEY-----"
salesforce:
  loginUrl: https://acme.my.salesforce.com
  clientId: "  3MVGabc  "
  clientSecret: "secret-with-newline\\n"
`;

function errorOf(fn: () => unknown): SwitchboardError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SwitchboardError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('loadConfig', () => {
  it('runs the demo without a file: emulated org, simulator, webhook token', () => {
    const config = loadConfig({ env: {} });
    expect(config.salesforce.emulate).toBe('demo');
    expect(config.pbx.adapter).toBe('simulator');
    expect(config.server.host).toBe('127.0.0.1');
  });

  it('reads YAML, applies defaults and trims pasted secrets', () => {
    const config = loadConfig({ file: yamlFile(REAL_ORG), env: {} });
    expect(config.pbx.adapter).toBe('webhook');
    expect(config.salesforce.clientId).toBe('3MVGabc');
    expect(config.salesforce.clientSecret).toBe('secret-with-newline');
    expect(config.salesforce.apiVersion).toBe('62.0');
    expect(config.phone.defaultCountry).toBe('US');
    expect(config.log.level).toBe('info');
  });

  it('lets SWITCHBOARD__* variables override keys, typed as YAML scalars', () => {
    const config = loadConfig({
      file: yamlFile(REAL_ORG),
      env: {
        SWITCHBOARD__SALESFORCE__CLIENT_SECRET: ' from-env ',
        SWITCHBOARD__SERVER__PORT: '9443',
        SWITCHBOARD__PHONE__DEFAULT_COUNTRY: 'de',
        SWITCHBOARD__PBX__WEBHOOK__TOKEN: '0123',
        SWITCHBOARD__PBX__WEBHOOK__DIAL_TOKEN: 'abc #def',
        SWITCHBOARD__PBX__ADAPTER: 'webhook',
        SWITCHBOARD__SERVER__ALLOWED_ORIGINS: '[https://acme.lightning.force.com]',
        SWITCHBOARD__LOG__LEVEL: 'debug',
        UNRELATED: 'x',
      },
    });
    expect(config.salesforce.clientSecret).toBe('from-env');
    expect(config.server.port).toBe(9443);
    expect(config.phone.defaultCountry).toBe('DE');
    expect(config.pbx.webhook?.token).toBe('0123');
    // A # in a secret is not a YAML comment here.
    expect(config.pbx.webhook?.dialToken).toBe('abc #def');
    expect(config.server.allowedOrigins).toEqual(['https://acme.lightning.force.com']);
    expect(config.log.level).toBe('debug');
  });

  it('takes the PostgreSQL password from SWITCHBOARD__STORAGE__POSTGRES__PASSWORD', () => {
    const config = loadConfig({
      file: yamlFile(REAL_ORG + 'storage: {postgres: {url: "postgresql://sb@db:5432/sb"}}\n'),
      env: { SWITCHBOARD__STORAGE__POSTGRES__PASSWORD: ' 0123 ' },
    });
    expect(config.storage.postgres).toEqual({
      url: 'postgresql://sb@db:5432/sb',
      password: '0123',
      poolSize: 10,
    });
  });

  it('freezes the result', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server.allowedOrigins)).toBe(true);
  });

  it('points a Lightning UI login URL at My Domain', () => {
    const error = errorOf(() =>
      loadConfig({
        file: yamlFile(REAL_ORG.replace('acme.my.salesforce.com', 'acme.lightning.force.com')),
        env: {},
      }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('salesforce.loginUrl');
    expect(error.message).toContain('https://acme.my.salesforce.com');
    expect(error.hint).toContain('SWITCHBOARD__SALESFORCE__LOGIN_URL');
  });

  it.each([
    ['an unknown key', REAL_ORG + 'sever: {}\n', '(root)'],
    ['a port out of range', REAL_ORG + 'server: {port: 70000}\n', 'server.port'],
    ['a bad country', REAL_ORG + 'phone: {defaultCountry: Germany}\n', 'phone.defaultCountry'],
    [
      'an origin with a path',
      REAL_ORG + 'server: {allowedOrigins: ["https://a.lightning.force.com/x"]}\n',
      'server.allowedOrigins.0',
    ],
    ['a bad log level', REAL_ORG + 'log: {level: loud}\n', 'log.level'],
    [
      'client credentials against login.salesforce.com (only My Domain serves that flow)',
      REAL_ORG.replace('acme.my.salesforce.com', 'login.salesforce.com'),
      'salesforce.loginUrl',
    ],
    [
      'a webhook adapter without its section',
      REAL_ORG.replace('  webhook: {token: t0ken}\n', ''),
      'pbx.webhook',
    ],
    [
      'the simulator against a real org (it would log made-up calls as Tasks)',
      REAL_ORG.replace('adapter: webhook', 'adapter: simulator'),
      'pbx.adapter',
    ],
    [
      'no PBX adapter with a real org (the default is the simulator)',
      REAL_ORG.replace('  adapter: webhook\n', ''),
      'pbx.adapter',
    ],
    [
      'an emulated org next to a real login URL',
      REAL_ORG.replace('salesforce:\n', 'salesforce:\n  emulate: demo\n'),
      'salesforce.emulate',
    ],
    [
      'an empty secret',
      REAL_ORG.replace('"secret-with-newline\\n"', '"   "'),
      'salesforce.clientSecret',
    ],
    ['a bad user email', REAL_ORG + 'users: [{extension: 201, email: nope}]\n', 'users.0.email'],
    [
      'a PostgreSQL URL that is not one',
      REAL_ORG + 'storage: {postgres: {url: "mysql://db/switchboard"}}\n',
      'storage.postgres.url',
    ],
    [
      'a PostgreSQL password both in the URL and on its own',
      REAL_ORG + 'storage: {postgres: {url: "postgresql://sb:pw@db/sb", password: "pw2"}}\n',
      'storage.postgres.password',
    ],
    [
      'an extension mapped twice',
      REAL_ORG + 'users: [{extension: 201, email: a@x.io}, {extension: 201, email: b@x.io}]\n',
      'users.1.extension',
    ],
  ])('rejects %s, naming the key', (_what, text, key) => {
    const error = errorOf(() => loadConfig({ file: yamlFile(text), env: {} }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(`${key}:`);
  });

  it('requires the org certificate with a real org', () => {
    const error = errorOf(() =>
      parseConfig({
        salesforce: { loginUrl: 'https://a.my.salesforce.com', clientId: 'x', clientSecret: 'y' },
      }),
    );
    expect(error.message).toContain('auth.certificate');
  });

  it('explains a YAML syntax error with its line', () => {
    const error = errorOf(() => loadConfig({ file: yamlFile('server:\n  port: [1\n'), env: {} }));
    expect(error.code).toBe('CONFIG_YAML_INVALID');
    expect(error.message).toMatch(/line \d+/);
  });

  it('explains an unreadable file', () => {
    const error = errorOf(() => loadConfig({ file: path.join(dir, 'missing.yaml'), env: {} }));
    expect(error.code).toBe('CONFIG_FILE_UNREADABLE');
    expect(error.hint).toContain('--config');
  });

  it('rejects a file that is not a mapping', () => {
    expect(errorOf(() => loadConfig({ file: yamlFile('- a\n- b\n'), env: {} })).code).toBe(
      'CONFIG_YAML_INVALID',
    );
  });
});
