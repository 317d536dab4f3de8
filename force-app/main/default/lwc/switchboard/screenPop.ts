// What happens once per call, however many frames carry it (a reconnect's `ready` repeats
// every active call): the utility opens when the call starts ringing or dialing, the one
// matching record opens if the rep wants that, and an unknown caller gets the new-Contact form
// with the number filled in if the rep wants that. Remembers per call id what it has done.
import { encodeDefaultFieldValues } from 'lightning/pageReferenceUtils';
import type { PageReference } from 'lightning/navigation';
import type { SwitchboardPreferences } from '@salesforce/apex/SwitchboardPreferencesController.getPreferences';
import { isUnknownCaller } from 'c/switchboardCalls';
import { numberForRecord } from 'c/switchboardFormat';
import type { Call } from 'c/switchboardProtocol';

export interface ScreenPopActions {
  /** Opens the utility; false when there is none to open (not in a utility bar). */
  openUtility(): boolean;
  openRecord(recordId: string): void;
  createRecord(objectApiName: 'Contact' | 'Lead', call: Call): void;
}

type Preferences = Pick<
  SwitchboardPreferences,
  'openSingleMatch' | 'createFormForUnknownInbound' | 'createFormForUnknownOutbound'
>;

export class ScreenPop {
  private readonly popped = new Set<string>();
  private readonly navigated = new Set<string>();
  private readonly created = new Set<string>();

  constructor(private readonly actions: ScreenPopActions) {}

  react(call: Call, preferences: Preferences): void {
    if (call.state === 'ended') return;
    const starting = call.state === 'ringing' || call.state === 'dialing';
    if (starting && !this.popped.has(call.id) && this.actions.openUtility())
      this.popped.add(call.id);
    if (call.lookup !== 'done') return;
    const only = call.matches.length === 1 ? call.matches[0] : undefined;
    if (only && preferences.openSingleMatch && !call.linkedRecordId) {
      if (!this.navigated.has(call.id)) this.actions.openRecord(only.id);
      this.navigated.add(call.id);
    }
    const createWanted =
      call.direction === 'inbound'
        ? preferences.createFormForUnknownInbound
        : preferences.createFormForUnknownOutbound;
    if (createWanted && isUnknownCaller(call) && !this.created.has(call.id)) {
      this.created.add(call.id);
      this.actions.createRecord('Contact', call);
    }
  }
}

/** A record's page. */
export function recordPage(recordId: string): PageReference {
  return { type: 'standard__recordPage', attributes: { recordId, actionName: 'view' } };
}

/** The new-record form of a Contact or Lead with the call's number filled in. */
export function newRecordPage(objectApiName: 'Contact' | 'Lead', call: Call): PageReference {
  return {
    type: 'standard__objectPage',
    attributes: { objectApiName, actionName: 'new' },
    state: { defaultFieldValues: encodeDefaultFieldValues({ Phone: numberForRecord(call) }) },
  };
}
