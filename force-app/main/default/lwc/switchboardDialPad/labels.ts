// The words of click-to-dial in the utility.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import section from '@salesforce/label/c.Switchboard_Dial_Section';
import number from '@salesforce/label/c.Switchboard_Dial_Number_Label';
import placeholder from '@salesforce/label/c.Switchboard_Dial_Number_Placeholder';
import call from '@salesforce/label/c.Switchboard_Dial_Call';
import pad from '@salesforce/label/c.Switchboard_Dial_Pad';
import star from '@salesforce/label/c.Switchboard_Dial_Key_Star';
import pound from '@salesforce/label/c.Switchboard_Dial_Key_Pound';
import callingShort from '@salesforce/label/c.Switchboard_Dial_Calling_Short';
import calling from '@salesforce/label/c.Switchboard_Dial_Calling';

export default {
  section,
  number,
  placeholder,
  call,
  pad,
  star,
  pound,
  callingShort,
  calling,
};
