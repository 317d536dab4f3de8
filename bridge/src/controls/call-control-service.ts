// Call controls from the utility (`call.control`): hang up or decline, blind transfer, attended
// transfer (consult, then complete or cancel), hold and resume — for the rep's own calls only.
// Checks the call is on one of the rep's extensions and not over, that the PBX offers the control
// and the call is in a state for it, and resolves the target (an extension, a rep by Salesforce
// user id, or a number through the click-to-dial policy); then asks the PBX adapter and audits
// each control in the log, numbers masked. What the PBX then does to the call arrives as
// CallEvents, so the tracker and the call log follow the PBX, never this service's hopes.
import { ErrorCodes, SwitchboardError, isSwitchboardError } from '../errors';
import type { Call } from '../calls/call';
import type { CallService } from '../calls/call-service';
import type { PhoneConfig } from '../config/schema';
import { numberForLog, type Logger } from '../logging/logger';
import type { ControlTarget, PbxAdapter } from '../pbx/adapter';
import { dialTargetFor } from '../phone/dial-policy';
import type { CallControlAction, CallControlFrame, RepEntry, TransferTarget } from '../protocol/v1';
import type { RepIdentity } from '../users/user-directory';

export interface ControlRep {
  userId: string;
  extensions: readonly string[];
}

/** The reps the bridge knows (users/email-user-directory.ts), to transfer to one by name. */
export interface RepRoster {
  identities(): RepIdentity[];
}

export interface CallControlServiceOptions {
  adapter: Pick<PbxAdapter, 'controls' | 'control'>;
  calls: Pick<CallService, 'get' | 'pbxCallIdOf' | 'setConsult' | 'onCallChanged'>;
  reps: RepRoster;
  phone: PhoneConfig;
  logger: Logger;
}

/** At most this many colleagues answer one `reps.search`. */
const MAX_REPS = 10;

/** An attended transfer under way: the rep's leg, and the colleague's extension if any. */
interface Consultation {
  pbxCallId: string;
  targetExtension: string | undefined;
}

export class CallControlService {
  /** Consultations under way, by the consulting rep's Call id. */
  private readonly consultations = new Map<string, Consultation>();

  constructor(private readonly options: CallControlServiceOptions) {
    // A consultation is over when the colleague's leg ends (they hung up, or it was cancelled).
    options.calls.onCallChanged((call) => {
      if (call.state === 'ended') this.consultTargetEnded(call);
    });
  }

  /** The controls the PBX offers as configured (`ready.controls`). */
  available(): CallControlAction[] {
    const { adapter } = this.options;
    if (adapter.control === undefined) return [];
    return [...(adapter.controls?.() ?? [])];
  }

  /** Does one control; throws a SwitchboardError (CONTROL_*, DIAL_*, PBX_*) to refuse it. */
  async control(rep: ControlRep, frame: CallControlFrame): Promise<void> {
    const log = this.options.logger.child({
      requestId: frame.requestId,
      userId: rep.userId,
      callId: frame.callId,
      action: frame.action,
    });
    try {
      const { call, pbxCallId, to } = this.check(rep, frame);
      log.info(
        to === undefined
          ? {}
          : { to: numberForLog(log, to.dial), internal: to.extension !== undefined },
        'call control requested',
      );
      await this.options.adapter.control?.({
        action: frame.action,
        pbxCallId,
        extension: call.extension,
        ...(to === undefined ? {} : { to }),
      });
      log.info('call control accepted by the PBX');
      this.afterAccepted(call, pbxCallId, frame, to);
    } catch (error) {
      const code = isSwitchboardError(error) ? error.code : ErrorCodes.INTERNAL;
      log.warn({ code }, 'call control refused');
      throw error;
    }
  }

  /** Colleagues whose name (or email) contains the query, for a transfer to a rep by name. */
  findReps(rep: ControlRep, query: string): RepEntry[] {
    const wanted = query.trim().toLocaleLowerCase();
    const found: RepEntry[] = [];
    for (const identity of this.options.reps.identities()) {
      const extension = identity.extensions[0];
      const userId = identity.salesforceUserId;
      if (extension === undefined || userId === undefined || userId === rep.userId) continue;
      const name = identity.name ?? identity.email.split('@')[0] ?? identity.email;
      const haystack = `${name} ${identity.email.split('@')[0] ?? ''}`.toLocaleLowerCase();
      if (haystack.includes(wanted)) found.push({ userId, name, extension });
    }
    return found.sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_REPS);
  }

  private check(
    rep: ControlRep,
    frame: CallControlFrame,
  ): { call: Call; pbxCallId: string; to: ControlTarget | undefined } {
    const call = this.options.calls.get(frame.callId);
    const pbxCallId = this.options.calls.pbxCallIdOf(frame.callId);
    // Unknown and someone else's are one answer: a rep learns nothing about others' calls.
    if (call === undefined || pbxCallId === undefined || !rep.extensions.includes(call.extension))
      throw new SwitchboardError(
        ErrorCodes.CONTROL_NOT_YOUR_CALL,
        'That call is not on your phone.',
        {
          status: 404,
          hint: 'You can only control calls on your own extension; the call may also have ended a while ago.',
        },
      );
    if (call.state === 'ended')
      throw new SwitchboardError(ErrorCodes.CONTROL_CALL_ENDED, 'The call has already ended.', {
        status: 409,
        hint: 'Nothing is left to hang up, transfer or hold.',
      });
    if (!this.available().includes(frame.action))
      throw new SwitchboardError(
        ErrorCodes.CONTROL_NOT_SUPPORTED,
        `Your phone system does not offer “${frame.action}” from Salesforce.`,
        {
          status: 501,
          hint: 'Use your desk phone for it; your admin can see in docs/ which PBX set-up enables it.',
        },
      );
    checkState(call, frame.action);
    const to = frame.to === undefined ? undefined : this.target(frame.to, call);
    return { call, pbxCallId, to };
  }

  /** Where a transfer goes, checked: an extension, a mapped rep's extension, or a number. */
  private target(to: TransferTarget, call: Call): ControlTarget {
    let target: ControlTarget;
    if (to.kind === 'rep') {
      const identity = this.options.reps
        .identities()
        .find((i) => i.salesforceUserId !== undefined && i.salesforceUserId === to.value);
      const extension = identity?.extensions[0];
      if (extension === undefined)
        throw badTarget(
          'That colleague has no phone extension the bridge knows.',
          'Pick another colleague, or type their extension.',
        );
      target = { dial: extension, extension };
    } else {
      // The same rules as click-to-dial: an outside number passes the dial policy.
      const dialed = dialTargetFor(to.value, {
        ...this.options.phone,
        policy: this.options.phone.dialPolicy,
      });
      if (to.kind === 'extension' && !dialed.internal)
        throw badTarget(
          `${to.value} is not an extension.`,
          'Extensions are short internal numbers; choose “Number” for an outside line.',
        );
      target = dialed.internal
        ? { dial: dialed.dial, extension: dialed.dial }
        : { dial: dialed.dial };
    }
    if (target.extension === call.extension)
      throw badTarget('That is your own extension.', 'Transfer to a colleague or another number.');
    return target;
  }

  private afterAccepted(
    call: Call,
    pbxCallId: string,
    frame: CallControlFrame,
    to: ControlTarget | undefined,
  ): void {
    if (frame.action === 'consult' && to !== undefined && frame.to !== undefined) {
      this.consultations.set(call.id, { pbxCallId, targetExtension: to.extension });
      this.options.calls.setConsult(call.id, { to: this.describe(frame.to, to) });
    } else if (frame.action === 'consult.cancel' || frame.action === 'consult.complete') {
      this.consultations.delete(call.id);
      if (frame.action === 'consult.cancel') this.options.calls.setConsult(call.id, undefined);
    }
  }

  /** The target as the rep would say it: the colleague's name, an extension, or a number. */
  private describe(to: TransferTarget, target: ControlTarget): string {
    if (to.kind !== 'rep') return to.value.trim();
    const name = this.options.reps.identities().find((i) => i.salesforceUserId === to.value)?.name;
    return name === undefined ? target.dial : `${name} (${target.dial})`;
  }

  private consultTargetEnded(ended: Call): void {
    for (const [callId, consultation] of this.consultations) {
      if (callId === ended.id) {
        this.consultations.delete(callId); // the consulting rep's own leg is over
        continue;
      }
      const pbxCallId = this.options.calls.pbxCallIdOf(ended.id);
      if (consultation.targetExtension !== ended.extension || consultation.pbxCallId !== pbxCallId)
        continue;
      this.consultations.delete(callId);
      this.options.calls.setConsult(callId, undefined);
    }
  }
}

/** Whether the call's state allows the control; CONTROL_NOT_NOW with why, if not. */
function checkState(call: Call, action: CallControlAction): void {
  const connected = call.state === 'connected';
  const consulting = call.consult !== undefined;
  let why: string | undefined;
  switch (action) {
    case 'hangup':
      return;
    case 'transfer':
    case 'consult':
    case 'hold':
      if (!connected) why = 'Answer the call first.';
      else if (consulting) why = 'Complete or cancel the consultation first.';
      else if (action === 'hold' && call.held === true) why = 'The call is on hold already.';
      break;
    case 'resume':
      if (call.held !== true) why = 'The call is not on hold.';
      break;
    case 'consult.complete':
    case 'consult.cancel':
      if (!consulting) why = 'No consultation is under way on this call.';
      break;
  }
  if (why !== undefined)
    throw new SwitchboardError(ErrorCodes.CONTROL_NOT_NOW, `Not possible now: ${why}`, {
      status: 409,
      hint: why,
    });
}

function badTarget(message: string, hint: string): SwitchboardError {
  return new SwitchboardError(ErrorCodes.CONTROL_BAD_TARGET, message, { status: 400, hint });
}
