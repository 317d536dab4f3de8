// directory.astdb: off by default, and refused (naming the key) unless the PBX is Asterisk and
// the directory index it reads from is on.
import { ConfigSchema } from '../../../src/config/schema';

const asterisk = { host: 'pbx', username: 'switchboard', secret: 's3cret' };
const base = { salesforce: { emulate: 'demo' } };

describe('directory.astdb configuration', () => {
  it('accepts the push with the Asterisk adapter and the directory index', () => {
    const config = ConfigSchema.parse({
      ...base,
      pbx: { adapter: 'asterisk', asterisk },
      directory: { enabled: true, astdb: { enabled: true, keyFormat: 'national' } },
    });
    expect(config.directory.astdb).toEqual({
      enabled: true,
      family: 'cidname',
      keyFormat: 'national',
      maxNameLength: 40,
      actionsPerSecond: 50,
    });
  });

  it.each([
    [
      'another PBX adapter',
      { pbx: { adapter: 'webhook', webhook: { token: 't' } }, directory: { enabled: true } },
      'needs pbx.adapter asterisk',
    ],
    [
      'the directory index off',
      { pbx: { adapter: 'asterisk', asterisk }, directory: { enabled: false } },
      'needs directory.enabled',
    ],
  ])('refuses it with %s, naming directory.astdb.enabled', (_, extra, message) => {
    const result = ConfigSchema.safeParse({
      ...base,
      ...extra,
      directory: { ...extra.directory, astdb: { enabled: true } },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['directory', 'astdb', 'enabled']);
    expect(result.error?.issues[0]?.message).toContain(message);
  });

  it.each([
    [{ family: 'cid/name' }, 'family'],
    [{ keyFormat: 'local' }, 'keyFormat'],
    [{ maxNameLength: 0 }, 'maxNameLength'],
    [{ actionsPerSecond: 10_000 }, 'actionsPerSecond'],
  ])('refuses %j', (astdb, key) => {
    const result = ConfigSchema.safeParse({ ...base, directory: { astdb } });
    expect(result.error?.issues[0]?.path).toEqual(['directory', 'astdb', key]);
  });
});
