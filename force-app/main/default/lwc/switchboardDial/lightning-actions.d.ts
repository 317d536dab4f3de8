// Types for lightning/actions, which neither @salesforce/lightning-types nor the shared
// types/platform.d.ts declares; only what this bundle uses.
declare module 'lightning/actions' {
  /** Closes the quick action's modal; a no-op when the component sits on a record page. */
  export class CloseActionScreenEvent extends CustomEvent<undefined> {
    constructor();
  }
}
