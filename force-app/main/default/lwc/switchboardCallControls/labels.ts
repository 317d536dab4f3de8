// The words of the call controls.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import group from '@salesforce/label/c.Switchboard_Control_Group';
import hangUp from '@salesforce/label/c.Switchboard_Control_Hang_Up';
import decline from '@salesforce/label/c.Switchboard_Control_Decline';
import hold from '@salesforce/label/c.Switchboard_Control_Hold';
import resume from '@salesforce/label/c.Switchboard_Control_Resume';
import onHold from '@salesforce/label/c.Switchboard_Control_On_Hold';
import transfer from '@salesforce/label/c.Switchboard_Control_Transfer';
import transferTo from '@salesforce/label/c.Switchboard_Control_Transfer_To';
import transferNow from '@salesforce/label/c.Switchboard_Control_Transfer_Now';
import consult from '@salesforce/label/c.Switchboard_Control_Consult';
import consulting from '@salesforce/label/c.Switchboard_Control_Consulting';
import complete from '@salesforce/label/c.Switchboard_Control_Complete';
import cancel from '@salesforce/label/c.Switchboard_Control_Cancel';
import kindExtension from '@salesforce/label/c.Switchboard_Control_Kind_Extension';
import kindRep from '@salesforce/label/c.Switchboard_Control_Kind_Rep';
import kindNumber from '@salesforce/label/c.Switchboard_Control_Kind_Number';
import repName from '@salesforce/label/c.Switchboard_Control_Rep_Name';
import pickRep from '@salesforce/label/c.Switchboard_Control_Pick_Rep';
import noRepFound from '@salesforce/label/c.Switchboard_Control_No_Rep_Found';
import unavailable from '@salesforce/label/c.Switchboard_Control_Unavailable';
import pending from '@salesforce/label/c.Switchboard_Control_Pending';
import done from '@salesforce/label/c.Switchboard_Control_Done';
import refused from '@salesforce/label/c.Switchboard_Control_Refused';

export default {
  group,
  hangUp,
  decline,
  hold,
  resume,
  onHold,
  transfer,
  transferTo,
  transferNow,
  consult,
  consulting,
  complete,
  cancel,
  kindExtension,
  kindRep,
  kindNumber,
  repName,
  pickRep,
  noRepFound,
  unavailable,
  pending,
  done,
  refused,
};
