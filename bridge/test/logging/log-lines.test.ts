// Every line the bridge logs is one JSON object without a repeated key: a key bound twice (a
// module naming itself again on the logger its creator already named) makes pino write it twice,
// and log collectors then keep one of the two at random. Runs the real bridge (demo-like: webhook
// and simulator, directory index, call log; and Asterisk with AstDB) with a raw-line logger.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger';
import { AmiTestServer } from '../pbx/asterisk/ami-test-server';
import { RepClient, postPbxEvent, startTestBridge } from '../support/test-bridge';
import { Teardown } from '../support/teardown';
import { until } from '../support/wait-for-value';

/** The keys of a JSON object's top level, in order, repeats included (JSON.parse drops them). */
export function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      let end = i + 1;
      while (line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(line.slice(i, end + 1)) as string);
      expectKey = false;
      i = end;
    } else if (c === '{' || c === '[') {
      depth += 1;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') {
      depth -= 1;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

function rawLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

function repeatedKeys(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const keys = topLevelKeys(line);
    const repeated = keys.filter((key, i) => keys.indexOf(key) !== i);
    return repeated.length === 0 ? [] : [`${repeated.join(', ')} in ${line}`];
  });
}

const ANA = 'ana.lopez@acme.example';
const CONTACT = { Id: '003000000000001AAA', LastName: 'Weber', Phone: '+1 415 555 0100' };

describe('log lines', () => {
  const teardown = new Teardown();
  afterEach(() => teardown.run());

  it('finds a repeated key, and only a repeated one', () => {
    expect(topLevelKeys('{"a":1,"b":{"a":2},"c":["x,\\"d\\":"],"a":3}')).toEqual([
      'a',
      'b',
      'c',
      'a',
    ]);
    expect(repeatedKeys(['{"module":"call-log","module":"call-log"}'])).toHaveLength(1);
    expect(repeatedKeys(['{"component":"hub","err":{"component":"x"}}'])).toEqual([]);
  });

  it('repeat no key while the bridge runs calls, a dial and a note, and stops', async () => {
    const { logger, lines } = rawLogger();
    const bridge = teardown.add(
      await startTestBridge({
        logger,
        seed: { Contact: [CONTACT] },
        config: {
          directory: { enabled: true, phonebook: { token: 'phonebook-token-0123456789' } },
        },
      }),
      (b) => b.stop(),
    );
    const rep = await RepClient.connectAs(bridge, ANA);
    for (const event of ['ringing', 'answered', 'ended'])
      await postPbxEvent(bridge, {
        callId: 'log-1',
        event,
        direction: 'inbound',
        extension: '201',
        number: '+1 415 555 0100',
      });
    await rep.waitForCall((c) => c.state === 'ended');
    rep.send({ type: 'call.note', callId: 'log-1:201', notes: 'Quote', requestId: 'n-1' });
    await rep.waitFor((f) => f.type === 'call.note.result');
    rep.send({ type: 'dial', requestId: 'd-1', number: '+1 415 555 0100' });
    await rep.waitFor((f) => f.type === 'dial.result');
    rep.close();
    await teardown.run();

    expect(lines.length).toBeGreaterThan(20);
    expect(repeatedKeys(lines)).toEqual([]);
  });

  it('repeat no key with Asterisk and the AstDB caller-name push', async () => {
    const { logger, lines } = rawLogger();
    const server = teardown.add(new AmiTestServer(), (s) => s.close());
    const port = await server.listen();
    teardown.add(
      await startTestBridge({
        logger,
        seed: { Contact: [CONTACT] },
        config: {
          pbx: {
            adapter: 'asterisk',
            asterisk: { host: '127.0.0.1', port, username: 'bridge', secret: 'bridgepass' },
          },
          directory: { enabled: true, objects: ['Contact'], astdb: { enabled: true } },
        },
      }),
      (b) => b.stop(),
    );
    await until(() => server.astdb.size > 0, 'the AstDB push');
    await teardown.run();

    expect(lines.some((line) => line.includes('"part":"ami"'))).toBe(true);
    expect(lines.some((line) => line.includes('"part":"astdb"'))).toBe(true);
    expect(repeatedKeys(lines)).toEqual([]);
  });
});
