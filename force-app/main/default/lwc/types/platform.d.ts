// Type declarations for the Salesforce platform modules the Switchboard bundles import.
// @salesforce/lightning-types has none for these (checked with 0.8.0); only what we use is
// declared, shaped after Salesforce's documentation.
/* eslint-disable @lwc/lwc/no-disallowed-lwc-imports, no-use-before-define, @typescript-eslint/no-explicit-any -- ambient declarations, not component code */

declare module 'lightning/navigation' {
  import type { LightningElement, WireAdapterConstructor } from 'lwc';

  export interface PageReference {
    type: string;
    attributes?: Record<string, unknown>;
    state?: Record<string, string | undefined>;
  }
  type Constructor<T = object> = new (...args: any[]) => T;
  export interface NavigationMixinApi {
    <T extends Constructor<LightningElement>>(
      base: T,
    ): T &
      Constructor<{
        [NavigationMixin.Navigate](pageReference: PageReference, replace?: boolean): void;
        [NavigationMixin.GenerateUrl](pageReference: PageReference): Promise<string>;
      }>;
    readonly Navigate: unique symbol;
    readonly GenerateUrl: unique symbol;
  }
  export const NavigationMixin: NavigationMixinApi;
  export const CurrentPageReference: WireAdapterConstructor<Record<string, never>, PageReference>;
}

declare module 'lightning/pageReferenceUtils' {
  export function encodeDefaultFieldValues(values: Record<string, unknown>): string;
  export function decodeDefaultFieldValues(encoded: string): Record<string, string>;
}

declare module 'lightning/messageService' {
  import type { WireAdapterConstructor } from 'lwc';

  export interface MessageChannel {
    readonly channelName?: string;
  }
  export interface MessageContext {
    readonly brand?: unique symbol;
  }
  export interface Subscription {
    readonly brand?: unique symbol;
  }
  export const APPLICATION_SCOPE: symbol;
  export const MessageContext: WireAdapterConstructor<Record<string, never>, MessageContext>;
  export function subscribe(
    context: MessageContext,
    channel: MessageChannel,
    listener: (message: unknown) => void,
    options?: { scope?: symbol },
  ): Subscription;
  export function unsubscribe(subscription: Subscription): void;
  export function publish(context: MessageContext, channel: MessageChannel, message: unknown): void;
}

declare module 'lightning/platformUtilityBarApi' {
  import type { WireAdapterConstructor } from 'lwc';

  export const EnclosingUtilityId: WireAdapterConstructor<Record<string, never>, string>;
  export function open(utilityId: string, options?: { autoFocus?: boolean }): Promise<boolean>;
  export function minimize(utilityId: string): Promise<boolean>;
  export function updateUtility(
    utilityId: string,
    values: {
      label?: string;
      icon?: string;
      iconVariant?: string;
      highlighted?: boolean;
    },
  ): Promise<boolean>;
}

declare module 'lightning/platformWorkspaceApi' {
  import type { WireAdapterConstructor } from 'lwc';

  export const IsConsoleNavigation: WireAdapterConstructor<Record<string, never>, boolean>;
  export function openTab(options: {
    recordId?: string;
    url?: string;
    pageReference?: import('lightning/navigation').PageReference;
    focus?: boolean;
    label?: string;
  }): Promise<string>;
}

declare module 'lightning/uiRecordApi' {
  import type { WireAdapterConstructor } from 'lwc';

  export interface FieldValue {
    value: unknown;
    displayValue: string | null;
  }
  export interface RecordRepresentation {
    id: string;
    apiName: string;
    fields: Record<string, FieldValue | undefined>;
  }
  export interface GetRecordConfig {
    recordId: string | undefined;
    fields?: string[];
    optionalFields?: string[];
  }
  export const getRecord: WireAdapterConstructor<
    GetRecordConfig,
    { data?: RecordRepresentation; error?: unknown }
  >;
}

declare module 'lightning/uiObjectInfoApi' {
  import type { WireAdapterConstructor } from 'lwc';

  export interface FieldInfo {
    apiName: string;
    /** The field's label in the user's language, as Setup shows it. */
    label: string;
    /** For a lookup (OwnerId): the relationship name used in paths (Owner). */
    relationshipName?: string | null;
  }
  export interface ObjectInfoRepresentation {
    apiName: string;
    label: string;
    fields: Record<string, FieldInfo | undefined>;
  }
  export interface GetObjectInfoConfig {
    objectApiName: string | undefined;
  }
  export const getObjectInfo: WireAdapterConstructor<
    GetObjectInfoConfig,
    { data?: ObjectInfoRepresentation; error?: unknown }
  >;
}

declare module '@salesforce/apex/SwitchboardTokenController.getToken' {
  /** A compact RS256 JWT naming the current user; throws without the Switchboard_User permission. */
  export default function getToken(): Promise<string>;
}

declare module '@salesforce/apex/SwitchboardPreferencesController.getPreferences' {
  export interface SwitchboardPreferences {
    bridgeUrl: string | null;
    openSingleMatch: boolean;
    createFormForUnknownInbound: boolean;
    createFormForUnknownOutbound: boolean;
    contactFields: string[];
    leadFields: string[];
    accountFields: string[];
    logCalls: boolean;
  }
  export default function getPreferences(): Promise<SwitchboardPreferences>;
}

declare module '@salesforce/apex/SwitchboardPreferencesController.savePreferences' {
  export default function savePreferences(params: {
    openSingleMatch: boolean;
    createFormForUnknownInbound: boolean;
    createFormForUnknownOutbound: boolean;
  }): Promise<void>;
}

declare module '@salesforce/messageChannel/Switchboard_Dial__c' {
  import type { MessageChannel } from 'lightning/messageService';

  const channel: MessageChannel;
  export default channel;
}

declare module '@salesforce/user/Id' {
  const userId: string;
  export default userId;
}

declare module '@salesforce/label/*' {
  /** The Custom Label's value in the user's language (force-app/main/default/labels). */
  const label: string;
  export default label;
}

declare module '@salesforce/i18n/locale' {
  /** The user's locale as a BCP 47 tag, e.g. "de-DE": for Intl formatting. */
  const locale: string;
  export default locale;
}

declare module '@salesforce/i18n/timeZone' {
  /** The user's Salesforce time zone, e.g. "Europe/Berlin" (not necessarily the browser's). */
  const timeZone: string;
  export default timeZone;
}
