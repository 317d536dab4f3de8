// The connection banner at the top of the utility: "Connecting to Switchboard…", who is
// connected on which extension (and the bridge's warnings), that the phone system is not
// connected while the bridge cannot see the PBX, or why Switchboard is not connected, what to
// do about it and when it tries again. Tells its parent when the rep asks to retry now.
import { LightningElement, api } from 'lwc';
import type { ConnectionStatus } from 'c/switchboardConnection';
import { formatLabel } from 'c/switchboardFormat';
import LABELS from './labels';

export default class SwitchboardStatus extends LightningElement {
  @api status: ConnectionStatus = { state: 'idle', attempt: 0 };
  @api userEmail = '';
  @api extensions: string[] = [];
  @api warnings: string[] = [];
  /** The bridge cannot see the phone system (ready.pbx, then pbx frames, said so). */
  @api pbxDown = false;

  labels = LABELS;

  get isConnecting(): boolean {
    return this.status.state === 'connecting' || this.status.state === 'idle';
  }

  get showConnected(): boolean {
    return this.status.state === 'connected';
  }

  /** Connected to the bridge, which cannot see the PBX: no call rings here meanwhile. */
  get showPbxDown(): boolean {
    return this.showConnected && this.pbxDown;
  }

  get hasProblem(): boolean {
    return this.status.state === 'disconnected' || this.status.state === 'failed';
  }

  private get failed(): boolean {
    return this.status.state === 'failed';
  }

  get problemTitle(): string {
    return this.failed ? LABELS.notConnected : LABELS.reconnecting;
  }

  get problemVariant(): string {
    return this.failed ? 'error' : 'warning';
  }

  get problemMessage(): string {
    return this.status.problem?.message ?? '';
  }

  /** What to do, and when the next attempt starts. */
  get problemDetail(): string {
    const action = this.status.problem?.action ?? '';
    const ms = this.status.retryInMs;
    if (this.status.state !== 'disconnected' || ms === undefined) return action;
    return `${action} ${formatLabel(LABELS.nextAttempt, Math.max(1, Math.round(ms / 1000)))}`;
  }

  get retryLabel(): string {
    return this.failed ? LABELS.tryAgain : LABELS.retryNow;
  }

  get connectedText(): string {
    const ext = this.extensions;
    if (ext.length === 0) return formatLabel(LABELS.connectedNoExtension, this.userEmail);
    const label = ext.length === 1 ? LABELS.connectedExtension : LABELS.connectedExtensions;
    return formatLabel(label, this.userEmail, ext.join(', '));
  }

  get warningItems(): { key: string; text: string }[] {
    return this.warnings.map((text, index) => ({ key: `w${index}`, text }));
  }

  get hasWarnings(): boolean {
    return this.warnings.length > 0;
  }

  handleRetry(): void {
    this.dispatchEvent(new CustomEvent('retry'));
  }
}
