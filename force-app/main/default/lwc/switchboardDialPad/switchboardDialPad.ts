// Click-to-dial in the utility: while connected, a "Phone number" box with a Call button
// (Enter dials too) and a collapsible dial pad of real buttons; the dials the phone system
// has not answered yet ("Calling …"); and why the last dial failed, until dismissed. The
// number lives in the parent (it clears the box once a dial went through).
import { LightningElement, api } from 'lwc';
import { formatLabel } from 'c/switchboardFormat';
import LABELS from './labels';

/** The dial pad: digit, letters, and what a screen reader says. */
const PAD_KEYS = [
  ['1', ''],
  ['2', 'ABC'],
  ['3', 'DEF'],
  ['4', 'GHI'],
  ['5', 'JKL'],
  ['6', 'MNO'],
  ['7', 'PQRS'],
  ['8', 'TUV'],
  ['9', 'WXYZ'],
  ['*', ''],
  ['0', '+'],
  ['#', ''],
].map(([value = '', letters = '']) => ({
  value,
  letters,
  label: value === '*' ? LABELS.star : value === '#' ? LABELS.pound : value,
}));

export interface PendingDialView {
  requestId: string;
  number: string;
}

export interface DialErrorView {
  title: string;
  message: string;
  hint: string;
}

export default class SwitchboardDialPad extends LightningElement {
  /** The number box and pad are offered only while connected. */
  @api connected = false;
  /** What is in the number box; kept here too, so keys pressed before a re-render add up. */
  @api
  get number(): string {
    return this.typed;
  }
  set number(value: string | undefined) {
    this.typed = value ?? '';
  }
  @api pending: PendingDialView[] = [];
  @api error: DialErrorView | null = null;

  labels = LABELS;
  showPad = false;
  typed = '';

  get callDisabled(): boolean {
    return !this.typed.trim();
  }

  get padKeys(): typeof PAD_KEYS {
    return PAD_KEYS;
  }

  get padExpanded(): string {
    return String(this.showPad);
  }

  get padIcon(): string {
    return this.showPad ? 'utility:chevrondown' : 'utility:chevronright';
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  get pendingViews(): { key: string; text: string }[] {
    return this.pending.map((p) => ({
      key: p.requestId,
      text: formatLabel(LABELS.calling, p.number),
    }));
  }

  private numberChanged(number: string): void {
    this.typed = number;
    this.dispatchEvent(new CustomEvent('numberchange', { detail: { number } }));
  }

  private dial(number: string): void {
    this.dispatchEvent(new CustomEvent('dial', { detail: { number, source: 'pad' } }));
  }

  handleInput(event: Event): void {
    this.numberChanged((event.target as HTMLInputElement).value);
  }

  handleKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    this.dial((event.target as HTMLInputElement).value);
  }

  handleCall(): void {
    this.dial(this.typed);
  }

  handleTogglePad(): void {
    this.showPad = !this.showPad;
  }

  handlePadKey(event: Event): void {
    const key = (event.currentTarget as HTMLElement).dataset.key ?? '';
    this.numberChanged(`${this.typed}${key}`);
  }

  handleDismissError(): void {
    this.dispatchEvent(new CustomEvent('dismisserror'));
  }
}
