// The words of the call notes, and the dispositions as the rep reads them.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import notes from '@salesforce/label/c.Switchboard_Notes_Label';
import disposition from '@salesforce/label/c.Switchboard_Notes_Disposition';
import none from '@salesforce/label/c.Switchboard_Notes_None';
import interested from '@salesforce/label/c.Switchboard_Disposition_Interested';
import notInterested from '@salesforce/label/c.Switchboard_Disposition_Not_Interested';
import callBack from '@salesforce/label/c.Switchboard_Disposition_Call_Back';
import leftVoicemail from '@salesforce/label/c.Switchboard_Disposition_Left_Voicemail';
import noAnswer from '@salesforce/label/c.Switchboard_Disposition_No_Answer';
import wrongNumber from '@salesforce/label/c.Switchboard_Disposition_Wrong_Number';
import save from '@salesforce/label/c.Switchboard_Notes_Save';
import saving from '@salesforce/label/c.Switchboard_Notes_Saving';
import saved from '@salesforce/label/c.Switchboard_Notes_Saved';
import notSaved from '@salesforce/label/c.Switchboard_Notes_Not_Saved';

export default {
  notes,
  disposition,
  none,
  interested,
  notInterested,
  callBack,
  leftVoicemail,
  noAnswer,
  wrongNumber,
  save,
  saving,
  saved,
  notSaved,
};
