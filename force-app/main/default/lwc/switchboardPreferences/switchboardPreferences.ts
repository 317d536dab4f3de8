// The rep's own preferences, folded away under "My preferences": open the caller's record
// when exactly one record matches, and open a new Contact form for unknown numbers (incoming,
// outgoing). Each change goes up as an event; the parent saves it through Apex and says
// here when that failed.
import { LightningElement, api } from 'lwc';
import LABELS from './labels';
import type { SwitchboardPreferences as Preferences } from '@salesforce/apex/SwitchboardPreferencesController.getPreferences';

export type PreferenceName =
  'openSingleMatch' | 'createFormForUnknownInbound' | 'createFormForUnknownOutbound';

/** The preferences a rep sets here, in the order shown. */
const OPTIONS: { name: PreferenceName; label: string }[] = [
  { name: 'openSingleMatch', label: LABELS.openSingleMatch },
  { name: 'createFormForUnknownInbound', label: LABELS.createInbound },
  { name: 'createFormForUnknownOutbound', label: LABELS.createOutbound },
];

export default class SwitchboardPreferences extends LightningElement {
  @api preferences: Partial<Preferences> = {};
  /** Why loading or saving the preferences failed. */
  @api error = '';

  labels = LABELS;
  expanded = false;

  get expandedText(): string {
    return String(this.expanded);
  }

  get options(): { name: PreferenceName; label: string; checked: boolean }[] {
    return OPTIONS.map((option) => ({
      ...option,
      checked: this.preferences[option.name] === true,
    }));
  }

  get toggleIcon(): string {
    return this.expanded ? 'utility:chevrondown' : 'utility:chevronright';
  }

  handleToggle(): void {
    this.expanded = !this.expanded;
  }

  handleChange(event: Event): void {
    const input = event.target as HTMLInputElement;
    const detail = { name: input.name as PreferenceName, checked: input.checked };
    this.dispatchEvent(new CustomEvent('preferencechange', { detail }));
  }
}
