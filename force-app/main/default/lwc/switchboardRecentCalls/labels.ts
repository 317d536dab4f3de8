// The words of the recent calls.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import heading from '@salesforce/label/c.Switchboard_Recent_Heading';
import incoming from '@salesforce/label/c.Switchboard_Recent_Incoming';
import outgoing from '@salesforce/label/c.Switchboard_Recent_Outgoing';
import open from '@salesforce/label/c.Switchboard_Recent_Open';
import callAgain from '@salesforce/label/c.Switchboard_Recent_Call_Again';

export default {
  heading,
  incoming,
  outgoing,
  open,
  callAgain,
};
