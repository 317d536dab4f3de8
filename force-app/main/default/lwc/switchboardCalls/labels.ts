// What the utility bar item and the screen-reader announcement say about a call.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import utility from '@salesforce/label/c.Switchboard_Utility_Label';
import utilityRinging from '@salesforce/label/c.Switchboard_Utility_Ringing';
import utilityCalling from '@salesforce/label/c.Switchboard_Utility_Calling';
import utilityOnCall from '@salesforce/label/c.Switchboard_Utility_On_Call';
import incoming from '@salesforce/label/c.Switchboard_Announce_Incoming';
import outgoing from '@salesforce/label/c.Switchboard_Announce_Outgoing';
import incomingSeveral from '@salesforce/label/c.Switchboard_Announce_Incoming_Several';
import outgoingSeveral from '@salesforce/label/c.Switchboard_Announce_Outgoing_Several';
import incomingUnknown from '@salesforce/label/c.Switchboard_Announce_Incoming_Unknown';
import outgoingUnknown from '@salesforce/label/c.Switchboard_Announce_Outgoing_Unknown';
import connected from '@salesforce/label/c.Switchboard_Announce_Connected';

export default {
  utility,
  utilityRinging,
  utilityCalling,
  utilityOnCall,
  incoming,
  outgoing,
  incomingSeveral,
  outgoingSeveral,
  incomingUnknown,
  outgoingUnknown,
  connected,
};
