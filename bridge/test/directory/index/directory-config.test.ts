// The directory section of the configuration: off by default, documented defaults, and a
// mistyped custom phone field or object named in the error.
import { ConfigSchema } from '../../../src/config/schema';

const base = { salesforce: { emulate: 'demo' } };

describe('directory configuration', () => {
  it('is off by default with the documented defaults', () => {
    expect(ConfigSchema.parse(base).directory).toEqual({
      enabled: false,
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
