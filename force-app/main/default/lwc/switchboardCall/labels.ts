// The words of a call on screen.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import incoming from '@salesforce/label/c.Switchboard_Call_Incoming';
import outgoing from '@salesforce/label/c.Switchboard_Call_Outgoing';
import ringing from '@salesforce/label/c.Switchboard_Call_Ringing';
import dialing from '@salesforce/label/c.Switchboard_Call_Dialing';
import connected from '@salesforce/label/c.Switchboard_Call_Connected';
import ended from '@salesforce/label/c.Switchboard_Call_Ended';
import lookingUp from '@salesforce/label/c.Switchboard_Call_Looking_Up';
import lookupFailed from '@salesforce/label/c.Switchboard_Call_Lookup_Failed';
import severalIncoming from '@salesforce/label/c.Switchboard_Call_Several_Incoming';
import severalOutgoing from '@salesforce/label/c.Switchboard_Call_Several_Outgoing';
import caller from '@salesforce/label/c.Switchboard_Call_Caller';
import callee from '@salesforce/label/c.Switchboard_Call_Callee';
import unknown from '@salesforce/label/c.Switchboard_Call_Unknown';
import createContact from '@salesforce/label/c.Switchboard_Call_Create_Contact';
import createLead from '@salesforce/label/c.Switchboard_Call_Create_Lead';
import createContactWith from '@salesforce/label/c.Switchboard_Call_Create_Contact_With';
import createLeadWith from '@salesforce/label/c.Switchboard_Call_Create_Lead_With';

export default {
  incoming,
  outgoing,
  ringing,
  dialing,
  connected,
  ended,
  lookingUp,
  lookupFailed,
  severalIncoming,
  severalOutgoing,
  caller,
  callee,
  unknown,
  createContact,
  createLead,
  createContactWith,
  createLeadWith,
};
