// Test helpers: load a recorded AMI capture (raw bytes from a real Asterisk 22) and split it
// into the greeting, the login response and the frames that follow; or load the same session
// with each frame's offset (the .exchange.txt file) to replay it with the PBX's own clock.
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
export function callFrames(capture: Capture | TimedCapture): string[] {
  return capture.frames.map(frameText).filter(isStreamed);
}

/** A received frame and when it arrived, in seconds after the recorder connected. */
export interface TimedFrame {
  at: number;
  text: string;
}

export interface TimedCapture {
  name: string;
  /** The wall-clock time of offset 0 (from the login's SuccessfulAuth EventTV, if any). */
  startedAt: Date;
  /** Every received frame after the greeting, in order, with its offset. */
  frames: TimedFrame[];
  /** What the recorder sent (Login, Originate, Hangup …), with offsets. */
  sent: TimedFrame[];
}

/** Captures without an EventTV (the ctiro ones have no security events) start here. */
const DEFAULT_START = new Date('2026-12-01T12:00:00.000Z');

/** Reads `<name>.exchange.txt`: the session's frames with the offset each one arrived at. */
export function loadTimedCapture(name: string): TimedCapture {
  const text = readFileSync(path.join(FIXTURES, `${name}.exchange.txt`), 'utf8');
  const frames: TimedFrame[] = [];
  const sent: TimedFrame[] = [];
  for (const block of text.split(/^### /m).slice(1)) {
    const headerEnd = block.indexOf('\r\n');
    const header = block.slice(0, headerEnd);
    const match = /^(recv|sent) \+([0-9.]+)s/.exec(header);
    if (match === null || header.includes('(greeting)')) continue;
    const frame = { at: Number(match[2]), text: block.slice(headerEnd + 2) };
    (match[1] === 'recv' ? frames : sent).push(frame);
  }
  let startedAt = DEFAULT_START;
  const auth = frames.find((f) => headerOf(f.text, 'Event') === 'SuccessfulAuth');
  const eventTv = auth === undefined ? undefined : headerOf(auth.text, 'EventTV');
  if (auth !== undefined && eventTv !== undefined)
    startedAt = new Date(Date.parse(eventTv.replace(/\+0000$/, 'Z')) - auth.at * 1000);
  return { name, startedAt, frames, sent };
}

/** The streamed frames of a timed capture, with their offsets. */
export function timedCallFrames(capture: TimedCapture): TimedFrame[] {
  return capture.frames.filter((f) => isStreamed(f.text));
}

/**
 * The frames as Asterisk sends them with `timestampevents = yes`: every event carries
 * `Timestamp: <epoch seconds>.<microseconds>` right after its Privilege line (manager.c).
 * `start` is the wall-clock time of offset 0.
 */
export function withTimestamps(frames: readonly TimedFrame[], start: Date): string[] {
  return frames.map(({ at, text }) => {
    if (headerOf(text, 'Event') === undefined) return text;
    const micros = Math.round(start.getTime() * 1000 + at * 1e6);
    const stamp = `${String(Math.floor(micros / 1e6))}.${String(micros % 1e6).padStart(6, '0')}`;
    return text.replace(/^(Privilege: .*\r\n)/m, `$1Timestamp: ${stamp}\r\n`);
  });
}

/** The wall-clock time of a frame of a timed capture. */
export function timeOf(capture: TimedCapture, frame: TimedFrame): Date {
  return new Date(capture.startedAt.getTime() + frame.at * 1000);
}

/** A frame's headers as a PBX sends them (case kept), without Event and ActionID. */
export function headersOf(frame: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of frame.split('\r\n')) {
    const colon = line.indexOf(': ');
    const key = line.slice(0, colon);
    if (colon > 0 && key !== 'Event' && key !== 'ActionID') headers[key] = line.slice(colon + 2);
  }
  return headers;
}

function frameText(frame: string | TimedFrame): string {
  return typeof frame === 'string' ? frame : frame.text;
}

function isStreamed(frame: string): boolean {
  const response = headerOf(frame, 'Response');
  return response === undefined || headerOf(frame, 'Event') !== undefined;
}

/** Headers a CoreShowChannel item copies from the channel's latest event (manager_channels.c). */
const LISTED_HEADERS = [
  'Channel',
  'ChannelState',
  'ChannelStateDesc',
  'CallerIDNum',
  'CallerIDName',
  'ConnectedLineNum',
  'ConnectedLineName',
  'Language',
  'AccountCode',
  'Context',
  'Exten',
  'Priority',
  'Uniqueid',
  'Linkedid',
];

/**
 * What CoreShowChannels would list after these frames: every channel created (Newchannel) and
 * not hung up, as its latest event describes it, with the Application of its last Newexten
 * and the bridge it is in (BridgeEnter without BridgeLeave).
 */
export function channelsAfter(frames: readonly string[]): Record<string, string>[] {
  const up = new Map<string, Record<string, string>>();
  for (const frame of frames) {
    const event = headerOf(frame, 'Event');
    const uniqueid = headerOf(frame, 'Uniqueid');
    if (event === undefined || uniqueid === undefined) continue;
    if (event === 'Hangup') {
      up.delete(uniqueid);
      continue;
    }
    const item = up.get(uniqueid) ?? (event === 'Newchannel' ? {} : undefined);
    if (item === undefined) continue;
    for (const key of LISTED_HEADERS) {
      const value = headerOf(frame, key);
      if (value !== undefined) item[key] = value;
    }
    if (event === 'Newexten') item.Application = headerOf(frame, 'Application') ?? '';
    if (event === 'BridgeEnter') item.BridgeId = headerOf(frame, 'BridgeUniqueid') ?? '';
    if (event === 'BridgeLeave') item.BridgeId = '';
    item.Duration = '00:00:05';
    up.set(uniqueid, item);
  }
  return [...up.values()];
}
