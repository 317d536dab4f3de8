// Turns a rep's `dial` request into a PBX originate: checks the rep has an extension, the
// number is dialable, no dial is already in flight for the rep, and the rep is within the
// rate limit; audits each dial in the log with the number masked.
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../errors';
import { numberForLog, type Logger } from '../logging/logger';
import type { PbxAdapter } from '../pbx/adapter';
import type { PhoneConfig } from '../config/schema';
import { formatForDial, normalizeNumber } from '../phone/phone-number';

export interface DialInput {
  requestId: string;
  number: string;
  recordId?: string;
  rep: { userId: string; email: string; extensions: readonly string[] };
}

export interface DialOutcome {
  pbxCallId?: string;
}

export interface DialServiceOptions {
  adapter: PbxAdapter;
  phone: PhoneConfig;
  logger: Logger;
  /** Dials per rep per minute. */
  perMinute?: number;
  now?: () => number;
  /** Told about a dial the PBX accepted, so the outbound call pops already linked to the record. */
  onDialAccepted?: (info: {
    pbxCallId?: string;
    extension: string;
    recordId?: string;
    requestId: string;
  }) => void;
}

export class DialService {
  private readonly inFlight = new Set<string>();
  private readonly recent = new Map<string, number[]>();
  private readonly perMinute: number;
  private readonly now: () => number;

  constructor(private readonly options: DialServiceOptions) {
    this.perMinute = options.perMinute ?? 10;
    this.now = options.now ?? Date.now;
  }

  async dial(input: DialInput): Promise<DialOutcome> {
    const { rep, requestId } = input;
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
    const normalized = normalizeNumber(input.number, {
      defaultCountry: this.options.phone.defaultCountry,
      internalMaxDigits: this.options.phone.internalMaxDigits,
    });
    let target: string;
    if (normalized.internal) target = normalized.raw.replace(/\D/g, '');
    else if (normalized.e164 !== null) target = formatForDial(normalized.e164, this.options.phone);
    else
      throw new SwitchboardError(
        ErrorCodes.DIAL_INVALID_NUMBER,
        'That does not look like a phone number',
        {
          hint: 'Check the number on the record: it needs a country code or a national number of the bridge’s default country.',
          status: 400,
        },
      );
    if (this.inFlight.has(rep.userId))
      throw new SwitchboardError(ErrorCodes.DIAL_IN_PROGRESS, 'A call is already being placed', {
        hint: 'Wait for your phone to ring; a double click dials once.',
        status: 409,
      });
    this.checkRate(rep.userId);
    this.inFlight.add(rep.userId);
    const log = this.options.logger.child({ requestId, userId: rep.userId, extension });
    log.info({ number: numberForLog(log, target), recordId: input.recordId }, 'dial requested');
    try {
      const result = await this.options.adapter.dial({ requestId, extension, number: target });
      log.info({ pbxCallId: result.pbxCallId }, 'dial accepted by the PBX');
      this.options.onDialAccepted?.({
        pbxCallId: result.pbxCallId,
        extension,
        recordId: input.recordId,
        requestId,
      });
      return result;
    } catch (error) {
      const code = isSwitchboardError(error) ? error.code : ErrorCodes.PBX_UNREACHABLE;
      log.warn({ code }, 'dial failed');
      throw error;
    } finally {
      this.inFlight.delete(rep.userId);
    }
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
