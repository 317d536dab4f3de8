// Tests for protocol v1 parsing: valid frames of every type, and each way a browser frame can
// be wrong (JSON, version, type, ids, lengths), with the error code and echoed requestId.
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import { parseClientFrame, requestIdOf } from '../../src/hub/protocol';
import { PROTOCOL_VERSION } from '../../src/protocol/v1';

const CONTACT_ID = '003000000000001AAA';

function parseError(text: string): SwitchboardError {
  try {
    parseClientFrame(text);
  } catch (error) {
    if (error instanceof SwitchboardError) {
      expect(error.hint).toEqual(expect.any(String));
      return error;
    }
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('protocol v1', () => {
  it('is version 1', () => {
    expect(PROTOCOL_VERSION).toBe(1);
  });

  it('parses every client frame type', () => {
    expect(parseClientFrame('{"v":1,"type":"hello","token":"a.b.c"}')).toEqual({
      v: 1,
      type: 'hello',
      token: 'a.b.c',
    });
    expect(
      parseClientFrame(
        JSON.stringify({
          v: 1,
          type: 'dial',
          requestId: 'r1',
          number: ' +4930123 ',
          recordId: CONTACT_ID,
        }),
      ),
    ).toEqual({ v: 1, type: 'dial', requestId: 'r1', number: '+4930123', recordId: CONTACT_ID });
    expect(
      parseClientFrame(
        JSON.stringify({ v: 1, type: 'call.link', callId: 'c1', recordId: '003000000000001' }),
      ),
    ).toEqual({ v: 1, type: 'call.link', callId: 'c1', recordId: '003000000000001' });
    expect(
      parseClientFrame(
        JSON.stringify({ v: 1, type: 'call.note', callId: 'c1', disposition: 'Left voicemail' }),
      ),
    ).toEqual({ v: 1, type: 'call.note', callId: 'c1', disposition: 'Left voicemail' });
  });

  it('ignores fields it does not know (additive changes within v1)', () => {
    expect(parseClientFrame('{"v":1,"type":"hello","token":"t","client":"lwc/2.0"}')).toEqual({
      v: 1,
      type: 'hello',
      token: 't',
    });
  });

  it.each([
    ['not json', ErrorCodes.WS_BAD_FRAME],
    ['[1,2]', ErrorCodes.WS_BAD_FRAME],
    ['null', ErrorCodes.WS_BAD_FRAME],
    ['{"type":"hello","token":"t"}', ErrorCodes.WS_UNSUPPORTED_VERSION],
    ['{"v":2,"type":"hello","token":"t"}', ErrorCodes.WS_UNSUPPORTED_VERSION],
    ['{"v":"1","type":"hello","token":"t"}', ErrorCodes.WS_UNSUPPORTED_VERSION],
    ['{"v":1}', ErrorCodes.WS_BAD_FRAME],
    ['{"v":1,"type":"transfer"}', ErrorCodes.WS_UNKNOWN_TYPE],
    ['{"v":1,"type":"toString"}', ErrorCodes.WS_UNKNOWN_TYPE],
    ['{"v":1,"type":"hello"}', ErrorCodes.WS_BAD_FRAME],
    ['{"v":1,"type":"dial","requestId":"r","number":"  "}', ErrorCodes.WS_BAD_FRAME],
    ['{"v":1,"type":"call.note","callId":"c"}', ErrorCodes.WS_BAD_FRAME],
  ])('refuses %s with %s', (text, code) => {
    expect(parseError(text).code).toBe(code);
  });

  it.each([
    ['recordId with punctuation', { recordId: "003000000000001'OR" }],
    ['recordId of 16 characters', { recordId: '0030000000000011' }],
  ])('refuses a link whose %s', (_name, fields) => {
    const error = parseError(JSON.stringify({ v: 1, type: 'call.link', callId: 'c', ...fields }));
    expect(error.code).toBe(ErrorCodes.WS_BAD_FRAME);
    expect(error.message).toContain('recordId');
  });

  it('enforces the length limits', () => {
    const dial = { v: 1, type: 'dial', requestId: 'r', number: '1' };
    expect(parseError(JSON.stringify({ ...dial, number: '1'.repeat(65) })).message).toContain(
      'number',
    );
    expect(parseClientFrame(JSON.stringify({ ...dial, number: '1'.repeat(64) }))).toBeTruthy();
    expect(parseError(JSON.stringify({ ...dial, requestId: 'r'.repeat(101) })).message).toContain(
      'requestId',
    );

    const note = { v: 1, type: 'call.note', callId: 'c' };
    expect(parseClientFrame(JSON.stringify({ ...note, notes: 'n'.repeat(32000) }))).toBeTruthy();
    expect(parseError(JSON.stringify({ ...note, notes: 'n'.repeat(32001) })).message).toContain(
      'notes',
    );
    expect(parseError(JSON.stringify({ ...note, disposition: 'd'.repeat(256) })).message).toContain(
      'disposition',
    );
  });

  it('keeps the requestId of a refused frame so the reply can echo it', () => {
    const error = parseError('{"v":1,"type":"dial","requestId":"r7","number":""}');
    expect(requestIdOf(error)).toBe('r7');
    expect(requestIdOf(parseError('{"v":1,"type":"dial","number":""}'))).toBeUndefined();
  });

  it('never echoes the token in an error message', () => {
    const error = parseError('{"v":1,"type":"hello","token":12345678}');
    expect(error.message).not.toContain('12345678');
  });
});
