// A real pino logger whose lines tests can read: what an admin would see in the bridge's log.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger';

export interface CapturedLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export function captureLogger(level: 'info' | 'debug' = 'info'): {
  logger: Logger;
  lines: CapturedLine[];
} {
  const lines: CapturedLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as CapturedLine);
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}
