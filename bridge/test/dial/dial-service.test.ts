// DialService on its own: which dials reach the PBX adapter, in what form, and which are
// refused with which code; the audit trail in the log never holds a full number at info.
import { Writable } from 'node:stream';
import { DialService, type DialInput, type DialServiceOptions } from '../../src/dial/dial-service';
import { ErrorCodes, SwitchboardError } from '../../src/errors';
import { createLogger, silentLogger } from '../../src/logging/logger';
import type { DialRequest, DialResult, PbxAdapter } from '../../src/pbx/adapter';
import { PhoneSchema, type PhoneConfig } from '../../src/config/schema';

const US_E164: PhoneConfig = PhoneSchema.parse({ defaultCountry: 'US' });

const ANA: DialInput['rep'] = {
  userId: '005000000000001AAA',
  email: 'ana.lopez@acme.example',
  extensions: ['201'],
};

/** A PBX adapter that records dials; each answer can be held back to simulate a slow PBX. */
class RecordingAdapter implements PbxAdapter {
  readonly name = 'recording';
  readonly requests: DialRequest[] = [];
  private held: Array<() => void> = [];
  hold = false;
  failWith: Error | undefined;

  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  listUsers() {
    return Promise.resolve([]);
  }
  isConnected(): boolean {
    return true;
  }
  dial(request: DialRequest): Promise<DialResult> {
    this.requests.push(request);
    const answer = (): Promise<DialResult> =>
      this.failWith === undefined
        ? Promise.resolve({ pbxCallId: `pbx-${this.requests.length}` })
        : Promise.reject(this.failWith);
    if (!this.hold) return answer();
    return new Promise<void>((resolve) => this.held.push(resolve)).then(answer);
  }
  release(): void {
    const held = this.held;
    this.held = [];
    for (const resolve of held) resolve();
  }
}

function captureLogger(level: 'info' | 'debug' = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

function setup(options: Partial<DialServiceOptions> = {}) {
  const adapter = new RecordingAdapter();
  let clock = 1_750_000_000_000;
  const service = new DialService({
    adapter,
    phone: US_E164,
    logger: silentLogger(),
    now: () => clock,
    ...options,
  });
  return {
    adapter,
    service,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

let sequence = 0;
const dialInput = (number: string, extra: Partial<DialInput> = {}): DialInput => ({
  requestId: `d-${++sequence}`,
  number,
  rep: ANA,
  ...extra,
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SwitchboardError) return error.code;
    throw error;
  }
  throw new Error('expected the dial to be refused');
}

describe('DialService', () => {
  it('asks the PBX to ring the rep’s extension, then the number in E.164', async () => {
    const { adapter, service } = setup();
    const input = dialInput('(415) 555-0101', { recordId: '003000000000001AAA' });
    await expect(service.dial(input)).resolves.toEqual({ pbxCallId: 'pbx-1' });
    // The PBX gets the bridge's own dial id, not the browser's request id.
    expect(adapter.requests).toEqual([
      {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        extension: '201',
        number: '+14155550101',
      },
    ]);
    expect(adapter.requests[0]?.requestId).not.toBe(input.requestId);
  });

  it('keeps the number the rep dialed as the call’s number when the PBX dials another form', async () => {
    // Issue 11: dialFormat national with outsideLinePrefix 8 popped 815551234567 with no match.
    const { adapter, service } = setup({
      phone: { ...US_E164, dialFormat: 'national', outsideLinePrefix: '8' },
    });
    await service.dial(dialInput('+1 555 123 4567'));
    await service.dial(dialInput('202'));
    expect(adapter.requests.map(({ number, callNumber }) => ({ number, callNumber }))).toEqual([
      { number: '815551234567', callNumber: '+15551234567' },
      { number: '202', callNumber: undefined },
    ]);
  });

  it('knows a dial’s record when the PBX is asked, keeps it until taken, forgets a refused dial', async () => {
    const RECORD = '003000000000001AAA';
    const { adapter, service } = setup();
    const seenByPbx: Array<string | undefined> = [];
    const dial = adapter.dial.bind(adapter);
    adapter.dial = (request) => {
      // A PBX may report the rep's phone ringing before it answers the originate.
      seenByPbx.push(service.takeDialedRecord(request.requestId));
      return dial(request);
    };
    await service.dial(dialInput('+1 415 555 0101', { recordId: RECORD }));
    expect(seenByPbx).toEqual([RECORD]);
    expect(service.takeDialedRecord(adapter.requests[0]?.requestId ?? '')).toBeUndefined();

    adapter.dial = dial;
    await service.dial(dialInput('+1 415 555 0142', { recordId: RECORD }));
    expect(service.takeDialedRecord(adapter.requests[1]?.requestId ?? '')).toBe(RECORD);

    adapter.failWith = new SwitchboardError(ErrorCodes.PBX_REFUSED, 'busy');
    await expect(
      service.dial(dialInput('+1 415 555 0199', { recordId: RECORD })),
    ).rejects.toMatchObject({ code: ErrorCodes.PBX_REFUSED });
    expect(service.takeDialedRecord(adapter.requests[2]?.requestId ?? '')).toBeUndefined();
  });

  it('refuses a rep without an extension: DIAL_NO_EXTENSION, the PBX is not asked', async () => {
    const { adapter, service } = setup();
    const promise = service.dial(dialInput('+14155550101', { rep: { ...ANA, extensions: [] } }));
    await expect(promise).rejects.toMatchObject({
      code: ErrorCodes.DIAL_NO_EXTENSION,
      message: expect.stringContaining('ana.lopez@acme.example') as unknown,
      hint: expect.stringContaining('users') as unknown,
    });
    expect(adapter.requests).toHaveLength(0);
  });

  it.each(['hello', '12345678901234567890', '+1 555', 'anonymous', '---'])(
    'refuses "%s" as DIAL_INVALID_NUMBER',
    async (number) => {
      const { adapter, service } = setup();
      expect(await codeOf(service.dial(dialInput(number)))).toBe(ErrorCodes.DIAL_INVALID_NUMBER);
      expect(adapter.requests).toHaveLength(0);
    },
  );

  it('dials a colleague’s internal extension as its digits, without normalizing', async () => {
    const { adapter, service } = setup();
    await service.dial(dialInput('202'));
    await service.dial(dialInput(' 2-03 '));
    expect(adapter.requests.map((r) => r.number)).toEqual(['202', '203']);
  });

  describe('number format for the PBX', () => {
    it.each([
      // [config, dialed as written on the record, what the PBX receives]
      [{ defaultCountry: 'US', dialFormat: 'e164', prefix: '' }, '(415) 555-0101', '+14155550101'],
      [
        { defaultCountry: 'US', dialFormat: 'national', prefix: '9' },
        '(415) 555-0101',
        '914155550101',
      ],
      [{ defaultCountry: 'DE', dialFormat: 'e164', prefix: '' }, '07131 123456', '+497131123456'],
      [
        { defaultCountry: 'DE', dialFormat: 'national', prefix: '0' },
        '+49 7131 123456',
        '007131123456',
      ],
      // Abroad: the international prefix of the bridge's country, after the outside line.
      [
        { defaultCountry: 'DE', dialFormat: 'national', prefix: '0' },
        '+1 415 555 0101',
        '00014155550101',
      ],
      [
        { defaultCountry: 'DE', dialFormat: 'national', prefix: '' },
        '+44 20 7946 0958',
        '00442079460958',
      ],
    ] as const)('%j: "%s" → %s', async (config, written, expected) => {
      const { adapter, service } = setup({
        phone: PhoneSchema.parse({
          defaultCountry: config.defaultCountry,
          dialFormat: config.dialFormat,
          outsideLinePrefix: config.prefix,
        }),
      });
      await service.dial(dialInput(written));
      expect(adapter.requests[0]?.number).toBe(expected);
    });
  });

  describe('a dial already in progress', () => {
    it('a double click dials once: the second gets DIAL_IN_PROGRESS while the PBX answers', async () => {
      const { adapter, service } = setup();
      adapter.hold = true;
      const first = service.dial(dialInput('+14155550101'));
      const second = service.dial(dialInput('+14155550101'));
      expect(await codeOf(second)).toBe(ErrorCodes.DIAL_IN_PROGRESS);
      adapter.release();
      await expect(first).resolves.toEqual({ pbxCallId: 'pbx-1' });
      expect(adapter.requests).toHaveLength(1);
    });

    it('a second click right after a fast PBX accepted still dials once', async () => {
      const { adapter, service, advance } = setup({ repeatWindowMs: 2000 });
      await service.dial(dialInput('+14155550101'));
      advance(500);
      expect(await codeOf(service.dial(dialInput('(415) 555-0101')))).toBe(
        ErrorCodes.DIAL_IN_PROGRESS,
      );
      // Another number is a new call, and the same number again later is a redial.
      await service.dial(dialInput('+14155550102'));
      advance(2000);
      await service.dial(dialInput('+14155550102'));
      expect(adapter.requests.map((r) => r.number)).toEqual([
        '+14155550101',
        '+14155550102',
        '+14155550102',
      ]);
    });

    it('another rep may dial at the same time', async () => {
      const { adapter, service } = setup();
      adapter.hold = true;
      const ana = service.dial(dialInput('+14155550101'));
      const ben = service.dial(
        dialInput('+14155550101', {
          rep: { userId: '005000000000002AAA', email: 'ben@acme.example', extensions: ['202'] },
        }),
      );
      adapter.release();
      await Promise.all([ana, ben]);
      expect(adapter.requests.map((r) => r.extension)).toEqual(['201', '202']);
    });

    it('a failed dial frees the rep to dial again at once', async () => {
      const { adapter, service } = setup();
      adapter.failWith = new SwitchboardError(ErrorCodes.PBX_REFUSED, 'The phone system refused');
      expect(await codeOf(service.dial(dialInput('+14155550101')))).toBe(ErrorCodes.PBX_REFUSED);
      adapter.failWith = undefined;
      await expect(service.dial(dialInput('+14155550101'))).resolves.toEqual({
        pbxCallId: 'pbx-2',
      });
    });
  });

  describe('rate limit per rep', () => {
    it('refuses the dial over the limit within a minute, allows it again after', async () => {
      const { adapter, service, advance } = setup({ perMinute: 3, repeatWindowMs: 0 });
      for (let i = 0; i < 3; i++) {
        await service.dial(dialInput(`+1415555010${i}`));
        advance(10_000);
      }
      expect(await codeOf(service.dial(dialInput('+14155550109')))).toBe(
        ErrorCodes.DIAL_RATE_LIMITED,
      );
      // Another rep has their own budget.
      await service.dial(
        dialInput('+14155550109', {
          rep: { userId: '005000000000002AAA', email: 'ben@acme.example', extensions: ['202'] },
        }),
      );
      // 60 s after the first dial its slot frees up.
      advance(30_001);
      await service.dial(dialInput('+14155550109'));
      expect(adapter.requests).toHaveLength(5);
    });
  });

  describe('audit log', () => {
    it('logs each dial with the rep, record and masked number at info, never the whole number', async () => {
      const { logger, lines } = captureLogger('info');
      const { service } = setup({ logger });
      await service.dial(dialInput('(415) 555-0101', { recordId: '003000000000001AAA' }));
      await codeOf(service.dial(dialInput('hello')));
      await codeOf(service.dial(dialInput('+1 415 555 0199', { rep: { ...ANA, extensions: [] } })));

      const requested = lines.find((l) => l.msg === 'dial requested');
      expect(requested).toMatchObject({
        level: 'info',
        userId: ANA.userId,
        extension: '201',
        recordId: '003000000000001AAA',
        number: '+141******01',
      });
      expect(lines.find((l) => l.msg === 'dial accepted by the PBX')).toMatchObject({
        pbxCallId: 'pbx-1',
      });
      const rejected = lines.filter((l) => l.msg === 'dial rejected');
      expect(rejected.map((l) => l.code)).toEqual([
        ErrorCodes.DIAL_INVALID_NUMBER,
        ErrorCodes.DIAL_NO_EXTENSION,
      ]);
      const everything = JSON.stringify(lines);
      expect(everything).not.toMatch(/4155550101|555-0101|5550199|555 0199/);
    });

    it('audits a dial the policy refuses as a warning with the rule, the rep and the masked number', async () => {
      const { logger, lines } = captureLogger('info');
      const { adapter, service } = setup({ logger });
      expect(await codeOf(service.dial(dialInput('+1 900 555 0188')))).toBe(
        ErrorCodes.DIAL_NUMBER_NOT_ALLOWED,
      );
      expect(adapter.requests).toHaveLength(0);
      expect(lines.find((l) => l.msg === 'dial rejected')).toMatchObject({
        level: 'warn',
        userId: ANA.userId,
        code: ErrorCodes.DIAL_NUMBER_NOT_ALLOWED,
        rule: 'denied-prefix:+1900',
        number: '+1 90* *** **88',
      });
    });

    it('shows the whole number at debug, where support needs it', async () => {
      const { logger, lines } = captureLogger('debug');
      const { service } = setup({ logger });
      await service.dial(dialInput('(415) 555-0101'));
      expect(lines.find((l) => l.msg === 'dial requested')?.number).toBe('+14155550101');
    });
  });
});
