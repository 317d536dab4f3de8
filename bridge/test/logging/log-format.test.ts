// log.format: JSON lines for collectors, readable lines for a person at a terminal (the demo's
// default there), with the same redaction of secrets either way.
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/load';
import { createLogger, defaultLogFormat, type LogFormat } from '../../src/logging/logger';

function capture(format: LogFormat): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', format, destination }) };
}

describe('log format', () => {
  it('is readable for the demo at a terminal, JSON for a pipe or a configured bridge', () => {
    expect(defaultLogFormat({ demo: true, tty: true })).toBe('pretty');
    expect(defaultLogFormat({ demo: true, tty: false })).toBe('json');
    expect(defaultLogFormat({ demo: false, tty: true })).toBe('json');
    expect(defaultLogFormat({ demo: false, tty: false })).toBe('json');
  });

  it('writes one readable line per event, named by its part, secrets redacted', () => {
    const { lines, log } = capture('pretty');
    log.child({ component: 'hub' }).info({ socketId: 3, token: 'eyJ.secret' }, 'ws authenticated');
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(() => JSON.parse(line) as unknown).toThrow();
    expect(line).toMatch(/INFO.*\[hub\] ws authenticated/);
    expect(line).toContain('socketId');
    expect(line).not.toContain('eyJ.secret');
    expect(line).toContain('[redacted]');
  });

  it('writes JSON lines by default', () => {
    const { lines, log } = capture('json');
    log.child({ component: 'hub' }).info({ token: 'eyJ.secret' }, 'ws authenticated');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'info',
      component: 'hub',
      msg: 'ws authenticated',
      token: '[redacted]',
    });
  });

  it('is a config key: json or pretty, unset by default, anything else refused', () => {
    const base = { salesforce: { emulate: 'demo' } };
    expect(parseConfig(base).log.format).toBeUndefined();
    expect(parseConfig({ ...base, log: { format: 'pretty' } }).log.format).toBe('pretty');
    expect(() => parseConfig({ ...base, log: { format: 'xml' } })).toThrow(/log\.format/);
  });
});
