// Test helpers: load a recorded AMI capture (raw bytes from a real Asterisk 22) and split it
// into the greeting, the login response and the frames that follow.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'asterisk');

export interface Capture {
  name: string;
  raw: Buffer;
  /** Every frame after the greeting, each with its terminating blank line, CRLF kept. */
  frames: string[];
}

export function loadCapture(name: string): Capture {
  const raw = readFileSync(path.join(FIXTURES, `${name}.ami.txt`));
  const text = raw.toString('utf8');
  const greetingEnd = text.indexOf('\r\n') + 2;
  const frames = text
    .slice(greetingEnd)
    .split('\r\n\r\n')
    .filter((f) => f.length > 0)
    .map((f) => `${f}\r\n\r\n`);
  return { name, raw, frames };
}

export function headerOf(frame: string, key: string): string | undefined {
  const match = new RegExp(`^${key}: (.*)$`, 'mi').exec(frame);
  return match?.[1]?.replace(/\r$/, '');
}

/** The frames a real PBX would stream to a fresh session: no login answer, no Goodbye. */
export function callFrames(capture: Capture): string[] {
  return capture.frames.filter((f) => {
    const response = headerOf(f, 'Response');
    return response === undefined || headerOf(f, 'Event') !== undefined;
  });
}
