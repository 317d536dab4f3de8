// The utility's sense of time: a once-a-second tick while a call is connected (the call
// timer), and a wake-up when the earliest notes grace period of an ended call is over, so its
// notes form goes away. Nothing else would re-render the utility at those moments.
import type { Call } from 'c/switchboardProtocol';
import { nextNotesClose, type NotesContext } from 'c/switchboardCalls';

export interface CallClockOptions {
  /** Receives the time to render with; the component keeps it in a reactive field. */
  tick(now: number): void;
  /** The calls on screen and what decides their notes period, as they are now. */
  calls(): Call[];
  notes(): Omit<NotesContext, 'now'>;
}

export class CallClock {
  private interval: number | undefined;
  private wakeUp: number | undefined;

  constructor(private readonly options: CallClockOptions) {}

  /** After the calls changed: the time now, the tick while a call runs, the next wake-up. */
  update(): void {
    const now = Date.now();
    this.options.tick(now);
    this.scheduleWakeUp(now);
    const running = this.options.calls().some((c) => c.state === 'connected');
    if (running && this.interval === undefined) {
      // eslint-disable-next-line @lwc/lwc/no-async-operation
      this.interval = window.setInterval(() => {
        this.options.tick(Date.now());
      }, 1000);
    } else if (!running) {
      this.stopTicking();
    }
  }

  stop(): void {
    this.stopTicking();
    if (this.wakeUp !== undefined) window.clearTimeout(this.wakeUp);
    this.wakeUp = undefined;
  }

  private stopTicking(): void {
    if (this.interval !== undefined) window.clearInterval(this.interval);
    this.interval = undefined;
  }

  private scheduleWakeUp(now: number): void {
    if (this.wakeUp !== undefined) window.clearTimeout(this.wakeUp);
    this.wakeUp = undefined;
    const end = nextNotesClose(this.options.calls(), { ...this.options.notes(), now });
    if (end === undefined) return;
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.wakeUp = window.setTimeout(
      () => {
        this.wakeUp = undefined;
        const later = Date.now();
        this.options.tick(later);
        this.scheduleWakeUp(later);
      },
      Math.max(0, end - now) + 50,
    );
  }
}
