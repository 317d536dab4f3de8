// The words of the rep's preferences.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import heading from '@salesforce/label/c.Switchboard_Prefs_Heading';
import legend from '@salesforce/label/c.Switchboard_Prefs_Legend';
import openSingleMatch from '@salesforce/label/c.Switchboard_Prefs_Open_Single_Match';
import createInbound from '@salesforce/label/c.Switchboard_Prefs_Create_Inbound';
import createOutbound from '@salesforce/label/c.Switchboard_Prefs_Create_Outbound';

export default {
  heading,
  legend,
  openSingleMatch,
  createInbound,
  createOutbound,
};
