// c-switchboard-call-notes: notes, a disposition and Save, and what became of the last save;
// each edit goes up to the parent, which keeps the draft and sends it.
import SwitchboardCallNotes, { DISPOSITIONS } from 'c/switchboardCallNotes';
import { cleanUp, find, findAll, flushPromises, mount, textOf } from 'test/lwc-test-utils';
import DRAFT from './data/noteDraft.json';

type Button = HTMLElement & { disabled: boolean };

const render = (draft: object | undefined) =>
  mount('c-switchboard-call-notes', SwitchboardCallNotes, { draft });

describe('c-switchboard-call-notes', () => {
  afterEach(cleanUp);

  it('reports each edit of the notes and the disposition', () => {
    // Arrange
    const element = render(undefined);
    const changes = jest.fn();
    element.addEventListener('draftchange', (event) => changes((event as CustomEvent).detail));
    // Act: the rep types, then picks a disposition
    const notes = find<HTMLTextAreaElement>(element, '[data-id="notes-text"]')!;
    notes.value = 'Call back Friday';
    notes.dispatchEvent(new CustomEvent('change'));
    const select = find<HTMLSelectElement>(element, '[data-id="disposition"]')!;
    select.value = 'Call back';
    select.dispatchEvent(new CustomEvent('change'));
    // Assert
    expect(changes.mock.calls).toEqual([
      [{ notes: 'Call back Friday' }],
      [{ disposition: 'Call back' }],
    ]);
  });

  it('offers the dispositions of the Task, none chosen at first', () => {
    const element = render(undefined);
    const options = findAll<HTMLOptionElement>(element, 'option');
    expect(options.map((o) => o.value)).toEqual(['', ...DISPOSITIONS]);
    expect(options[0]?.textContent?.trim()).toBe('--None--');
    expect(find<Button>(element, '[data-id="notes-save"]')?.disabled).toBe(true);
  });

  it('saves a draft with something in it, once at a time', async () => {
    // Arrange
    const element = render(DRAFT);
    const saved = jest.fn();
    element.addEventListener('save', saved);
    await flushPromises();
    // Act
    const save = find<Button>(element, '[data-id="notes-save"]')!;
    expect(save.disabled).toBe(false);
    expect(find<HTMLOptionElement>(element, 'option[value="Interested"]')?.selected).toBe(true);
    save.click();
    // Assert: asked to save; while saving, the button waits
    expect(saved).toHaveBeenCalledTimes(1);
    Object.assign(element, { draft: { ...DRAFT, status: 'saving' } });
    await flushPromises();
    expect(textOf(element, '[data-id="notes-status"]')).toBe('Saving…');
    expect(save.disabled).toBe(true);
  });

  it('says Saved, or why not', async () => {
    const element = render({ ...DRAFT, status: 'saved' });
    expect(textOf(element, '[data-id="notes-status"]')).toBe('Saved');
    Object.assign(element, { draft: { ...DRAFT, status: 'error', error: 'No such call.' } });
    await flushPromises();
    expect(textOf(element, '[data-id="notes-status"]')).toBe('Not saved: No such call.');
    expect(find(element, '[data-id="notes-status"]')?.getAttribute('role')).toBe('alert');
  });

  it('is accessible', async () => {
    const element = render(DRAFT);
    await flushPromises();
    await expect(element).toBeAccessible();
  });
});
