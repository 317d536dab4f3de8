// c-switchboard-status: connecting, connected as whom on which extension, or why not, what
// to do and when the next attempt starts; Retry now goes up to the parent.
import SwitchboardStatus from 'c/switchboardStatus';
import { cleanUp, find, flushPromises, mount, textOf } from 'test/lwc-test-utils';
import RECONNECTING from './data/connectionReconnecting.json';
import FAILED from './data/connectionFailed.json';

const render = (props: object) => mount('c-switchboard-status', SwitchboardStatus, props);

const connected = { state: 'connected', attempt: 0 };
const notice = (element: HTMLElement, part: string) =>
  textOf(find(element, '[data-id="status-problem"]')!, `[data-id="${part}"]`);

describe('c-switchboard-status', () => {
  afterEach(cleanUp);

  it('says it is connecting until the bridge is ready', () => {
    const element = render({ status: { state: 'connecting', attempt: 0 } });
    expect(textOf(element, '[data-id="status-connecting"]')).toBe('Connecting to Switchboard…');
    expect(find(element, '[data-id="status-connected"]')).toBeNull();
  });

  it('names the rep and their extensions, and lists the bridge warnings', async () => {
    // Arrange: one extension and a warning
    const element = render({
      status: connected,
      userEmail: 'ana.lopez@acme.example',
      extensions: ['201'],
      warnings: ['No PBX user has this email'],
    });
    // Assert
    expect(textOf(element, '[data-id="status-connected"]')).toBe(
      'Connected as ana.lopez@acme.example on extension 201',
    );
    expect(textOf(element, '[data-id="warnings"]')).toBe('No PBX user has this email');
    // Act + Assert: two extensions, then none
    Object.assign(element, { extensions: ['201', '202'], warnings: [] });
    await flushPromises();
    expect(textOf(element, '[data-id="status-connected"]')).toBe(
      'Connected as ana.lopez@acme.example on extensions 201, 202',
    );
    expect(find(element, '[data-id="warnings"]')).toBeNull();
    Object.assign(element, { extensions: [] });
    await flushPromises();
    expect(textOf(element, '[data-id="status-connected"]')).toBe(
      'Connected as ana.lopez@acme.example with no extension',
    );
  });

  it('says the phone system is not connected while the bridge cannot see the PBX', async () => {
    const element = render({
      status: connected,
      userEmail: 'ana.lopez@acme.example',
      extensions: ['201'],
    });
    expect(find(element, '[data-id="status-pbx"]')).toBeNull();
    Object.assign(element, { pbxDown: true });
    await flushPromises();
    const pbx = (part: string) =>
      textOf(find(element, '[data-id="status-pbx"]')!, `[data-id="${part}"]`);
    expect(pbx('heading')).toBe('Phone system not connected');
    expect(pbx('detail')).toBe('Your phone still works. Switchboard reconnects by itself.');
    // Not connected to the bridge at all: that problem is the one to show.
    Object.assign(element, { status: RECONNECTING });
    await flushPromises();
    expect(find(element, '[data-id="status-pbx"]')).toBeNull();
    expect(notice(element, 'heading')).toBe('Not connected — reconnecting');
  });

  it('explains a dropped connection, when it retries, and offers Retry now', () => {
    // Arrange
    const element = render({ status: RECONNECTING });
    const retry = jest.fn();
    element.addEventListener('retry', retry);
    // Assert: what happened, what to do, when the next attempt starts
    expect(notice(element, 'heading')).toBe('Not connected — reconnecting');
    expect(notice(element, 'message')).toBe(
      'Cannot reach the bridge at wss://bridge.acme.example/ws.',
    );
    expect(notice(element, 'detail')).toMatch(/CSP Trusted Site\. Next attempt in 1 s\.$/);
    // Act: Retry now
    const button = find<HTMLElement & { label: string }>(element, '[data-id="retry"]')!;
    expect(button.label).toBe('Retry now');
    button.click();
    // Assert
    expect(retry).toHaveBeenCalledTimes(1);
  });

  it('says what to ask the admin for when it gave up', () => {
    const element = render({ status: FAILED });
    expect(notice(element, 'heading')).toBe('Not connected');
    expect(notice(element, 'message')).toBe("Switchboard isn't enabled for you.");
    expect(notice(element, 'detail')).toBe(
      'Ask your admin for the Switchboard User permission set.',
    );
    expect(find<HTMLElement & { label: string }>(element, '[data-id="retry"]')?.label).toBe(
      'Try again',
    );
  });

  it('is accessible', async () => {
    const element = render({ status: RECONNECTING });
    await flushPromises();
    await expect(element).toBeAccessible();
    Object.assign(element, { status: connected, pbxDown: true });
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
