// The presence room: each extension's presence (Available / Do not disturb / Away) and queue
// pause as the bridge last learned it, from a rep (presence.set) or from the PBX (a change on the
// phone, by a supervisor, by the PBX itself). It offers what both the PBX and pbx.presence allow,
// sets a rep's own extensions only, asks the PBX what it does not know yet, and tells every
// socket of the extension's rep about each change (the hub's publishPresence).
import type { PresenceConfig } from '../config/schema';
import { ErrorCodes, SwitchboardError } from '../errors';
import type { Logger } from '../logging/logger';
import type { PbxAdapter } from '../pbx/adapter';
import {
  PRESENCE_STATE_ORDER,
  type Presence,
  type PresenceChange,
  type PresenceReport,
  type PresenceState,
  type PresenceSupport,
} from './presence';

export interface PresenceServiceOptions {
  pbx: Pick<PbxAdapter, 'presenceSupport' | 'setPresence' | 'readPresence'>;
  config: PresenceConfig;
  /** Tells the extension's rep (every socket) its presence now. */
  publish(extension: string, presence: Presence): void;
  logger: Logger;
  now?: () => Date;
}

/** An extension the bridge has heard nothing about: taking calls, as a PBX starts it. */
const UNKNOWN: Presence = { state: 'available', queuePaused: false, changedBy: 'pbx' };

export class PresenceService {
  private readonly byExtension = new Map<string, Presence>();
  /** What a rep is setting right now, per extension: the PBX's echo of it is the rep's change. */
  private readonly pending = new Map<string, PresenceChange>();
  /** Extensions the PBX was asked about (readPresence) or reported on: no need to ask again. */
  private readonly known = new Set<string>();
  private readonly now: () => Date;

  constructor(private readonly options: PresenceServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** What reps may set here: the PBX's abilities narrowed by pbx.presence. */
  support(): PresenceSupport {
    const pbx = this.options.pbx.presenceSupport?.() ?? { states: [], queuePause: false };
    const { config } = this.options;
    const states = PRESENCE_STATE_ORDER.filter(
      (s) => pbx.states.includes(s) && config.states.includes(s),
    );
    const queuePause =
      pbx.queuePause && config.queuePause && this.options.pbx.setPresence !== undefined;
    return {
      // Available alone is no choice: the control shows only with something to switch to.
      states: states.length > 1 ? states : [],
      queuePause,
      pauseReasons: queuePause ? [...config.pauseReasons] : [],
    };
  }

  presenceOf(extension: string): Presence {
    return this.byExtension.get(extension) ?? UNKNOWN;
  }

  /**
   * The presence of a rep's extensions for a tab that just connected: asks the PBX about those
   * it has not heard of (once; a PBX that cannot answer leaves them Available).
   */
  async current(
    extensions: readonly string[],
  ): Promise<{ extension: string; presence: Presence }[]> {
    await Promise.all(
      extensions.filter((e) => !this.known.has(e)).map((extension) => this.ask(extension)),
    );
    return extensions.map((extension) => ({ extension, presence: this.presenceOf(extension) }));
  }

  /**
   * Sets the presence of the rep's own extensions (the hub passes the rep's, never a name from
   * the frame). Refused when the rep has none or asks for what is not offered here; a PBX that
   * refuses leaves the presence as the PBX last reported it. Returns the first extension's.
   */
  async set(extensions: readonly string[], change: PresenceChange): Promise<Presence> {
    const first = extensions[0];
    if (first === undefined)
      throw new SwitchboardError(
        ErrorCodes.PRESENCE_NO_EXTENSION,
        'You have no phone extension, so there is no presence to set',
        { status: 409, hint: 'Ask your admin to map your email to your extension (users:).' },
      );
    this.refuseUnsupported(change);
    const setPresence = this.options.pbx.setPresence;
    if (setPresence === undefined) throw notSupported('This phone system has no presence');
    for (const extension of extensions) {
      this.pending.set(extension, change);
      try {
        await setPresence.call(this.options.pbx, extension, change);
      } finally {
        this.pending.delete(extension);
      }
      this.known.add(extension);
      this.apply(extension, change, 'rep', this.now());
    }
    this.options.logger.info(
      { extensions, state: change.state, queuePaused: change.queuePaused },
      'rep set presence',
    );
    return this.presenceOf(first);
  }

  /**
   * A change the PBX reported (also one made on the phone): every tab of the rep is told.
   * `asked`: the PBX's answer to readPresence, what it is rather than a change (no changedAt).
   */
  report(report: PresenceReport, asked = false): void {
    const { extension } = report;
    this.known.add(extension);
    const before = this.presenceOf(extension);
    const pending = this.pending.get(extension);
    const change: PresenceChange = {};
    const state = pickState(report.states, before.state, pending?.state);
    if (state !== undefined) change.state = state;
    if (report.queuePaused !== undefined) {
      change.queuePaused = report.queuePaused;
      if (report.pauseReason !== undefined) change.pauseReason = report.pauseReason;
    }
    // The PBX echoing what the rep is setting is the rep's change, not "changed on the phone".
    const echoes = (key: 'state' | 'queuePaused') =>
      change[key] === undefined ||
      change[key] === (pending?.[key] === undefined ? before[key] : pending[key]);
    const byRep = pending !== undefined && echoes('state') && echoes('queuePaused');
    this.apply(extension, change, byRep ? 'rep' : 'pbx', asked ? undefined : report.at);
  }

  private async ask(extension: string): Promise<void> {
    const read = this.options.pbx.readPresence;
    if (read === undefined) return;
    try {
      const report = await read.call(this.options.pbx, extension);
      // A change reported while asking is newer than the answer.
      if (report !== undefined && !this.known.has(extension)) this.report(report, true);
      this.known.add(extension);
    } catch (error) {
      this.options.logger.warn(
        {
          extension,
          code: error instanceof SwitchboardError ? error.code : ErrorCodes.INTERNAL,
          err: error instanceof Error ? error.message : String(error),
        },
        'could not read presence from the PBX; showing Available until it reports a change',
      );
    }
  }

  private refuseUnsupported(change: PresenceChange): void {
    const support = this.support();
    if (change.state !== undefined && !support.states.includes(change.state))
      throw notSupported(
        `${change.state} is not offered on this phone system`,
        `Offered: ${support.states.join(', ') || 'none'} (pbx.presence.states, and what the PBX can express).`,
      );
    if (change.queuePaused !== undefined && !support.queuePause)
      throw notSupported(
        'Queue pause is not offered on this phone system',
        'Your admin can turn it on with pbx.presence.queuePause where the PBX supports it.',
      );
  }

  private apply(
    extension: string,
    change: PresenceChange,
    changedBy: Presence['changedBy'],
    /** When it changed; undefined for what the PBX answered when asked. */
    at: Date | undefined,
  ): void {
    const before = this.presenceOf(extension);
    const queuePaused = change.queuePaused ?? before.queuePaused;
    const pauseReason =
      change.queuePaused === undefined
        ? before.pauseReason
        : queuePaused
          ? change.pauseReason
          : undefined;
    const after: Presence = {
      state: change.state ?? before.state,
      queuePaused,
      ...(pauseReason === undefined || pauseReason === '' ? {} : { pauseReason }),
      changedBy,
      ...(at === undefined ? {} : { changedAt: at.toISOString() }),
    };
    const same =
      after.state === before.state &&
      after.queuePaused === before.queuePaused &&
      after.pauseReason === before.pauseReason;
    // Nothing new (a repeated or echoed report): keep who changed it and when.
    if (same && this.byExtension.has(extension)) return;
    this.byExtension.set(extension, after);
    if (same && changedBy === 'pbx' && before === UNKNOWN) return;
    this.options.publish(extension, after);
  }
}

/** The reported state: the current or the asked one when the signal fits it, else the best fit. */
function pickState(
  candidates: readonly PresenceState[] | undefined,
  current: PresenceState,
  asked: PresenceState | undefined,
): PresenceState | undefined {
  if (candidates === undefined || candidates.length === 0) return undefined;
  if (asked !== undefined && candidates.includes(asked)) return asked;
  if (candidates.includes(current)) return current;
  return candidates[0];
}

function notSupported(message: string, hint?: string): SwitchboardError {
  return new SwitchboardError(ErrorCodes.PRESENCE_NOT_SUPPORTED, message, {
    status: 409,
    ...(hint === undefined ? {} : { hint }),
  });
}
