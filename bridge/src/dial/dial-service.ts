// Turns a rep's `dial` request into a PBX originate: checks the rep has an extension, the
// number is dialable, no dial is already in flight for the rep, and the rep is within the
// rate limit; audits each dial in the log with the number masked. It owns every dial's state,
// including the record it was placed from until its call rings (calls/ asks, DialOrigins).
import { randomUUID } from 'node:crypto';
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../errors';
import { numberForLog, type Logger } from '../logging/logger';
import type { DialOrigins } from '../calls/call-service';
import type { PbxAdapter } from '../pbx/adapter';
import type { PhoneConfig } from '../config/schema';
import { dialTargetFor } from '../phone/dial-policy';

export interface DialInput {
  requestId: string;
  number: string;
  recordId?: string;
  rep: { userId: string; email: string; extensions: readonly string[] };
}

export interface DialOutcome {
  pbxCallId?: string;
}

/** Whether a rep may link a call to a record (salesforce/linkable-records.ts). */
export interface DialRecordCheck {
  /** Resolves with the record's id as Salesforce writes it; rejects to refuse the record. */
  check(rep: { userId: string }, recordId: string, feature: 'dial'): Promise<string>;
}

/** Refusals of the record itself; any other failure means Salesforce could not be asked. */
const RECORD_REFUSALS: ReadonlySet<string> = new Set([
  ErrorCodes.RECORD_NOT_LINKABLE,
  ErrorCodes.RECORD_NOT_ACCESSIBLE,
]);

/** A dial that passed the checks: the rep's extension, the PBX's dial string, the call's number. */
interface Checked {
  extension: string;
  target: string;
  callNumber: string;
}

export interface DialServiceOptions {
  adapter: PbxAdapter;
  /**
   * Checks `recordId` before the PBX is asked: a record the rep may not link refuses the dial.
   * When Salesforce cannot answer, the call is placed without the link. Absent: not checked.
   */
  records?: DialRecordCheck;
  phone: PhoneConfig;
  logger: Logger;
  /** Dials per rep per minute. */
  perMinute?: number;
  /**
   * After the PBX accepted a dial, the same rep dialing the same number within this many ms
   * gets DIAL_IN_PROGRESS: a double click whose second click arrives after a fast PBX already
   * answered the first must still dial once. Default 2000.
   */
  repeatWindowMs?: number;
  now?: () => number;
}

/** Dials whose call has not rung yet, remembered with their record; the oldest are dropped. */
const MAX_DIALED_RECORDS = 1000;

export class DialService implements DialOrigins {
  private readonly inFlight = new Set<string>();
  private readonly recent = new Map<string, number[]>();
  /** Per rep: the last number the PBX accepted and when. */
  private readonly lastAccepted = new Map<string, { target: string; at: number }>();
  /** The bridge's dial id → the record it was placed from, until its call rings. */
  private readonly dialedRecords = new Map<string, string>();
  private readonly perMinute: number;
  private readonly repeatWindowMs: number;
  private readonly now: () => number;

  constructor(private readonly options: DialServiceOptions) {
    this.perMinute = options.perMinute ?? 10;
    this.repeatWindowMs = options.repeatWindowMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  async dial(input: DialInput): Promise<DialOutcome> {
    let checked: Checked;
    let dialed = input;
    try {
      // The record first: it is asked of Salesforce, and nothing may come between the
      // synchronous checks and placing the call (a double click must dial once).
      if (this.needsRecordCheck(input)) dialed = await this.withCheckedRecord(input);
      checked = this.check(dialed);
    } catch (error) {
      if (isSwitchboardError(error)) {
        // Refused before reaching the PBX: still part of the audit trail, masked like the rest.
        // A number the dial policy refuses is worth a warning: it may be toll fraud.
        const log = this.options.logger;
        const rule = error.details?.['rule'];
        log[error.code === ErrorCodes.DIAL_NUMBER_NOT_ALLOWED ? 'warn' : 'info'](
          {
            requestId: input.requestId,
            userId: input.rep.userId,
            number: numberForLog(log, input.number),
            recordId: input.recordId,
            code: error.code,
            ...(rule === undefined ? {} : { rule }),
          },
          'dial rejected',
        );
      }
      throw error;
    }
    return this.place(dialed, checked);
  }

  /** Without an extension the dial is refused anyway (DIAL_NO_EXTENSION): no need to ask. */
  private needsRecordCheck(input: DialInput): boolean {
    return (
      input.recordId !== undefined &&
      this.options.records !== undefined &&
      input.rep.extensions.length > 0
    );
  }

  /** The input, without its record when Salesforce could not say whether the rep may link it. */
  private async withCheckedRecord(input: DialInput): Promise<DialInput> {
    const { records } = this.options;
    if (input.recordId === undefined || records === undefined) return input;
    try {
      return { ...input, recordId: await records.check(input.rep, input.recordId, 'dial') };
    } catch (error) {
      if (isSwitchboardError(error) && RECORD_REFUSALS.has(error.code)) throw error;
      this.options.logger.warn(
        {
          requestId: input.requestId,
          userId: input.rep.userId,
          recordId: input.recordId,
          code: isSwitchboardError(error) ? error.code : ErrorCodes.SF_UNAVAILABLE,
        },
        'could not check the dialed record with Salesforce; dialing without linking the call to it',
      );
      return { requestId: input.requestId, number: input.number, rep: input.rep };
    }
  }

  /** The record a dial was placed from, once (the ringing call links to it). */
  takeDialedRecord(dialId: string): string | undefined {
    const recordId = this.dialedRecords.get(dialId);
    this.dialedRecords.delete(dialId);
    return recordId;
  }

  /** Everything that can refuse a dial before the PBX is asked; reserves the rate-limit slot. */
  private check(input: DialInput): Checked {
    const { rep } = input;
    const extension = rep.extensions[0];
    if (extension === undefined)
      throw new SwitchboardError(
        ErrorCodes.DIAL_NO_EXTENSION,
        `No phone extension is mapped to ${rep.email}`,
        {
          hint: 'Ask your admin to map your email to your extension in the bridge configuration (users:).',
          status: 409,
        },
      );
    // The dial policy (premium and special numbers, allowed countries, letters) and the form
    // the PBX dials, in one place: phone/dial-policy.ts.
    const dialed = dialTargetFor(input.number, {
      ...this.options.phone,
      policy: this.options.phone.dialPolicy,
    });
    const target = dialed.dial;
    const last = this.lastAccepted.get(rep.userId);
    const repeated =
      last !== undefined && last.target === target && this.now() - last.at < this.repeatWindowMs;
    if (this.inFlight.has(rep.userId) || repeated)
      throw new SwitchboardError(ErrorCodes.DIAL_IN_PROGRESS, 'A call is already being placed', {
        hint: 'Wait for your phone to ring; a double click dials once.',
        status: 409,
      });
    this.checkRate(rep.userId);
    // The call is about the number the rep dialed, whatever form the PBX dials it in.
    return { extension, target, callNumber: dialed.e164 ?? target };
  }

  private async place(
    input: DialInput,
    { extension, target, callNumber }: Checked,
  ): Promise<DialOutcome> {
    const { rep, requestId } = input;
    // The PBX gets the bridge's own id, never the browser's: two reps' request ids may clash,
    // and a rep must not be able to aim at someone else's dial.
    const dialId = randomUUID();
    this.inFlight.add(rep.userId);
    const log = this.options.logger.child({ requestId, dialId, userId: rep.userId, extension });
    log.info({ number: numberForLog(log, target), recordId: input.recordId }, 'dial requested');
    // Remembered before the PBX is asked: a PBX may report the rep's phone ringing before it
    // answers the originate.
    if (input.recordId !== undefined) this.rememberRecord(dialId, input.recordId);
    try {
      const result = await this.options.adapter.dial({
        requestId: dialId,
        extension,
        number: target,
        ...(callNumber === target ? {} : { callNumber }),
      });
      log.info({ pbxCallId: result.pbxCallId }, 'dial accepted by the PBX');
      this.lastAccepted.set(rep.userId, { target, at: this.now() });
      return result;
    } catch (error) {
      this.dialedRecords.delete(dialId); // it will never ring
      const code = isSwitchboardError(error) ? error.code : ErrorCodes.PBX_UNREACHABLE;
      log.warn({ code }, 'dial failed');
      throw error;
    } finally {
      this.inFlight.delete(rep.userId);
    }
  }

  private rememberRecord(dialId: string, recordId: string): void {
    this.dialedRecords.set(dialId, recordId);
    const oldest = this.dialedRecords.keys().next();
    if (this.dialedRecords.size > MAX_DIALED_RECORDS && oldest.done !== true)
      this.dialedRecords.delete(oldest.value);
  }

  private checkRate(userId: string): void {
    const now = this.now();
    const windowStart = now - 60_000;
    const stamps = (this.recent.get(userId) ?? []).filter((t) => t > windowStart);
    if (stamps.length >= this.perMinute)
      throw new SwitchboardError(
        ErrorCodes.DIAL_RATE_LIMITED,
        `At most ${this.perMinute} calls a minute can be placed`,
        {
          hint: 'Wait a moment before dialing again.',
          status: 429,
        },
      );
    stamps.push(now);
    this.recent.set(userId, stamps);
  }
}
