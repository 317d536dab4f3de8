// Property-based tests of the AMI wire parser (ami-parser.ts): whatever bytes a PBX sends, in
// whatever TCP pieces, the parser never throws, never blocks the event loop for long, reports
// each broken frame and goes on with the next, and frames the same bytes the same way however
// they are cut. Input classes: docs/testing.md.
import fc from 'fast-check';
import {
  AmiParser,
  formatAction,
  type AmiMessage,
  type AmiParsed,
} from '../../../src/pbx/asterisk/ami-parser';
import { fuzz, hostileString } from '../../support/fuzz';
import { loadCapture } from './ami-capture';
import { CAPTURE_TIMELINES } from './capture-timelines';

interface Parsed {
  out: AmiParsed[];
  problems: string[];
}

/** Feeds the bytes cut at the given offsets (sorted, deduplicated, within the buffer). */
function parseInPieces(bytes: Buffer, cuts: readonly number[]): Parsed {
  const problems: string[] = [];
  const parser = new AmiParser((p) => problems.push(p.reason));
  const out: AmiParsed[] = [];
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    out.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...parser.push(bytes.subarray(from)));
  return { out, problems };
}

function messagesOf(out: readonly AmiParsed[]): AmiMessage[] {
  return out.flatMap((p) => (p.kind === 'message' ? [p.message] : []));
}

/** A header name as Asterisk writes them (no colon, no whitespace at the start). */
const headerKey = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/);
/** A header value: anything on one line. */
const headerValue = hostileString(40).map((s) => s.replace(/[\r\n]/g, ''));

/** A well-formed frame: an Event or Response line first, then headers (keys may repeat). */
const frame = fc.record({
  kind: fc.constantFrom('Event', 'Response'),
  first: headerValue,
  headers: fc.array(fc.tuple(headerKey, headerValue), { maxLength: 8 }),
});
type Frame = typeof frame extends fc.Arbitrary<infer T> ? T : never;

function frameText(f: Frame, eol: string): string {
  const lines = [`${f.kind}: ${f.first}`, ...f.headers.map(([k, v]) => `${k}: ${v}`)];
  return lines.map((l) => `${l}${eol}`).join('') + eol;
}

/** Text as it comes off the wire: UTF-8, so a lone surrogate arrives as U+FFFD. */
function onTheWire(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** What the parser must make of a well-formed frame: lower-cased keys, the first value wins. */
function expected(f: Frame): AmiMessage {
  const message: Record<string, string> = {};
  for (const [k, v] of [[f.kind, f.first] as const, ...f.headers]) {
    const key = k.toLowerCase();
    if (!(key in message)) message[key] = onTheWire(v);
  }
  return message;
}

describe('AmiParser (property-based)', () => {
  it('never throws on arbitrary bytes in arbitrary pieces, and every message is an Event or Response', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bytes, cuts) => {
          const { out } = parseInPieces(Buffer.from(bytes), cuts);
          for (const message of messagesOf(out)) {
            expect(message.event !== undefined || message.response !== undefined).toBe(true);
            for (const key of Object.keys(message)) expect(key).toBe(key.trim().toLowerCase());
          }
        },
      ),
      fuzz(300),
    );
  });

  it('never throws on text made of AMI-like lines, blank lines and garbage', () => {
    const line = fc.oneof(
      fc.constant(''),
      fc.constant('Asterisk Call Manager/11.0.0'),
      fc.tuple(headerKey, headerValue).map(([k, v]) => `${k}: ${v}`),
      fc
        .tuple(fc.constantFrom('Event', 'Response', 'event', ' Event'), headerValue)
        .map(([k, v]) => `${k}:${v}`),
      hostileString(60),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, fc.constantFrom('\r\n', '\n', '\r')), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, cuts) => {
          const text = lines.map(([l, eol]) => l + eol).join('');
          const { out } = parseInPieces(Buffer.from(text, 'utf8'), cuts);
          const greetings = out.filter((p) => p.kind === 'greeting');
          expect(greetings.length).toBeLessThanOrEqual(1);
        },
      ),
      fuzz(300),
    );
  });

  it('frames well-formed frames the same way however the bytes are cut (CRLF or LF, UTF-8 split)', () => {
    fc.assert(
      fc.property(
        fc.array(frame, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('\r\n', '\n'),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, eol, cuts) => {
          const text = `Asterisk Call Manager/11.0.0${eol}${frames.map((f) => frameText(f, eol)).join('')}`;
          const { out, problems } = parseInPieces(Buffer.from(text, 'utf8'), cuts);
          expect(problems).toEqual([]);
          expect(out[0]).toEqual({ kind: 'greeting', banner: 'Asterisk Call Manager/11.0.0' });
          expect(messagesOf(out)).toEqual(frames.map(expected));
        },
      ),
      fuzz(300),
    );
  });

  it('reports a broken frame once and still delivers every good frame around it', () => {
    const broken = fc
      .array(hostileString(30), { minLength: 1, maxLength: 4 })
      .map((lines) => lines.map((l) => l.replace(/[\r\n:]/g, '') || 'garbage'));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            frame.map((f) => ({ good: f })),
            broken.map((lines) => ({ lines })),
          ),
          {
            maxLength: 10,
          },
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        (items, cuts) => {
          const text = items
            .map((item) =>
              'good' in item
                ? frameText(item.good, '\r\n')
                : item.lines.map((l) => `${l}\r\n`).join('') + '\r\n',
            )
            .join('');
          const { out, problems } = parseInPieces(Buffer.from(text, 'utf8'), cuts);
          const goods = items.flatMap((item) => ('good' in item ? [expected(item.good)] : []));
          // A broken frame is all lines without "Key:", so it can never pass for a good one.
          const brokenFrames = items.filter((item) => !('good' in item)).length;
          expect(messagesOf(out)).toEqual(goods);
          expect(problems).toHaveLength(brokenFrames);
        },
      ),
      fuzz(300),
    );
  });

  it('reads every real capture the same whether it arrives whole or in random pieces', () => {
    const captures = CAPTURE_TIMELINES.map(([name]) => loadCapture(name).raw);
    fc.assert(
      fc.property(
        fc.constantFrom(...captures),
        fc.array(fc.nat(), { maxLength: 200 }),
        (raw, cuts) => {
          const whole = parseInPieces(raw, []);
          const pieces = parseInPieces(raw, cuts);
          expect(pieces.problems).toEqual([]);
          expect(pieces.out).toEqual(whole.out);
        },
      ),
      fuzz(100),
    );
  });

  it('serializes actions so no value can add a header: formatAction parses back to the same fields', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(headerKey, hostileString(40)), { maxLength: 6 }), (fields) => {
        const unique = new Map<string, string>([['Response', 'Success']]);
        for (const [k, v] of fields)
          if (![...unique.keys()].some((u) => u.toLowerCase() === k.toLowerCase()))
            unique.set(k, v);
        const { out, problems } = parseInPieces(
          Buffer.from(formatAction(Object.fromEntries(unique)), 'utf8'),
          [],
        );
        expect(problems).toEqual([]);
        const messages = messagesOf(out);
        expect(messages).toHaveLength(1);
        expect(Object.keys(messages[0] ?? {})).toEqual(
          [...unique.keys()].map((k) => k.toLowerCase()),
        );
        for (const [k, v] of unique) {
          const sent = onTheWire(v.replace(/[\r\n]+/g, ' '));
          // The value arrives whole, up to the one space after the colon the format adds.
          expect(messages[0]?.[k.toLowerCase()]).toBe(sent);
        }
      }),
      fuzz(300),
    );
  });
});

describe('AmiParser: bounded work on hostile streams', () => {
  // Counterexamples the properties above led to: a line without a line end that arrives in
  // small pieces. Each piece used to re-join and re-scan everything buffered so far, so 160 KB
  // fed byte by byte took minutes of CPU on the bridge's only thread. Linear now: these finish
  // in well under a second (jest's timeout is the bound; no clock is read here).
  it('takes a long line byte by byte without rescanning it, and reports it once', () => {
    const problems: string[] = [];
    const parser = new AmiParser((p) => problems.push(p.reason));
    const byte = Buffer.from('a');
    for (let i = 0; i < 400_000; i++) parser.push(byte);
    expect(problems).toHaveLength(1);
    // The next frame after the line's end and its blank line is read again.
    const out = parser.push('\r\n\r\nEvent: Hangup\r\nUniqueid: 1.2\r\n\r\n');
    expect(messagesOf(out)).toEqual([{ event: 'Hangup', uniqueid: '1.2' }]);
  });

  it('takes many short lines in one chunk', () => {
    const problems: string[] = [];
    const parser = new AmiParser((p) => problems.push(p.reason));
    const out = parser.push('Event: Ping\r\n\r\n'.repeat(100_000));
    expect(out).toHaveLength(100_000);
    expect(problems).toEqual([]);
  });
});
