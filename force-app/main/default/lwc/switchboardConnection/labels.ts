// The words the connection uses to say why Switchboard is not connected and what to do.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import notConfigured from '@salesforce/label/c.Switchboard_Conn_Not_Configured';
import notConfiguredAction from '@salesforce/label/c.Switchboard_Conn_Not_Configured_Action';
import notEnabled from '@salesforce/label/c.Switchboard_Conn_Not_Enabled';
import notEnabledAction from '@salesforce/label/c.Switchboard_Conn_Not_Enabled_Action';
import tokenUnavailable from '@salesforce/label/c.Switchboard_Conn_Token_Unavailable';
import keepsTryingSetup from '@salesforce/label/c.Switchboard_Conn_Keeps_Trying_Setup';
import invalidUrl from '@salesforce/label/c.Switchboard_Conn_Invalid_Url';
import invalidUrlAction from '@salesforce/label/c.Switchboard_Conn_Invalid_Url_Action';
import noAnswer from '@salesforce/label/c.Switchboard_Conn_No_Answer';
import keepsTryingBridge from '@salesforce/label/c.Switchboard_Conn_Keeps_Trying_Bridge';
import originRefused from '@salesforce/label/c.Switchboard_Conn_Origin_Refused';
import originRefusedAction from '@salesforce/label/c.Switchboard_Conn_Origin_Refused_Action';
import protocolMismatch from '@salesforce/label/c.Switchboard_Conn_Protocol_Mismatch';
import protocolMismatchAction from '@salesforce/label/c.Switchboard_Conn_Protocol_Mismatch_Action';
import tokenRejected from '@salesforce/label/c.Switchboard_Conn_Token_Rejected';
import tokenRejectedAction from '@salesforce/label/c.Switchboard_Conn_Token_Rejected_Action';
import tokenRetry from '@salesforce/label/c.Switchboard_Conn_Token_Retry';
import noActionYet from '@salesforce/label/c.Switchboard_Conn_No_Action_Yet';
import closedBeforeSignIn from '@salesforce/label/c.Switchboard_Conn_Closed_Before_Sign_In';
import keepsTrying from '@salesforce/label/c.Switchboard_Conn_Keeps_Trying';
import unreachable from '@salesforce/label/c.Switchboard_Conn_Unreachable';
import unreachableAction from '@salesforce/label/c.Switchboard_Conn_Unreachable_Action';
import unknownError from '@salesforce/label/c.Switchboard_Conn_Unknown_Error';

export default {
  notConfigured,
  notConfiguredAction,
  notEnabled,
  notEnabledAction,
  tokenUnavailable,
  keepsTryingSetup,
  invalidUrl,
  invalidUrlAction,
  noAnswer,
  keepsTryingBridge,
  originRefused,
  originRefusedAction,
  protocolMismatch,
  protocolMismatchAction,
  tokenRejected,
  tokenRejectedAction,
  tokenRetry,
  noActionYet,
  closedBeforeSignIn,
  keepsTrying,
  unreachable,
  unreachableAction,
  unknownError,
};
