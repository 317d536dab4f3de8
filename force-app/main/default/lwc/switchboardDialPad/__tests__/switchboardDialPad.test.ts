// c-switchboard-dial-pad: the number box with Call (and Enter), the dial pad, the dials not
// answered yet and why the last one failed. The number lives in the parent: keys and typing
// go up as numberchange, a dial as dial.
import SwitchboardDialPad from 'c/switchboardDialPad';
import { cleanUp, find, findAll, flushPromises, listen, mount, textOf } from 'test/lwc-test-utils';
import DIAL_REFUSED from './data/dialRefused.json';

type Button = HTMLElement & { disabled: boolean };

const render = (props: object) =>
  mount('c-switchboard-dial-pad', SwitchboardDialPad, { connected: true, ...props });

describe('c-switchboard-dial-pad', () => {
  afterEach(cleanUp);

  it('adds pad keys to the number, even pressed faster than it re-renders', async () => {
    // Arrange: the pad is closed at first
    const element = render({ number: '' });
    const heard = listen(element, 'numberchange', 'dial');
    const toggle = find(element, '[data-id="dial-pad-toggle"]')!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(find(element, '[data-id="dial-pad"]')).toBeNull();
    // Act: open it, press 2, 0, 2 and Call
    toggle.click();
    await flushPromises();
    for (const key of ['2', '0', '2']) find(element, `[data-key="${key}"]`)?.click();
    find(element, '[data-id="dial-call"]')?.click();
    // Assert
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(heard).toEqual([
      { numberchange: { number: '2' } },
      { numberchange: { number: '20' } },
      { numberchange: { number: '202' } },
      { dial: { number: '202', source: 'pad' } },
    ]);
  });

  it('dials on Enter and offers Call only with a number', async () => {
    // Arrange
    const element = render({ number: '' });
    const heard = listen(element, 'numberchange', 'dial');
    expect(find<Button>(element, '[data-id="dial-call"]')?.disabled).toBe(true);
    // Act: the rep types and presses Enter
    const input = find<HTMLInputElement>(element, '[data-id="dial-number"]')!;
    input.value = '+1 415 555 0178';
    input.dispatchEvent(new CustomEvent('input'));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await flushPromises();
    // Assert
    expect(heard).toEqual([
      { numberchange: { number: '+1 415 555 0178' } },
      { dial: { number: '+1 415 555 0178', source: 'pad' } },
    ]);
    expect(find<Button>(element, '[data-id="dial-call"]')?.disabled).toBe(false);
  });

  it('offers no number box while not connected, but still shows a failed dial', () => {
    const element = render({ connected: false, error: DIAL_REFUSED });
    expect(find(element, '[data-id="dial-number"]')).toBeNull();
    expect(find(element, '[data-id="dial-error"]')).not.toBeNull();
  });

  it('lists the dials the phone system has not answered yet', () => {
    const element = render({
      pending: [
        { requestId: 'dial-1', number: '+14155550178' },
        { requestId: 'dial-2', number: '202' },
      ],
    });
    const items = findAll(element, '[data-id="dial-pending"] li');
    expect(items.map((item) => item.textContent?.trim())).toEqual([
      'Calling +14155550178…',
      'Calling 202…',
    ]);
  });

  it('shows why a dial failed until the rep dismisses it', () => {
    // Arrange
    const element = render({ error: DIAL_REFUSED });
    const dismissed = jest.fn();
    element.addEventListener('dismisserror', dismissed);
    const notice = find(element, '[data-id="dial-error"]')!;
    // Assert: the bridge's words, plainly
    expect(textOf(notice, '[data-id="heading"]')).toBe('Could not call +1 (415) 555-0178');
    expect(textOf(notice, '[data-id="message"]')).toBe(DIAL_REFUSED.message);
    expect(textOf(notice, '[data-id="detail"]')).toBe(DIAL_REFUSED.hint);
    // Act
    find(notice, '[data-id="dismiss"]')?.click();
    // Assert
    expect(dismissed).toHaveBeenCalledTimes(1);
  });

  it('is accessible', async () => {
    const element = render({ number: '202', error: DIAL_REFUSED });
    find(element, '[data-id="dial-pad-toggle"]')?.click();
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
