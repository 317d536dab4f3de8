// The AMI parser on its own: frames cut anywhere, and what it reports about broken input. A
// line or frame that outgrows the limit is reported once, however many TCP chunks it spans
// (before this test, one 10 MB line gave a report per 256 KB), and parsing carries on with the
// next frame.
import {
  AmiParser,
  MAX_FRAME_CHARS,
  type AmiParseProblem,
} from '../../../src/pbx/asterisk/ami-parser';
import { loadCapture } from './ami-capture';

function parserWithProblems(): { parser: AmiParser; problems: AmiParseProblem[] } {
  const problems: AmiParseProblem[] = [];
  return { parser: new AmiParser((problem) => problems.push(problem)), problems };
}

const HANGUP = 'Event: Hangup\r\nUniqueid: 1795289031.28\r\nCause: 16\r\n\r\n';

describe('AmiParser', () => {
  it('reads the Park answer whose Message line ends in a bare LF (sip-park-retrieve), byte by byte too', () => {
    // The capture's bytes: Asterisk's own "Park successful\n" inside its CRLF framing.
    const capture = loadCapture('sip-park-retrieve').raw.toString('utf8');
    const at = capture.indexOf('Response: Success\r\nActionID: park-1');
    const next = capture.indexOf('Event: ', at);
    const bytes = capture.slice(at, next);
    expect(bytes).toContain('Message: Park successful\n\r\n\r\n');
    const oneByOne = Array.from(Buffer.from(bytes, 'utf8'), (byte) => Buffer.from([byte]));
    for (const pieces of [[Buffer.from(bytes, 'utf8')], oneByOne]) {
      const { parser, problems } = parserWithProblems();
      parser.push('Asterisk Call Manager/11.0.0\r\n');
      const parsed = pieces.flatMap((piece) => parser.push(piece));
      parsed.push(...parser.push(HANGUP));
      expect(problems).toEqual([]);
      expect(parsed).toEqual([
        {
          kind: 'message',
          message: { response: 'Success', actionid: 'park-1', message: 'Park successful' },
        },
        { kind: 'message', message: { event: 'Hangup', uniqueid: '1795289031.28', cause: '16' } },
      ]);
    }
  });

  it('reports a 10 MB line once, in 64 KB chunks, and reads the next frame', () => {
    const { parser, problems } = parserWithProblems();
    parser.push('Asterisk Call Manager/11.0.0\r\n');
    const chunk = 'x'.repeat(64 * 1024);
    const parsed = [];
    parsed.push(...parser.push('Event: Newchannel\r\nCallerIDName: '));
    for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length)
      parsed.push(...parser.push(chunk));
    parsed.push(...parser.push('\r\nMore: junk of the same frame\r\n\r\n'));
    parsed.push(...parser.push(HANGUP));

    expect(problems).toHaveLength(1);
    expect(problems[0]?.reason).toContain(String(MAX_FRAME_CHARS));
    expect(problems[0]?.excerpt.length).toBeLessThanOrEqual(120);
    expect(parsed).toEqual([
      { kind: 'message', message: { event: 'Hangup', uniqueid: '1795289031.28', cause: '16' } },
    ]);
  });

  it('reports a frame of many short lines without a blank line once', () => {
    const { parser, problems } = parserWithProblems();
    parser.push('Asterisk Call Manager/11.0.0\r\n');
    const lines = 'Variable: x=1\r\n'.repeat(1000);
    for (let i = 0; i < 100; i += 1) parser.push(lines);
    const parsed = parser.push(`\r\n${HANGUP}`);

    expect(problems).toHaveLength(1);
    expect(parsed).toHaveLength(1);
  });

  it('says which line of a frame is not "Key: Value", without quoting PBX data in the reason', () => {
    const { parser, problems } = parserWithProblems();
    parser.push('Asterisk Call Manager/11.0.0\r\n');
    parser.push('Event: Newchannel\r\n0 30 98 76 54 32\r\n\r\n');

    expect(problems).toEqual([
      {
        reason: 'line 2 is not "Key: Value"',
        excerpt: 'Event: Newchannel\n0 30 98 76 54 32',
      },
    ]);
  });
});
