import { createElement } from 'lwc';
import SwitchboardSetup from 'c/switchboardSetup';
import getToken from '@salesforce/apex/SwitchboardTokenController.getToken';
import getPreferences from '@salesforce/apex/SwitchboardPreferencesController.getPreferences';
import { FakeWebSocket } from 'test/jest-mocks/fakeWebSocket';
import { cleanUp, find, findAll, flushPromises, textOf } from 'test/lwc-test-utils';

jest.mock('@salesforce/apex/SwitchboardTokenController.getToken', () => ({ default: jest.fn() }), {
  virtual: true,
});
jest.mock(
  '@salesforce/apex/SwitchboardPreferencesController.getPreferences',
  () => ({ default: jest.fn() }),
  { virtual: true },
);

const mocked = <T>(fn: T) => fn as unknown as jest.Mock;

const STATUS = {
  at: '2024-05-01T10:00:00.000Z',
  startedAt: '2024-05-01T08:00:00.000Z',
  pbx: { adapter: 'asterisk', connected: false },
  salesforce: {
    connected: true,
    orgId: '00D000000000001EAA',
    instanceUrl: 'https://acme.my.salesforce.com',
    apiUsage: { used: 1520, max: 15000 },
  },
  connected: [
    { userId: '005A', email: 'ana@acme.example', extensions: ['201'], tabs: 2, admin: false },
  ],
  mapping: [
    { extension: '201', email: 'ana@acme.example', salesforceUserId: '005A', name: 'Ana Lopez' },
    { extension: '299', email: 'fax@acme.example' },
  ],
  mismatches: [{ message: '1 PBX extension has no Salesforce user: 299', fix: 'Map it.' }],
  directory: { enabled: false },
  callLog: {
    enabled: true,
    counts: { parked: 1 },
    parked: [
      {
        callId: 'c1:201',
        extension: '201',
        subject: 'Inbound call',
        error: { code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Subject must mention X' },
        attempts: 1,
        parkedAt: '2024-05-01T09:00:00.000Z',
      },
    ],
  },
  check: {
    ok: false,
    checkedAt: '2024-05-01T09:30:00.000Z',
    source: 'switchboard.yaml',
    steps: [
      {
        id: 'pbx',
        title: 'Phone system',
        guide: 'docs/asterisk.md',
        status: 'fail',
        summary: 'asterisk: login refused',
        problems: [{ message: 'Asterisk refused the AMI login', fix: 'Fix the secret.' }],
        warnings: [],
      },
    ],
  },
  recentErrors: [
    { at: '2024-05-01T09:59:00.000Z', level: 'error', message: 'AMI lost', component: 'pbx' },
  ],
};

type Host = HTMLElement & { shadowRoot: ShadowRoot };
// (lightning-card is a stub here that shows no slotted text: read the card's body.)

async function connected(): Promise<Host> {
  mocked(getPreferences).mockResolvedValue({ bridgeUrl: 'wss://bridge.acme.example/ws' });
  mocked(getToken).mockResolvedValue('token-1');
  const element = createElement('c-switchboard-setup', { is: SwitchboardSetup }) as Host;
  document.body.appendChild(element);
  await flushPromises();
  FakeWebSocket.last.open();
  FakeWebSocket.last.receive({
    v: 1,
    type: 'ready',
    user: { id: '005C', email: 'chloe@acme.example' },
    extensions: [],
    calls: [],
    warnings: [],
  });
  await flushPromises();
  return element;
}

describe('c-switchboard-setup', () => {
  const originalWebSocket = globalThis.WebSocket;
  beforeEach(() => {
    FakeWebSocket.reset();
    globalThis.WebSocket = FakeWebSocket as unknown as typeof WebSocket;
  });
  afterEach(() => {
    cleanUp();
    globalThis.WebSocket = originalWebSocket;
  });

  it('subscribes once signed in and shows every part of admin.status', async () => {
    const element = await connected();
    expect(FakeWebSocket.last.sent).toContainEqual({ v: 1, type: 'admin.subscribe' });
    expect(find(element, '[data-id="setup-connecting"]')).not.toBeNull();

    FakeWebSocket.last.receive({ v: 1, type: 'admin.status', status: STATUS });
    await flushPromises();

    expect(textOf(element, '[data-id="links"] .setup__body')).toContain(
      'Phone system: Not connected',
    );
    expect(textOf(element, '[data-id="links"] .setup__body')).toContain(
      '1,520 of 15,000 API requests',
    );
    expect(textOf(element, 'tr[data-user="ana@acme.example"] [data-id="tabs"]')).toBe('2');
    expect(textOf(element, 'tr[data-extension="299"]')).toContain('No Salesforce user');
    expect(textOf(element, '[data-id="mismatches"]')).toContain('no Salesforce user: 299');
    expect(textOf(element, '[data-id="directory"] .setup__body')).toContain(
      'each call is looked up',
    );
    expect(textOf(element, 'tr[data-parked="c1:201"]')).toContain(
      'FIELD_CUSTOM_VALIDATION_EXCEPTION: Subject must mention X',
    );
    expect(textOf(element, '[data-step="pbx"]')).toBe(
      '✗Phone system — asterisk: login refused✗ Asterisk refused the AMI login→ Fix the secret.',
    );
    expect(textOf(element, '[data-id="recent"] .setup__body')).toContain('[pbx] AMI lost');
    await expect(element).toBeAccessible();
  });

  it('retries a parked log and says why a retry failed', async () => {
    const element = await connected();
    FakeWebSocket.last.receive({ v: 1, type: 'admin.status', status: STATUS });
    await flushPromises();

    find<HTMLElement>(element, 'tr[data-parked="c1:201"] lightning-button')?.click();
    await flushPromises();
    const retry = FakeWebSocket.last.sent.find(
      (f) => (f as { type: string }).type === 'admin.retry',
    ) as { requestId: string; callId: string };
    expect(retry).toMatchObject({ callId: 'c1:201' });

    FakeWebSocket.last.receive({
      v: 1,
      type: 'admin.result',
      requestId: retry.requestId,
      ok: false,
      error: { code: 'CALL_LOG_NOT_PARKED', message: 'No parked call log for call c1:201' },
    });
    await flushPromises();
    expect(textOf(element, '[data-id="retry-error"]')).toBe(
      'Retry failed: No parked call log for call c1:201',
    );
  });

  it('runs the check on request, the button waiting for its answer', async () => {
    const element = await connected();
    FakeWebSocket.last.receive({ v: 1, type: 'admin.status', status: STATUS });
    await flushPromises();
    const button = () =>
      find<HTMLElement & { disabled: boolean; label: string }>(element, '[data-id="run-check"]');

    button()?.click();
    await flushPromises();
    const check = FakeWebSocket.last.sent.find(
      (f) => (f as { type: string }).type === 'admin.check',
    ) as { requestId: string };
    expect(check.requestId).toEqual(expect.any(String));
    expect(button()?.disabled).toBe(true);
    expect(button()?.label).toBe('Checking…');

    FakeWebSocket.last.receive({
      v: 1,
      type: 'admin.result',
      requestId: check.requestId,
      ok: true,
    });
    await flushPromises();
    expect(button()?.disabled).toBe(false);
  });

  it('shows a rep the bridge refused that only admins may see it, and lets the socket go', async () => {
    const element = await connected();
    FakeWebSocket.last.receive({
      v: 1,
      type: 'error',
      code: 'AUTH_NOT_ADMIN',
      message: 'Only Switchboard admins may see the bridge status and act on it.',
    });
    await flushPromises();

    expect(textOf(element, '[data-id="setup-refused"]')).toContain(
      'Only Switchboard admins can see this page.',
    );
    expect(findAll(element, '[data-id="links"]')).toHaveLength(0);
    expect(FakeWebSocket.last.closedWith).toBe(1000);
    await expect(element).toBeAccessible();
  });
});
