// Switchboard Setup: the bridge's health where a Salesforce admin works. It signs in to the
// bridge like the utility (an Apex-signed identity token, which for a holder of the
// Switchboard_Admin custom permission carries the admin role — no shared secret in the browser),
// subscribes to admin.status and shows it live: links, connected reps, the user mapping both ways,
// directory sync, parked call logs with retry, the last installation check (run again on demand)
// and recent errors. The bridge refuses the admin frames of anyone else; the page then says who
// may see it.
import { LightningElement } from 'lwc';
import getToken from '@salesforce/apex/SwitchboardTokenController.getToken';
import getPreferences from '@salesforce/apex/SwitchboardPreferencesController.getPreferences';
import {
  SwitchboardConnection,
  errorMessage,
  notEnabledProblem,
  type ConnectionStatus,
} from 'c/switchboardConnection';
import {
  adminCheckFrame,
  adminRetryFrame,
  adminSubscribeFrame,
  type AdminResultFrame,
  type ErrorFrame,
} from 'c/switchboardProtocol';
import { formatLabel } from 'c/switchboardFormat';
import { setupView, type SetupView } from './setupView';
import LABELS from './labels';

const NOT_ADMIN = 'AUTH_NOT_ADMIN';

export default class SwitchboardSetup extends LightningElement {
  labels = LABELS;
  status: ConnectionStatus = { state: 'idle', attempt: 0 };
  view: SetupView | undefined;
  refused = false;
  /** A problem before the bridge answered (not enabled, no Bridge URL, unreachable). */
  problem = '';
  problemAction = '';
  checkRunning = false;
  /** Per parked call id: why its retry failed. */
  retryErrors: Record<string, string> = {};
  retrying: string[] = [];

  private connection: SwitchboardConnection | undefined;
  private nextRequest = 1;
  private pending = new Map<string, { kind: 'retry' | 'check'; callId?: string }>();

  override connectedCallback(): void {
    this.start().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    this.connection?.stop();
    this.connection = undefined;
  }

  get isConnecting(): boolean {
    return !this.refused && this.view === undefined && this.problem === '';
  }

  get showStatus(): boolean {
    return !this.refused && this.view !== undefined;
  }

  get hasProblem(): boolean {
    return !this.refused && this.problem !== '';
  }

  get hasConnected(): boolean {
    return (this.view?.connected.length ?? 0) > 0;
  }

  get hasMismatches(): boolean {
    return (this.view?.mismatches.length ?? 0) > 0;
  }

  get hasParked(): boolean {
    return (this.view?.parked.length ?? 0) > 0;
  }

  get hasRecent(): boolean {
    return (this.view?.recent.length ?? 0) > 0;
  }

  get parkedRows() {
    return (this.view?.parked ?? []).map((row) => ({
      ...row,
      retrying: this.retrying.includes(row.callId),
      retryError: this.retryErrors[row.callId] ?? '',
      retryLabel: `${LABELS.retry} ${row.callId}`,
    }));
  }

  get checkButtonLabel(): string {
    return this.checkRunning ? LABELS.checkRunning : LABELS.checkRun;
  }

  handleRunCheck(): void {
    const requestId = this.request({ kind: 'check' });
    if (this.connection?.send(adminCheckFrame(requestId)) === true) this.checkRunning = true;
    else this.pending.delete(requestId);
  }

  handleRetry(event: Event): void {
    const callId = (event.currentTarget as HTMLElement | null)?.dataset.callId;
    if (!callId) return;
    const requestId = this.request({ kind: 'retry', callId });
    if (this.connection?.send(adminRetryFrame(requestId, callId)) !== true) {
      this.pending.delete(requestId);
      return;
    }
    this.retrying = [...this.retrying, callId];
    this.retryErrors = Object.fromEntries(
      Object.entries(this.retryErrors).filter(([id]) => id !== callId),
    );
  }

  private request(what: { kind: 'retry' | 'check'; callId?: string }): string {
    const requestId = `setup-${this.nextRequest++}`;
    this.pending.set(requestId, what);
    return requestId;
  }

  private async start(): Promise<void> {
    let bridgeUrl: string | null;
    try {
      bridgeUrl = (await getPreferences()).bridgeUrl;
    } catch (error) {
      const message = errorMessage(error);
      const notEnabled = notEnabledProblem(message);
      this.problem = notEnabled?.message ?? message;
      this.problemAction = notEnabled?.action ?? '';
      return;
    }
    this.connection = new SwitchboardConnection({
      url: bridgeUrl,
      getToken: () => getToken(),
      listener: {
        onStatus: (status) => {
          this.status = status;
          if (status.problem !== undefined && status.state !== 'connected') {
            this.problem = status.problem.message;
            this.problemAction = status.problem.action;
          } else if (status.state === 'connected') {
            this.problem = '';
            this.problemAction = '';
          }
        },
        onReady: () => {
          this.connection?.send(adminSubscribeFrame());
        },
        onAdminStatus: (frame) => {
          this.refused = false;
          this.view = setupView(frame.status);
        },
        onAdminResult: (frame) => {
          this.handleResult(frame);
        },
        onError: (frame) => {
          this.handleError(frame);
        },
      },
    });
    this.connection.start();
  }

  private handleResult(frame: AdminResultFrame): void {
    const what = this.pending.get(frame.requestId);
    if (what === undefined) return;
    this.pending.delete(frame.requestId);
    if (what.kind === 'check') {
      this.checkRunning = false;
      return;
    }
    const callId = what.callId ?? '';
    this.retrying = this.retrying.filter((id) => id !== callId);
    if (!frame.ok)
      this.retryErrors = {
        ...this.retryErrors,
        [callId]: formatLabel(LABELS.retryFailed, frame.error?.message ?? ''),
      };
  }

  private handleError(frame: ErrorFrame): void {
    if (frame.code !== NOT_ADMIN) return;
    this.refused = true;
    this.view = undefined;
    // Nothing this page may ask will be answered: stop rather than keep a socket for nothing.
    this.connection?.stop();
  }
}
