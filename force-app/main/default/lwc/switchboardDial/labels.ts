// The words of click-to-dial on a record page.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import call from '@salesforce/label/c.Switchboard_Dial_Call';
import mobile from '@salesforce/label/c.Switchboard_Record_Dial_Mobile';
import phone from '@salesforce/label/c.Switchboard_Record_Dial_Phone';
import home from '@salesforce/label/c.Switchboard_Record_Dial_Home';
import other from '@salesforce/label/c.Switchboard_Record_Dial_Other';
import assistant from '@salesforce/label/c.Switchboard_Record_Dial_Assistant';
import callNumber from '@salesforce/label/c.Switchboard_Record_Dial_Call_Number';
import loadError from '@salesforce/label/c.Switchboard_Record_Dial_Load_Error';
import noContact from '@salesforce/label/c.Switchboard_Record_Dial_No_Contact';
import noNumbers from '@salesforce/label/c.Switchboard_Record_Dial_No_Numbers';
import calling from '@salesforce/label/c.Switchboard_Record_Dial_Calling';

export default {
  call,
  mobile,
  phone,
  home,
  other,
  assistant,
  callNumber,
  loadError,
  noContact,
  noNumbers,
  calling,
};
