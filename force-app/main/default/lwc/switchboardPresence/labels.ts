// The words of the presence control.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import section from '@salesforce/label/c.Switchboard_Presence_Section';
import stateLabel from '@salesforce/label/c.Switchboard_Presence_State_Label';
import available from '@salesforce/label/c.Switchboard_Presence_Available';
import dnd from '@salesforce/label/c.Switchboard_Presence_Dnd';
import away from '@salesforce/label/c.Switchboard_Presence_Away';
import reasonLabel from '@salesforce/label/c.Switchboard_Presence_Reason_Label';
import noReason from '@salesforce/label/c.Switchboard_Presence_No_Reason';
import pause from '@salesforce/label/c.Switchboard_Presence_Pause';
import resume from '@salesforce/label/c.Switchboard_Presence_Resume';
import paused from '@salesforce/label/c.Switchboard_Presence_Paused';
import pausedWithReason from '@salesforce/label/c.Switchboard_Presence_Paused_Reason';
import saving from '@salesforce/label/c.Switchboard_Presence_Saving';
import changedOnPhone from '@salesforce/label/c.Switchboard_Presence_Changed_On_Phone';

export default {
  section,
  stateLabel,
  available,
  dnd,
  away,
  reasonLabel,
  noReason,
  pause,
  resume,
  paused,
  pausedWithReason,
  saving,
  changedOnPhone,
};
