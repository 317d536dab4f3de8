// The words for the bridge's refusals that a rep can meet (codes in bridge/src/errors.ts).
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import dialNoExtension from '@salesforce/label/c.Switchboard_Error_Dial_No_Extension';
import dialNoExtensionHint from '@salesforce/label/c.Switchboard_Error_Dial_No_Extension_Hint';
import dialInvalidNumber from '@salesforce/label/c.Switchboard_Error_Dial_Invalid_Number';
import dialInvalidNumberHint from '@salesforce/label/c.Switchboard_Error_Dial_Invalid_Number_Hint';
import dialInProgress from '@salesforce/label/c.Switchboard_Error_Dial_In_Progress';
import dialInProgressHint from '@salesforce/label/c.Switchboard_Error_Dial_In_Progress_Hint';
import dialRateLimited from '@salesforce/label/c.Switchboard_Error_Dial_Rate_Limited';
import dialNotAllowed from '@salesforce/label/c.Switchboard_Error_Dial_Not_Allowed';
import dialNotAllowedHint from '@salesforce/label/c.Switchboard_Error_Dial_Not_Allowed_Hint';
import dialNotSupported from '@salesforce/label/c.Switchboard_Error_Dial_Not_Supported';
import dialPhoneBusy from '@salesforce/label/c.Switchboard_Error_Dial_Phone_Busy';
import dialPhoneBusyHint from '@salesforce/label/c.Switchboard_Error_Dial_Phone_Busy_Hint';
import dialPhoneNoAnswer from '@salesforce/label/c.Switchboard_Error_Dial_Phone_No_Answer';
import dialPhoneNoAnswerHint from '@salesforce/label/c.Switchboard_Error_Dial_Phone_No_Answer_Hint';
import pbxUnreachable from '@salesforce/label/c.Switchboard_Error_Pbx_Unreachable';
import pbxRefused from '@salesforce/label/c.Switchboard_Error_Pbx_Refused';
import tellAdmin from '@salesforce/label/c.Switchboard_Error_Tell_Admin';
import tryAgainSoon from '@salesforce/label/c.Switchboard_Error_Try_Again_Soon';
import callNotFound from '@salesforce/label/c.Switchboard_Error_Call_Not_Found';
import callNotFoundHint from '@salesforce/label/c.Switchboard_Error_Call_Not_Found_Hint';
import noteTooLate from '@salesforce/label/c.Switchboard_Error_Note_Too_Late';
import noteTooLateHint from '@salesforce/label/c.Switchboard_Error_Note_Too_Late_Hint';
import noteInvalid from '@salesforce/label/c.Switchboard_Error_Note_Invalid';
import noteInvalidHint from '@salesforce/label/c.Switchboard_Error_Note_Invalid_Hint';
import callLogDisabled from '@salesforce/label/c.Switchboard_Error_Call_Log_Disabled';
import recordNotLinkable from '@salesforce/label/c.Switchboard_Error_Record_Not_Linkable';
import recordNotAccessible from '@salesforce/label/c.Switchboard_Error_Record_Not_Accessible';
import recordNotAccessibleHint from '@salesforce/label/c.Switchboard_Error_Record_Not_Accessible_Hint';
import rateLimited from '@salesforce/label/c.Switchboard_Error_Rate_Limited';
import presenceNotSupported from '@salesforce/label/c.Switchboard_Error_Presence_Not_Supported';
import presenceNoExtension from '@salesforce/label/c.Switchboard_Error_Presence_No_Extension';
import controlNotYourCall from '@salesforce/label/c.Switchboard_Error_Control_Not_Your_Call';
import controlCallEnded from '@salesforce/label/c.Switchboard_Error_Control_Call_Ended';
import controlNotSupported from '@salesforce/label/c.Switchboard_Error_Control_Not_Supported';
import controlNotSupportedHint from '@salesforce/label/c.Switchboard_Error_Control_Not_Supported_Hint';
import controlNotNow from '@salesforce/label/c.Switchboard_Error_Control_Not_Now';
import controlBadTarget from '@salesforce/label/c.Switchboard_Error_Control_Bad_Target';
import controlBadTargetHint from '@salesforce/label/c.Switchboard_Error_Control_Bad_Target_Hint';

export default {
  dialNoExtension,
  dialNoExtensionHint,
  dialInvalidNumber,
  dialInvalidNumberHint,
  dialInProgress,
  dialInProgressHint,
  dialRateLimited,
  dialNotAllowed,
  dialNotAllowedHint,
  dialNotSupported,
  dialPhoneBusy,
  dialPhoneBusyHint,
  dialPhoneNoAnswer,
  dialPhoneNoAnswerHint,
  pbxUnreachable,
  pbxRefused,
  tellAdmin,
  tryAgainSoon,
  callNotFound,
  callNotFoundHint,
  noteTooLate,
  noteTooLateHint,
  noteInvalid,
  noteInvalidHint,
  callLogDisabled,
  recordNotLinkable,
  recordNotAccessible,
  recordNotAccessibleHint,
  rateLimited,
  presenceNotSupported,
  presenceNoExtension,
  controlNotYourCall,
  controlCallEnded,
  controlNotSupported,
  controlNotSupportedHint,
  controlNotNow,
  controlBadTarget,
  controlBadTargetHint,
};
