// c-switchboard-notice: heading, message, what to do, an action slot and Dismiss.
import SwitchboardNotice from 'c/switchboardNotice';
import { cleanUp, find, flushPromises, mount, textOf } from 'test/lwc-test-utils';
import DIAL_REFUSED from './data/dialRefusedNotice.json';

const render = (props: object) => mount('c-switchboard-notice', SwitchboardNotice, props);

describe('c-switchboard-notice', () => {
  afterEach(cleanUp);

  it('shows the heading, the message and what to do, as an alert', () => {
    // Arrange + Act
    const element = render(DIAL_REFUSED);
    // Assert
    expect(textOf(element, '[data-id="heading"]')).toBe('Could not call +1 (415) 555-0178');
    expect(textOf(element, '[data-id="message"]')).toBe(
      'No phone extension is mapped to ana.lopez@acme.example',
    );
    expect(textOf(element, '[data-id="detail"]')).toContain('Ask your admin');
    expect(find(element, '[role="alert"]')).not.toBeNull();
    expect(find<HTMLElement & { iconName: string }>(element, 'lightning-icon')?.iconName).toBe(
      'utility:error',
    );
  });

  it('leaves out what it was not given: no heading, no detail, no icon, no Dismiss', () => {
    const element = render({ message: 'The call could not be linked to that record: gone' });
    expect(find(element, '[data-id="heading"]')).toBeNull();
    expect(find(element, '[data-id="detail"]')).toBeNull();
    expect(find(element, 'lightning-icon')).toBeNull();
    expect(find(element, '[data-id="dismiss"]')).toBeNull();
  });

  it('tells its parent when the rep dismisses it', async () => {
    // Arrange
    const element = render({ ...DIAL_REFUSED, dismissible: true });
    const dismissed = jest.fn();
    element.addEventListener('dismiss', dismissed);
    await flushPromises();
    // Act
    find(element, '[data-id="dismiss"]')?.click();
    // Assert
    expect(dismissed).toHaveBeenCalledTimes(1);
  });

  it('is accessible', async () => {
    const element = render({ ...DIAL_REFUSED, dismissible: true });
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
