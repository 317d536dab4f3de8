// The words of phone numbers that are no number, and of how a call ended.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import withheld from '@salesforce/label/c.Switchboard_Number_Withheld';
import extension from '@salesforce/label/c.Switchboard_Number_Extension';
import unknownNumber from '@salesforce/label/c.Switchboard_Number_Unknown';
import completed from '@salesforce/label/c.Switchboard_End_Completed';
import missed from '@salesforce/label/c.Switchboard_End_Missed';
import busy from '@salesforce/label/c.Switchboard_End_Busy';
import noAnswer from '@salesforce/label/c.Switchboard_End_No_Answer';
import answeredElsewhere from '@salesforce/label/c.Switchboard_End_Answered_Elsewhere';
import failed from '@salesforce/label/c.Switchboard_End_Failed';
import ended from '@salesforce/label/c.Switchboard_End_Ended';

export default {
  withheld,
  extension,
  unknownNumber,
  completed,
  missed,
  busy,
  noAnswer,
  answeredElsewhere,
  failed,
  ended,
};
