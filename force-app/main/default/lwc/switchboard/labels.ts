// The words the utility itself shows and the ones it tells the rep about requests to the bridge.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import idle from '@salesforce/label/c.Switchboard_Idle';
import preferenceNotSaved from '@salesforce/label/c.Switchboard_Preference_Not_Saved';
import couldNotCall from '@salesforce/label/c.Switchboard_Dial_Could_Not_Call';
import dialNotConnected from '@salesforce/label/c.Switchboard_Dial_Not_Connected';
import dialNotConnectedHint from '@salesforce/label/c.Switchboard_Dial_Not_Connected_Hint';
import dialRefused from '@salesforce/label/c.Switchboard_Dial_Refused';
import dialDropped from '@salesforce/label/c.Switchboard_Dial_Dropped';
import dialDroppedHint from '@salesforce/label/c.Switchboard_Dial_Dropped_Hint';
import notesNotConnected from '@salesforce/label/c.Switchboard_Notes_Not_Connected';
import notesNotConfirmed from '@salesforce/label/c.Switchboard_Notes_Not_Confirmed';
import notesCouldNotSave from '@salesforce/label/c.Switchboard_Notes_Could_Not_Save';
import notesDropped from '@salesforce/label/c.Switchboard_Notes_Dropped';
import linkRefused from '@salesforce/label/c.Switchboard_Link_Refused';
import presenceNotChanged from '@salesforce/label/c.Switchboard_Presence_Not_Changed';

export default {
  idle,
  preferenceNotSaved,
  couldNotCall,
  dialNotConnected,
  dialNotConnectedHint,
  dialRefused,
  dialDropped,
  dialDroppedHint,
  notesNotConnected,
  notesNotConfirmed,
  notesCouldNotSave,
  notesDropped,
  linkRefused,
  presenceNotChanged,
};
