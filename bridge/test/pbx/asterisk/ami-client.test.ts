// The AMI client over real TCP against the AMI test server: what it logs when the PBX
// misbehaves. Each line must say what happened (a login nobody answered is not a refused one)
// and must stay readable (the parser's figures unmasked, callers' numbers masked), once.
import { Writable } from 'node:stream';
import { ErrorCodes } from '../../../src/errors';
import { createLogger, type Logger } from '../../../src/logging/logger';
import { AmiClient, type AmiClientHandlers } from '../../../src/pbx/asterisk/ami-client';
import { MAX_FRAME_CHARS } from '../../../src/pbx/asterisk/ami-parser';
import { AmiTestServer, type AmiTestServerOptions } from './ami-test-server';
import { until } from '../../support/wait-for-value';

interface LogLine {
  level: string;
  msg: string;
  code?: string;
  hint?: string;
  reason?: string;
  excerpt?: string;
}

const running: { client: AmiClient; server: AmiTestServer }[] = [];

afterEach(async () => {
  for (const { client, server } of running.splice(0)) {
    await client.stop();
    await server.close();
  }
});

async function connect(
  serverOptions: AmiTestServerOptions,
  level: 'info' | 'debug' = 'info',
): Promise<{
  server: AmiTestServer;
  lines: LogLine[];
  connected: () => boolean;
  failedConnects: () => number;
  refusals: () => number;
}> {
  const lines: LogLine[] = [];
  const logger: Logger = createLogger({
    level,
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as LogLine);
        done();
      },
    }),
  });
  const server = new AmiTestServer(serverOptions);
  const port = await server.listen();
  let connected = false;
  let failedConnects = 0;
  let refusals = 0;
  const handlers: AmiClientHandlers = {
    onEvent: () => undefined,
    onConnected: () => {
      connected = true;
    },
    onDisconnected: () => {
      connected = false;
    },
    onConnectFailed: () => {
      failedConnects += 1;
    },
    onLoginRefused: () => {
      refusals += 1;
    },
  };
  const client = new AmiClient(
    {
      host: '127.0.0.1',
      port,
      username: 'bridge',
      secret: 'bridgepass',
      logger,
      keepaliveMs: 60_000,
      reconnectMaxMs: 50,
      reconnectInitialMs: 10,
      actionTimeoutMs: 200,
      random: () => 0.5,
    },
    handlers,
  );
  running.push({ client, server });
  client.start();
  return {
    server,
    lines,
    connected: () => connected,
    failedConnects: () => failedConnects,
    refusals: () => refusals,
  };
}

describe('AmiClient logging', () => {
  it('says an unanswered login was not answered — not refused — once across retries', async () => {
    const h = await connect({ silentLogin: true });
    const logins = () => h.server.received.filter((a) => a.fields.Action === 'Login').length;
    await until(() => logins() >= 3 && h.failedConnects() >= 3, 'three unanswered logins');

    const problems = h.lines.filter((l) => l.level === 'error');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.code).toBe(ErrorCodes.PBX_LOGIN_UNANSWERED);
    expect(problems[0]?.msg).toMatch(/did not answer the AMI login within 0\.2 s/);
    expect(problems[0]?.msg).not.toMatch(/refused/);
    expect(problems[0]?.hint).not.toMatch(/secret/);
    expect(problems[0]?.hint).toMatch(/pbx\.asterisk\.port/);
    // Not a refusal: the bridge keeps trying as for a PBX that is down.
    expect(h.refusals()).toBe(0);
  });

  it('reports a 10 MB line once, with the limit readable, and keeps the connection', async () => {
    const h = await connect({});
    await until(h.connected, 'the login');
    await h.server.send([
      `Event: Newchannel\r\nCallerIDName: ${'x'.repeat(10 * 1024 * 1024)}\r\n\r\n`,
    ]);
    await until(() => h.lines.some((l) => l.code === ErrorCodes.PBX_PROTOCOL_ERROR), 'the warning');
    // Whatever follows the long line is read: a round trip proves every byte before it was.
    await h.server.send(['Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n']);

    const warnings = h.lines.filter((l) => l.code === ErrorCodes.PBX_PROTOCOL_ERROR);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.reason).toContain(String(MAX_FRAME_CHARS));
    expect(h.connected()).toBe(true);
  });

  it('masks a caller number written with spaces in the malformed-frame warning', async () => {
    const h = await connect({});
    await until(h.connected, 'the login');
    await h.server.send(['Event: Newchannel\r\nthe caller is 0 30 98 76 54 32\r\n\r\n']);
    await until(() => h.lines.some((l) => l.code === ErrorCodes.PBX_PROTOCOL_ERROR), 'the warning');

    const warning = h.lines.find((l) => l.code === ErrorCodes.PBX_PROTOCOL_ERROR);
    expect(warning?.excerpt).toContain('the caller is 0 30');
    expect(warning?.excerpt).not.toContain('98 76 54');
    expect(warning?.reason).toBe('line 2 is not "Key: Value"');
  });
});

describe('AmiClient sessions for actions only', () => {
  it("logs in with Events: off when asked, and the PBX's events go only to the sessions that take them", async () => {
    const server = new AmiTestServer();
    const port = await server.listen();
    const client = (events: boolean | undefined, heard: string[]) =>
      new AmiClient(
        {
          host: '127.0.0.1',
          port,
          username: 'bridge',
          secret: 'bridgepass',
          logger: createLogger({ level: 'silent' }),
          keepaliveMs: 60_000,
          reconnectMaxMs: 50,
          ...(events === undefined ? {} : { events }),
        },
        {
          onEvent: (event) => heard.push(event.event ?? ''),
          onConnected: () => undefined,
          onDisconnected: () => undefined,
          onConnectFailed: () => undefined,
          onLoginRefused: () => undefined,
        },
      );
    const bridgeHeard: string[] = [];
    const checkHeard: string[] = [];
    const check = client(false, checkHeard);
    running.push({ client: check, server });
    check.start();
    await until(() => check.connected, "the check's login");
    // A session that only asks is no login for events: a test waiting for the bridge's waits on.
    expect(server.logins).toBe(0);
    const bridge = client(undefined, bridgeHeard);
    running.push({ client: bridge, server });
    bridge.start();
    await server.waitForLogin(1);
    await until(() => bridge.connected, "the bridge's login");

    await server.send(['Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n']);
    await until(() => bridgeHeard.includes('FullyBooted'), 'the event at the bridge');
    expect(checkHeard).toEqual([]);
    expect(
      server.received.filter((a) => a.fields.Action === 'Login').map((a) => a.fields.Events),
    ).toEqual(['off', 'on']);
  });
});
