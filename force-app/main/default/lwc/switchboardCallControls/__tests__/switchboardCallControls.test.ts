// c-switchboard-call-controls: the buttons for the call's state, the transfer form (extension,
// colleague by name, number; at once or after consulting), controls the phone system does not
// offer shown disabled and saying so, and what became of the last control.
import SwitchboardCallControls from 'c/switchboardCallControls';
import { cleanUp, find, findAll, flushPromises, mount, textOf } from 'test/lwc-test-utils';

const ALL = [
  'hangup',
  'transfer',
  'consult',
  'consult.complete',
  'consult.cancel',
  'hold',
  'resume',
];
const CALL = {
  id: 'sim-1:201',
  direction: 'inbound',
  state: 'connected',
  extension: '201',
  number: '+14155550123',
  e164: '+14155550123',
  display: '(415) 555-0123',
  withheld: false,
  internal: false,
  startedAt: '2026-12-01T10:00:00.000Z',
  answeredAt: '2026-12-01T10:00:03.000Z',
  lookup: 'done',
  matches: [],
};
const BEN = { userId: '005000000000002AAA', name: 'Ben Okafor', extension: '202' };

type Button = HTMLElement & { label: string; disabled: boolean; title: string };

const render = (call: object, view: object = { available: ALL, reps: [] }) =>
  mount('c-switchboard-call-controls', SwitchboardCallControls, { call, view });

const labels = (element: Element) =>
  findAll<Button>(element, 'lightning-button').map((b) => b.label);

function heard(element: Element, name: string): jest.Mock {
  const listener = jest.fn();
  element.addEventListener(name, (event) => listener((event as CustomEvent).detail));
  return listener;
}

async function openTransfer(element: Element): Promise<void> {
  find(element, '[data-id="transfer-toggle"]')!.click();
  await flushPromises();
}

async function choose(element: Element, kind: string, value: string): Promise<void> {
  find(element, '[data-id="target-kind"]')!.dispatchEvent(
    new CustomEvent('change', { detail: { value: kind } }),
  );
  await flushPromises();
  find(element, '[data-id="target"]')!.dispatchEvent(
    new CustomEvent('change', { detail: { value } }),
  );
  await flushPromises();
}

describe('c-switchboard-call-controls', () => {
  afterEach(cleanUp);

  it('offers Decline on a ringing call, and nothing else', () => {
    const element = render({ ...CALL, state: 'ringing' });
    expect(labels(element)).toEqual(['Decline']);
    const control = heard(element, 'control');
    find(element, 'lightning-button[data-action="hangup"]')!.click();
    expect(control.mock.calls).toEqual([[{ action: 'hangup' }]]);
  });

  it('offers Hang up, Hold and Transfer on a connected call; Resume once it is held', async () => {
    const element = render(CALL);
    expect(labels(element)).toEqual(['Hang up', 'Hold', 'Transfer']);
    const control = heard(element, 'control');
    find(element, 'lightning-button[data-action="hold"]')!.click();
    Object.assign(element, { call: { ...CALL, held: true } });
    await flushPromises();
    expect(textOf(element, '[data-id="held"]')).toBe('On hold');
    find(element, 'lightning-button[data-action="resume"]')!.click();
    expect(control.mock.calls).toEqual([[{ action: 'hold' }], [{ action: 'resume' }]]);
  });

  it('shows what the phone system does not offer as unavailable, disabled', () => {
    const element = render(CALL, { available: ['hangup'], reps: [] });
    const hold = find<Button>(element, 'lightning-button[data-action="hold"]')!;
    expect(hold.disabled).toBe(true);
    expect(hold.title).toBe('Hold (not available on your phone system)');
    const transfer = find<Button>(element, '[data-id="transfer-toggle"]')!;
    expect(transfer.disabled).toBe(true);
    expect(find<Button>(element, 'lightning-button[data-action="hangup"]')!.disabled).toBe(false);
  });

  it('transfers to a number at once, or to an extension after consulting', async () => {
    const element = render(CALL);
    const control = heard(element, 'control');
    await openTransfer(element);
    expect(find<Button>(element, '[data-id="transfer-now"]')!.disabled).toBe(true);
    await choose(element, 'number', '(212) 555-0188');
    find(element, '[data-id="transfer-now"]')!.click();
    await flushPromises();
    expect(find(element, '[data-id="transfer-form"]')).toBeNull();
    await openTransfer(element);
    await choose(element, 'extension', '202');
    find(element, '[data-id="consult"]')!.click();
    expect(control.mock.calls).toEqual([
      [{ action: 'transfer', to: { kind: 'number', value: '(212) 555-0188' } }],
      [{ action: 'consult', to: { kind: 'extension', value: '202' } }],
    ]);
  });

  it('finds a colleague by name and transfers to the one found', async () => {
    const element = render(CALL);
    const control = heard(element, 'control');
    const searches = heard(element, 'searchreps');
    await openTransfer(element);
    await choose(element, 'rep', 'oka');
    expect(searches.mock.calls).toEqual([[{ query: 'oka' }]]);
    expect(textOf(element, '[data-id="no-rep"]')).toBe(
      'No colleague with that name has a phone here.',
    );
    Object.assign(element, { view: { available: ALL, reps: [BEN] } });
    await flushPromises();
    const picker = find<HTMLElement & { options: unknown; value: string }>(
      element,
      '[data-id="rep"]',
    )!;
    expect(picker.options).toEqual([{ value: BEN.userId, label: 'Ben Okafor (202)' }]);
    expect(picker.value).toBe(BEN.userId); // the only one found is the one picked
    find(element, '[data-id="transfer-now"]')!.click();
    expect(control.mock.calls).toEqual([
      [{ action: 'transfer', to: { kind: 'rep', value: BEN.userId } }],
    ]);
  });

  it('while consulting: says whom, and offers to hand over or go back', () => {
    const element = render({ ...CALL, consult: { to: '202' } });
    expect(textOf(element, '[data-id="consulting"]')).toBe(
      'Consulting 202; the caller is waiting.',
    );
    expect(labels(element)).toEqual(['Hand over the caller', 'Back to the caller']);
  });

  it('says what became of the last control: in progress, done, or refused and why', async () => {
    const element = render(CALL, { available: ALL, reps: [], pending: 'hold' });
    expect(textOf(element, '[data-id="control-status"]')).toBe('Hold…');
    expect(find<Button>(element, 'lightning-button[data-action="hangup"]')!.disabled).toBe(true);
    Object.assign(element, {
      view: { available: ALL, reps: [], result: { action: 'hold', ok: true } },
    });
    await flushPromises();
    expect(textOf(element, '[data-id="control-status"]')).toBe('Hold: done.');
    Object.assign(element, {
      call: { ...CALL, state: 'ended' },
      view: {
        available: ALL,
        reps: [],
        result: {
          action: 'transfer',
          ok: false,
          refusal: { message: 'The call has already ended.', hint: '' },
        },
      },
    });
    await flushPromises();
    expect(labels(element)).toEqual([]);
    const status = find(element, '[data-id="control-status"]')!;
    expect(status.getAttribute('role')).toBe('alert');
    expect(textOf(element, '[data-id="control-status"]')).toBe(
      'Transfer now: not done. The call has already ended.',
    );
  });

  it('is accessible, with the transfer form open', async () => {
    const element = render(CALL);
    await openTransfer(element);
    await choose(element, 'rep', 'ben');
    await expect(element).toBeAccessible();
  });
});
