import {
  SwitchboardConnection,
  backoffDelay,
  type ConnectionOptions,
  type ConnectionStatus,
} from 'c/switchboardConnection';
import { FakeWebSocket } from 'test/jest-mocks/fakeWebSocket';

const ready = {
  v: 1,
  type: 'ready',
  user: { id: '005000000000001AAA', email: 'ana.lopez@acme.example' },
  extensions: ['201'],
  calls: [],
  warnings: [],
};

const flushPromises = () =>
  new Promise<void>((resolve) => jest.requireActual('timers').setImmediate(resolve));

function setup(overrides: Partial<ConnectionOptions> = {}) {
  const statuses: ConnectionStatus[] = [];
  const onReady = jest.fn();
  const onCall = jest.fn();
  const getToken = jest.fn().mockResolvedValue('token-1');
  const connection = new SwitchboardConnection({
    url: 'wss://bridge.acme.example/ws',
    getToken,
    webSocket: FakeWebSocket as unknown as ConnectionOptions['webSocket'],
    timers: {
      setTimeout: (cb, ms) => setTimeout(cb, ms),
      clearTimeout: (h) => clearTimeout(h as number),
    },
    random: () => 0.5,
    origin: 'https://acme.lightning.force.com',
    listener: { onStatus: (s) => statuses.push(s), onReady, onCall },
    ...overrides,
  });
  return { connection, statuses, onReady, onCall, getToken };
}

describe('c-switchboard-connection', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    FakeWebSocket.reset();
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.clearAllMocks();
  });

  it('computes exponential backoff with equal jitter, capped', () => {
    const backoff = { initialMs: 1000, maxMs: 30_000, factor: 2 };
    expect(backoffDelay(1, backoff, 0)).toBe(500);
    expect(backoffDelay(1, backoff, 0.999)).toBe(1000);
    expect(backoffDelay(3, backoff, 0.5)).toBe(3000);
    expect(backoffDelay(10, backoff, 1)).toBe(30_000);
    expect(backoffDelay(10, backoff, 0)).toBe(15_000);
  });

  it('sends hello with the Apex token first and reports connected on ready', async () => {
    // Arrange
    const { connection, statuses, onReady } = setup();
    // Act: start, let the token arrive, the socket open and the bridge answer
    connection.start();
    await flushPromises();
    const socket = FakeWebSocket.last;
    socket.open();
    socket.receive(ready);
    // Assert
    expect(socket.url).toBe('wss://bridge.acme.example/ws');
    expect(socket.sent).toEqual([{ v: 1, type: 'hello', token: 'token-1' }]);
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connected']);
    expect(onReady).toHaveBeenCalledWith(expect.objectContaining({ extensions: ['201'] }));
  });

  it('passes the bridge’s word on its phone system link to the listener', async () => {
    const onPbx = jest.fn();
    const { connection } = setup({ listener: { onPbx } });
    connection.start();
    await flushPromises();
    const socket = FakeWebSocket.last;
    socket.open();
    socket.receive(ready);
    socket.receive({ v: 1, type: 'pbx', connected: false });
    socket.receive({ v: 1, type: 'pbx', connected: true });
    expect(onPbx.mock.calls).toEqual([
      [{ v: 1, type: 'pbx', connected: false }],
      [{ v: 1, type: 'pbx', connected: true }],
    ]);
  });

  it('reconnects with growing, jittered delays and a fresh token each time', async () => {
    // Arrange: randomness fixed so delays are predictable
    const { connection, statuses, getToken } = setup({ random: () => 0 });
    connection.start();
    await flushPromises();
    // Act: the bridge is unreachable twice
    FakeWebSocket.last.serverClose(1006);
    expect(connection.status).toMatchObject({ state: 'disconnected', retryInMs: 500, attempt: 1 });
    expect(connection.status.problem?.code).toBe('UNREACHABLE');
    jest.advanceTimersByTime(499);
    expect(FakeWebSocket.instances).toHaveLength(1);
    jest.advanceTimersByTime(1);
    await flushPromises();
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.serverClose(1006);
    expect(connection.status).toMatchObject({ retryInMs: 1000, attempt: 2 });
    jest.advanceTimersByTime(1000);
    await flushPromises();
    // Assert: third socket, a token per attempt, and connected resets the attempt count
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive(ready);
    expect(FakeWebSocket.instances).toHaveLength(3);
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(statuses[statuses.length - 1]).toEqual({ state: 'connected', attempt: 0 });
  });

  it('gives up after repeated 4401 and explains what the admin must check', async () => {
    // Arrange
    const { connection } = setup({ maxAuthFailures: 2 });
    connection.start();
    await flushPromises();
    // Act: the bridge rejects the token twice
    FakeWebSocket.last.serverClose(4401);
    expect(connection.status.state).toBe('disconnected');
    jest.runOnlyPendingTimers();
    await flushPromises();
    FakeWebSocket.last.serverClose(4401);
    // Assert: no further attempts are scheduled
    expect(connection.status.state).toBe('failed');
    expect(connection.status.problem?.action).toMatch(/certificate/);
    jest.runOnlyPendingTimers();
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('explains 4403 with the origin the admin must allow, and does not retry', async () => {
    const { connection } = setup();
    connection.start();
    await flushPromises();
    FakeWebSocket.last.serverClose(4403);
    expect(connection.status.state).toBe('failed');
    expect(connection.status.problem?.action).toContain(
      'https://acme.lightning.force.com to server.allowedOrigins',
    );
    jest.runOnlyPendingTimers();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('explains 4400 (protocol mismatch) and does not retry', async () => {
    const { connection } = setup();
    connection.start();
    await flushPromises();
    // The bridge refused the first frame as not being protocol v1.
    FakeWebSocket.last.serverClose(4400);
    expect(connection.status.state).toBe('failed');
    expect(connection.status.problem?.code).toBe('PROTOCOL_MISMATCH');
    jest.runOnlyPendingTimers();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('tells a user without the permission set what to ask for', async () => {
    const { connection } = setup({
      getToken: jest
        .fn()
        .mockRejectedValue({ body: { message: 'Missing custom permission Switchboard_User' } }),
    });
    connection.start();
    await flushPromises();
    expect(connection.status.problem).toMatchObject({ code: 'NOT_ENABLED' });
    expect(connection.status.problem?.action).toMatch(/Switchboard User permission set/);
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('says so when no bridge URL is configured', () => {
    const { connection } = setup({ url: '' });
    connection.start();
    expect(connection.status).toMatchObject({
      state: 'failed',
      problem: { code: 'NOT_CONFIGURED' },
    });
  });

  it('retries when the bridge never answers hello', async () => {
    const { connection } = setup({ readyTimeoutMs: 5000 });
    connection.start();
    await flushPromises();
    FakeWebSocket.last.open();
    jest.advanceTimersByTime(5000);
    expect(connection.status.problem?.code).toBe('HELLO_TIMEOUT');
    expect(FakeWebSocket.instances[0]?.closedWith).toBe(1000);
  });

  it('sends frames only while connected and stops cleanly', async () => {
    const { connection, statuses } = setup();
    const link = { v: 1, type: 'call.link', callId: 'c1', recordId: '003' } as const;
    expect(connection.send(link)).toBe(false);
    connection.start();
    await flushPromises();
    FakeWebSocket.last.open();
    FakeWebSocket.last.receive(ready);
    expect(connection.send(link)).toBe(true);
    expect(FakeWebSocket.last.sent).toContainEqual(link);
    connection.stop();
    expect(statuses[statuses.length - 1]?.state).toBe('idle');
    expect(FakeWebSocket.last.closedWith).toBe(1000);
  });
});
