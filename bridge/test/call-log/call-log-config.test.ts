import { parseConfig } from '../../src/config/load';
import type { SwitchboardError } from '../../src/errors';

describe('config: storage and callLog', () => {
  const base = { salesforce: { emulate: 'demo' } };

  it('has working defaults', () => {
    const config = parseConfig(base);
    expect(config.storage.database).toBe('switchboard.db');
    expect(config.callLog).toMatchObject({
      enabled: true,
      callTypes: ['inbound', 'outbound'],
      missedCalls: 'log',
      noteGraceSeconds: 300,
      timeZone: 'UTC',
    });
  });

  it('rejects an unknown subject placeholder, naming the key', () => {
    let error: SwitchboardError | undefined;
    try {
      parseConfig({ ...base, callLog: { subjectTemplate: 'Call with {caller}' } });
    } catch (e) {
      error = e as SwitchboardError;
    }
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.message).toContain('callLog.subjectTemplate');
    expect(error?.message).toContain('{caller}');
  });

  it('rejects a bad time zone and a retry ceiling below its base', () => {
    expect(() => parseConfig({ ...base, callLog: { timeZone: 'Mars/Olympus' } })).toThrow(
      /callLog\.timeZone/,
    );
    expect(() =>
      parseConfig({ ...base, callLog: { retry: { baseSeconds: 10, maxSeconds: 5 } } }),
    ).toThrow(/callLog\.retry/);
  });
});
