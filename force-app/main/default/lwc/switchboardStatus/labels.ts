// The words of the connection banner.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import section from '@salesforce/label/c.Switchboard_Status_Section';
import connecting from '@salesforce/label/c.Switchboard_Status_Connecting';
import connectingShort from '@salesforce/label/c.Switchboard_Status_Connecting_Short';
import connectedShort from '@salesforce/label/c.Switchboard_Status_Connected_Short';
import connectedNoExtension from '@salesforce/label/c.Switchboard_Status_Connected_No_Extension';
import connectedExtension from '@salesforce/label/c.Switchboard_Status_Connected_Extension';
import connectedExtensions from '@salesforce/label/c.Switchboard_Status_Connected_Extensions';
import notConnected from '@salesforce/label/c.Switchboard_Status_Not_Connected';
import pbxDown from '@salesforce/label/c.Switchboard_Status_Pbx_Down';
import pbxDownMessage from '@salesforce/label/c.Switchboard_Status_Pbx_Down_Message';
import pbxDownDetail from '@salesforce/label/c.Switchboard_Status_Pbx_Down_Detail';
import reconnecting from '@salesforce/label/c.Switchboard_Status_Reconnecting';
import nextAttempt from '@salesforce/label/c.Switchboard_Status_Next_Attempt';
import tryAgain from '@salesforce/label/c.Switchboard_Status_Try_Again';
import retryNow from '@salesforce/label/c.Switchboard_Status_Retry_Now';

export default {
  section,
  connecting,
  connectingShort,
  connectedShort,
  connectedNoExtension,
  connectedExtension,
  connectedExtensions,
  notConnected,
  pbxDown,
  pbxDownMessage,
  pbxDownDetail,
  reconnecting,
  nextAttempt,
  tryAgain,
  retryNow,
};
