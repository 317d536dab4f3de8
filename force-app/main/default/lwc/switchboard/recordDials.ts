// Click-to-dial from a record page: the record's Call action (c/switchboardDial) publishes the
// number on the Switchboard_Dial message channel, and the utility, wherever it is open in the
// app, dials it as the rep's own request.
import {
  APPLICATION_SCOPE,
  subscribe,
  unsubscribe,
  type Subscription,
} from 'lightning/messageService';
import DIAL_CHANNEL from '@salesforce/messageChannel/Switchboard_Dial__c';

export type MessageContextValue = Parameters<typeof subscribe>[0];

interface DialMessage {
  number?: unknown;
  recordId?: unknown;
}

export class RecordDials {
  private subscription: Subscription | undefined;

  constructor(private readonly dial: (number: string, recordId: string | undefined) => void) {}

  /** Listens once the page has a message context; a second call changes nothing. */
  start(context: MessageContextValue | undefined): void {
    if (this.subscription || !context) return;
    this.subscription = subscribe(
      context,
      DIAL_CHANNEL,
      (message) => {
        const { number, recordId } = message as DialMessage;
        if (typeof number !== 'string') return;
        this.dial(number, typeof recordId === 'string' ? recordId : undefined);
      },
      { scope: APPLICATION_SCOPE },
    );
  }

  stop(): void {
    if (this.subscription) unsubscribe(this.subscription);
    this.subscription = undefined;
  }
}
