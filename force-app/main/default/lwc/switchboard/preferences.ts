// The rep's preferences, kept per user by Apex (SwitchboardPreferencesController): what the
// utility assumes until Apex answers, and saving the ones the rep may change here.
import getPreferences, {
  type SwitchboardPreferences,
} from '@salesforce/apex/SwitchboardPreferencesController.getPreferences';
import savePreferences from '@salesforce/apex/SwitchboardPreferencesController.savePreferences';

export type { SwitchboardPreferences };

export const DEFAULT_PREFERENCES: SwitchboardPreferences = {
  bridgeUrl: null,
  openSingleMatch: true,
  createFormForUnknownInbound: false,
  createFormForUnknownOutbound: false,
  contactFields: ['Title', 'Account.Name', 'Owner.Name'],
  leadFields: ['Company', 'Status', 'Owner.Name'],
  accountFields: ['Type', 'AnnualRevenue', 'Owner.Name'],
  logCalls: true,
};

/** The rep's preferences over the defaults; throws what Apex threw (e.g. not enabled). */
export async function loadPreferences(): Promise<SwitchboardPreferences> {
  return { ...DEFAULT_PREFERENCES, ...(await getPreferences()) };
}

/** Stores the switches the rep may change in the utility (the rest is the admin's). */
export async function saveRepPreferences(preferences: SwitchboardPreferences): Promise<void> {
  await savePreferences({
    openSingleMatch: preferences.openSingleMatch,
    createFormForUnknownInbound: preferences.createFormForUnknownInbound,
    createFormForUnknownOutbound: preferences.createFormForUnknownOutbound,
  });
}
