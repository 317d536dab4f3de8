// What a rep may ask of the bridge over the socket, handed to the services that do it: `dial`
// to the dial service, `call.link` to the call core, `call.note` to the call log, `call.control`
// and `reps.search` to the call controls, `presence.set` to the presence room. The hub
// authenticates the rep, parses the frame and answers it; these handlers only do the work.
// A linked record must be one the rep may link (salesforce/linkable-records.ts); the dial
// service checks a dial's record itself, to audit the refusal with the dial.
import type { CallLogService } from '../call-log/call-log-service';
import type { CallService } from '../calls/call-service';
import type { CallControlService } from '../controls/call-control-service';
import type { DialService } from '../dial/dial-service';
import type { PresenceService } from '../presence/presence-service';
import type { LinkableRecords } from '../salesforce/linkable-records';
import type { AuthenticatedRep, HubHandlers } from './websocket-hub';

export interface RepRequestServices {
  dials: Pick<DialService, 'dial'>;
  calls: Pick<CallService, 'linkRecord' | 'requireOwnCall'>;
  callLog: Pick<CallLogService, 'addNote'>;
  records: Pick<LinkableRecords, 'check'>;
  /** Call controls and finding colleagues to transfer to; absent: none offered. */
  controls?: Pick<CallControlService, 'control' | 'findReps'>;
  presence?: Pick<PresenceService, 'set'>;
}

export function repRequestHandlers(services: RepRequestServices): HubHandlers {
  const { controls, presence } = services;
  return {
    dial: async (rep: AuthenticatedRep, frame) => {
      const { pbxCallId } = await services.dials.dial({
        requestId: frame.requestId,
        number: frame.number,
        recordId: frame.recordId,
        rep,
      });
      return pbxCallId === undefined ? {} : { callId: pbxCallId };
    },
    linkRecord: async (rep, frame) => {
      // The call first: a rep learns nothing about records through someone else's call.
      services.calls.requireOwnCall(rep.extensions, frame.callId);
      const recordId = await services.records.check(rep, frame.recordId, 'call.link');
      services.calls.linkRecord(rep.extensions, frame.callId, recordId);
    },
    // The status after storing the note is what call.note.result tells the rep.
    addNote: (rep, frame) =>
      services.callLog.addNote({
        callId: frame.callId,
        notes: frame.notes,
        disposition: frame.disposition,
        repExtensions: rep.extensions,
      }),
    ...(controls === undefined
      ? {}
      : {
          control: (rep, frame) => controls.control(rep, frame),
          findReps: (rep, frame) => controls.findReps(rep, frame.query),
        }),
    // The rep's own extensions: a frame cannot name anyone else's.
    ...(presence === undefined
      ? {}
      : {
          setPresence: (rep, frame) =>
            presence.set(rep.extensions, {
              ...(frame.state === undefined ? {} : { state: frame.state }),
              ...(frame.queuePaused === undefined ? {} : { queuePaused: frame.queuePaused }),
              ...(frame.pauseReason === undefined ? {} : { pauseReason: frame.pauseReason }),
            }),
        }),
  };
}
