// Property-based tests of the browser's frames (hub/protocol.ts against protocol/v1.ts): any
// text a socket can carry parses to a v1 client frame, or is refused with WS_BAD_FRAME,
// WS_UNSUPPORTED_VERSION or WS_UNKNOWN_TYPE, a hint, and the frame's requestId when it had
// one. Valid frames of every type come back as sent; unknown fields are ignored (additive
// changes within v1). Input classes: docs/testing.md.
import fc from 'fast-check';
import { ErrorCodes } from '../../src/errors';
import { parseClientFrame, requestIdOf } from '../../src/hub/protocol';
import { CLIENT_FRAME_TYPES, type ClientFrame } from '../../src/protocol/v1';
import { anyJson, expectClearError, fuzz, hostileString, thrownBy } from '../support/fuzz';

const FRAME_ERRORS = [
  ErrorCodes.WS_BAD_FRAME,
  ErrorCodes.WS_UNSUPPORTED_VERSION,
  ErrorCodes.WS_UNKNOWN_TYPE,
];

/** Parses, and checks the promise: a v1 client frame or a clear frame error. */
function parseOrRefuse(text: string): ClientFrame | undefined {
  const thrown = thrownBy(() => parseClientFrame(text));
  if (thrown === undefined) {
    const frame = parseClientFrame(text);
    expect(frame.v).toBe(1);
    expect(CLIENT_FRAME_TYPES).toContain(frame.type);
    return frame;
  }
  expectClearError(thrown, FRAME_ERRORS);
  return undefined;
}

const salesforceId = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9]{15}$/),
  fc.stringMatching(/^[a-zA-Z0-9]{18}$/),
);
const requestId = fc.string({ minLength: 1, maxLength: 100 });

/** Valid frames of every client type, as protocol/v1.ts declares them. */
const validFrame: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({
    v: fc.constant(1),
    type: fc.constant('hello'),
    token: fc.string({ minLength: 1, maxLength: 300 }),
  }),
  fc.record(
    {
      v: fc.constant(1),
      type: fc.constant('dial'),
      requestId,
      number: fc.string({ minLength: 1, maxLength: 64 }).filter((s) => s.trim() !== ''),
      recordId: salesforceId,
    },
    { requiredKeys: ['v', 'type', 'requestId', 'number'] },
  ),
  fc.record(
    {
      v: fc.constant(1),
      type: fc.constant('call.link'),
      callId: fc.string({ minLength: 1, maxLength: 200 }),
      recordId: salesforceId,
      requestId,
    },
    { requiredKeys: ['v', 'type', 'callId', 'recordId'] },
  ),
  fc
    .record(
      {
        v: fc.constant(1),
        type: fc.constant('call.note'),
        callId: fc.string({ minLength: 1, maxLength: 200 }),
        notes: fc.string({ maxLength: 2000 }),
        disposition: fc.string({ maxLength: 255 }),
        requestId,
      },
      { requiredKeys: ['v', 'type', 'callId'] },
    )
    .filter((f) => f.notes !== undefined || f.disposition !== undefined),
);

/** What the parser hands on for a valid frame: the same, with the dialed number trimmed. */
function expectedFrame(frame: Record<string, unknown>): Record<string, unknown> {
  return frame.type === 'dial' ? { ...frame, number: String(frame.number).trim() } : frame;
}

/** Values of the wrong kind for a field: other types, empty, too long. */
const wrongValue = fc.oneof(
  fc.constantFrom(null, 0, -1, true, [], {}, '', ' '),
  fc.string({ minLength: 8193, maxLength: 8300 }),
  fc.double(),
);

describe('parseClientFrame (property-based)', () => {
  it('parses any text to a v1 client frame or refuses it with a frame error and a hint', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(200), fc.string({ maxLength: 200 })), (text) => {
        parseOrRefuse(text);
      }),
      fuzz(1000),
    );
  });

  it('refuses every JSON value that is not an object as WS_BAD_FRAME', () => {
    fc.assert(
      fc.property(
        anyJson.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
        (value) => {
          const error = expectClearError(
            thrownBy(() => parseClientFrame(JSON.stringify(value))),
            FRAME_ERRORS,
          );
          expect(error.code).toBe(ErrorCodes.WS_BAD_FRAME);
        },
      ),
      fuzz(300),
    );
  });

  it('refuses any other version as WS_UNSUPPORTED_VERSION, echoing a requestId it carried', () => {
    fc.assert(
      fc.property(
        validFrame,
        anyJson.filter((v) => v !== 1),
        fc.option(requestId, { nil: undefined }),
        (frame, v, id) => {
          const sent = { ...frame, v, ...(id === undefined ? {} : { requestId: id }) };
          const error = expectClearError(
            thrownBy(() => parseClientFrame(JSON.stringify(sent))),
            FRAME_ERRORS,
          );
          expect(error.code).toBe(ErrorCodes.WS_UNSUPPORTED_VERSION);
          expect(requestIdOf(error)).toBe(id ?? (frame.requestId as string | undefined));
        },
      ),
      fuzz(300),
    );
  });

  it('refuses any other type as WS_UNKNOWN_TYPE without echoing more than 40 characters of it', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }).filter((t) => !(CLIENT_FRAME_TYPES as string[]).includes(t)),
        (type) => {
          const error = expectClearError(
            thrownBy(() => parseClientFrame(JSON.stringify({ v: 1, type }))),
            FRAME_ERRORS,
          );
          expect(error.code).toBe(ErrorCodes.WS_UNKNOWN_TYPE);
          expect(error.message.length).toBeLessThan(40 * 6 + 60);
        },
      ),
      fuzz(300),
    );
  });

  it('hands on every valid frame as sent, and ignores fields it does not know', () => {
    fc.assert(
      fc.property(
        validFrame,
        fc.dictionary(
          fc.string({ maxLength: 12 }).map((k) => `x-${k}`),
          anyJson,
          { maxKeys: 3 },
        ),
        (frame, extra) => {
          const parsed = parseOrRefuse(JSON.stringify({ ...extra, ...frame }));
          expect(parsed).toEqual(expectedFrame(frame));
        },
      ),
      fuzz(500),
    );
  });

  it('refuses a valid frame with one field of the wrong kind as WS_BAD_FRAME naming the field', () => {
    fc.assert(
      fc.property(validFrame, fc.nat(), wrongValue, (frame, pick, value) => {
        const fields = Object.keys(frame).filter((k) => k !== 'v' && k !== 'type');
        const field = fields[pick % fields.length]!;
        // An optional text may be empty (notes, disposition) and a token may be long: skip values
        // the protocol allows for that field.
        const allowed = WRONG_BUT_ALLOWED[field]?.(value) ?? false;
        fc.pre(!allowed);
        const error = expectClearError(
          thrownBy(() => parseClientFrame(JSON.stringify({ ...frame, [field]: value }))),
          FRAME_ERRORS,
        );
        expect(error.code).toBe(ErrorCodes.WS_BAD_FRAME);
        expect(error.message).toContain(field);
      }),
      fuzz(500),
    );
  });

  it('never lets a __proto__ or constructor key reach the prototype', () => {
    fc.assert(
      fc.property(validFrame, anyJson, (frame, value) => {
        const text = JSON.stringify(frame).replace(
          /^\{/,
          `{"__proto__":${JSON.stringify({ polluted: value })},"constructor":{"prototype":{"polluted":1}},`,
        );
        parseOrRefuse(text);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      fuzz(200),
    );
  });

  it('parses deeply nested JSON in an unknown field without overflowing the stack', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 30_000 }), validFrame, (depth, frame) => {
        const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
        const text = JSON.stringify(frame).replace(/^\{/, `{"x-deep":${nested},`);
        expect(parseOrRefuse(text)).toEqual(expectedFrame(frame));
      }),
      fuzz(10),
    );
  });
});

/** Values that are wrong for most fields but right for this one. */
const WRONG_BUT_ALLOWED: Record<string, (value: unknown) => boolean> = {
  notes: (v) => typeof v === 'string' && v.length <= 32000,
  disposition: (v) => typeof v === 'string' && v.length <= 255,
  token: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 8192,
  callId: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 200,
  requestId: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 100,
  number: (v) => typeof v === 'string' && v.trim().length >= 1 && v.trim().length <= 64,
};
