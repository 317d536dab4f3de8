// The Setup page's "recent errors": warnings and errors the bridge logged, kept beside the usual
// log output, with phone numbers masked and secrets redacted as in the log itself.
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging/logger';
import { RecentLog } from '../../src/logging/recent-log';

function logTo(recent: RecentLog, level: 'info' | 'debug' | 'error' = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level, destination, recent }), lines };
}

describe('RecentLog', () => {
  it('keeps warnings and errors, newest first, while the log still gets every line', () => {
    const recent = new RecentLog();
    const { logger, lines } = logTo(recent);
    logger.info('bridge ready');
    logger.child({ component: 'pbx' }).warn({ code: 'PBX_UNREACHABLE' }, 'AMI login failed');
    logger.error(new Error('boom'), 'call log could not be sent');
    expect(lines).toHaveLength(3);
    expect(recent.list()).toEqual([
      expect.objectContaining({ level: 'error', message: 'call log could not be sent' }),
      expect.objectContaining({
        level: 'warn',
        message: 'AMI login failed',
        code: 'PBX_UNREACHABLE',
        component: 'pbx',
      }),
    ]);
    expect(Date.parse(recent.list()[0]?.at ?? '')).not.toBeNaN();
  });

  it('masks numbers even when the log runs at debug, and never holds a redacted secret', () => {
    const recent = new RecentLog();
    const { logger, lines } = logTo(recent, 'debug');
    logger.warn({ token: 'sekrit-token' }, 'no match for +49 30 98765432');
    expect(lines[0]).toContain('+49 30 98765432');
    expect(recent.list()[0]?.message).toBe('no match for +49 3* ******32');
    expect(JSON.stringify(recent.list())).not.toContain('sekrit');
  });

  it('holds at most its capacity, dropping the oldest', () => {
    const recent = new RecentLog(3);
    const { logger } = logTo(recent);
    for (let i = 1; i <= 5; i++) logger.warn(`warning ${i}`);
    expect(recent.list().map((e) => e.message)).toEqual(['warning 5', 'warning 4', 'warning 3']);
  });

  it('ignores what is not a log line', () => {
    const recent = new RecentLog();
    recent.write('not json');
    recent.write(JSON.stringify({ level: 30, msg: 'info' }));
    expect(recent.list()).toEqual([]);
  });
});
