// c-switchboard-preferences: the rep's choices under "My preferences", folded away until
// opened; each change goes up to the parent, which saves it and reports failures here.
import SwitchboardPreferences from 'c/switchboardPreferences';
import { cleanUp, find, findAll, flushPromises, mount, textOf } from 'test/lwc-test-utils';
import PREFERENCES from './data/getPreferences.json';

type Checkbox = HTMLElement & { name: string; label: string; checked: boolean };

const render = (props: object) => mount('c-switchboard-preferences', SwitchboardPreferences, props);

describe('c-switchboard-preferences', () => {
  afterEach(cleanUp);

  it('opens to show the three choices as the rep made them', async () => {
    // Arrange: folded away
    const element = render({ preferences: PREFERENCES });
    const toggle = find(element, '[data-id="settings-toggle"]')!;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(find(element, '[data-id="settings"]')).toBeNull();
    // Act
    toggle.click();
    await flushPromises();
    // Assert
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const boxes = findAll<Checkbox>(element, 'lightning-input');
    expect(boxes.map((box) => [box.name, box.label, box.checked])).toEqual([
      ['openSingleMatch', "Open the caller's record when exactly one record matches", true],
      [
        'createFormForUnknownInbound',
        'Open a new Contact form for unknown incoming callers',
        false,
      ],
      [
        'createFormForUnknownOutbound',
        'Open a new Contact form when I call an unknown number',
        false,
      ],
    ]);
  });

  it('sends each change up', async () => {
    // Arrange
    const element = render({ preferences: PREFERENCES });
    const changed = jest.fn();
    element.addEventListener('preferencechange', (event) => changed((event as CustomEvent).detail));
    find(element, '[data-id="settings-toggle"]')?.click();
    await flushPromises();
    // Act
    const box = findAll<Checkbox>(element, 'lightning-input')[2]!;
    box.checked = true;
    box.dispatchEvent(new CustomEvent('change'));
    // Assert
    expect(changed).toHaveBeenCalledWith({ name: 'createFormForUnknownOutbound', checked: true });
  });

  it('shows why a preference was not saved', () => {
    const element = render({ preferences: PREFERENCES, error: 'Your preference was not saved: x' });
    expect(textOf(element, '[data-id="preferences-error"]')).toBe(
      'Your preference was not saved: x',
    );
  });

  it('is accessible', async () => {
    const element = render({ preferences: PREFERENCES });
    find(element, '[data-id="settings-toggle"]')?.click();
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
