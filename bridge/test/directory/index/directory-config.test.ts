// The directory section of the configuration: on by default where storage lasts (a file,
// PostgreSQL), off for in-memory storage, documented defaults, and a mistyped custom phone field
// or object named in the error.
import { ConfigSchema } from '../../../src/config/schema';

const base = { salesforce: { emulate: 'demo' } };

describe('directory configuration', () => {
  it('is on by default where storage is a file or PostgreSQL, off in memory, as the admin says', () => {
    const enabled = (input: Record<string, unknown>) =>
      ConfigSchema.parse({ ...base, ...input }).directory.enabled;
    expect(enabled({})).toBe(true); // switchboard.db
    expect(enabled({ storage: { database: '/var/lib/switchboard/switchboard.db' } })).toBe(true);
    expect(enabled({ storage: { postgres: { url: 'postgresql://sb@db:5432/sb' } } })).toBe(true);
    expect(enabled({ storage: { database: ':memory:' } })).toBe(false);
    expect(enabled({ storage: { database: ':memory:' }, directory: { enabled: true } })).toBe(true);
    expect(enabled({ directory: { enabled: false } })).toBe(false);
  });

  it('has the documented defaults', () => {
    expect(ConfigSchema.parse(base).directory).toEqual({
      enabled: true,
      syncIntervalSeconds: 300,
      objects: ['Contact', 'Lead', 'Account'],
      customPhoneFields: { Contact: [], Lead: [], Account: [] },
      personAccounts: 'auto',
      bulkThreshold: 20000,
      phonebook: {},
      astdb: {
        enabled: false,
        family: 'cidname',
        keyFormat: 'e164',
        maxNameLength: 40,
        actionsPerSecond: 50,
      },
    });
  });

  it('accepts custom phone fields and trims the phonebook token', () => {
    const config = ConfigSchema.parse({
      ...base,
      directory: {
        enabled: true,
        customPhoneFields: { Contact: ['Direct_Phone__c'] },
        phonebook: { token: '  s3cret \n' },
      },
    });
    expect(config.directory.customPhoneFields.Contact).toEqual(['Direct_Phone__c']);
    expect(config.directory.phonebook.token).toBe('s3cret');
  });

  it.each([
    [
      { customPhoneFields: { Contact: ['Phone; DELETE'] } },
      ['directory', 'customPhoneFields', 'Contact', 0],
    ],
    [{ customPhoneFields: { Opportunity: ['Phone'] } }, ['directory', 'customPhoneFields']],
    [{ objects: ['Case'] }, ['directory', 'objects', 0]],
    [{ syncIntervalSeconds: 1 }, ['directory', 'syncIntervalSeconds']],
    [{ phonebook: { token: '   ' } }, ['directory', 'phonebook', 'token']],
  ])('refuses %j, naming the key', (directory, path) => {
    const result = ConfigSchema.safeParse({ ...base, directory });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});
