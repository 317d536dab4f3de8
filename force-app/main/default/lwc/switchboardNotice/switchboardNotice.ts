// A notice inside the utility, in SLDS's scoped-notification style: why Switchboard is not
// connected, why a dial or a link failed. A heading, the message, a second line saying what
// to do, room for an action (a slot: Retry now), and a Dismiss button that tells the parent.
import { LightningElement, api } from 'lwc';
import LABELS from './labels';

export default class SwitchboardNotice extends LightningElement {
  @api heading = '';
  @api message = '';
  /** What to do about it, in weaker type. */
  @api detail = '';
  /** error or warning: shows the matching icon; nothing for a plain notice. */
  @api variant = '';
  @api dismissible = false;

  labels = LABELS;

  get iconName(): string {
    return this.variant ? `utility:${this.variant}` : '';
  }

  get iconText(): string {
    return this.variant === 'warning' ? LABELS.warning : LABELS.error;
  }

  handleDismiss(): void {
    this.dispatchEvent(new CustomEvent('dismiss'));
  }
}
