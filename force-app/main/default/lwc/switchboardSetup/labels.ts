// The words of the Switchboard Setup page (the bridge's own findings — check results, errors —
// come in the bridge's words). Custom Labels (force-app/main/default/labels), translated in
// force-app/main/default/translations.
import title from '@salesforce/label/c.Switchboard_Setup_Title';
import connecting from '@salesforce/label/c.Switchboard_Setup_Connecting';
import notAdmin from '@salesforce/label/c.Switchboard_Setup_Not_Admin';
import notAdminAction from '@salesforce/label/c.Switchboard_Setup_Not_Admin_Action';
import links from '@salesforce/label/c.Switchboard_Setup_Links';
import pbx from '@salesforce/label/c.Switchboard_Setup_Pbx';
import salesforce from '@salesforce/label/c.Switchboard_Setup_Salesforce';
import connected from '@salesforce/label/c.Switchboard_Setup_Connected';
import disconnected from '@salesforce/label/c.Switchboard_Setup_Disconnected';
import apiUsage from '@salesforce/label/c.Switchboard_Setup_Api_Usage';
import reps from '@salesforce/label/c.Switchboard_Setup_Reps';
import repsNone from '@salesforce/label/c.Switchboard_Setup_Reps_None';
import colUser from '@salesforce/label/c.Switchboard_Setup_Col_User';
import colExtensions from '@salesforce/label/c.Switchboard_Setup_Col_Extensions';
import colTabs from '@salesforce/label/c.Switchboard_Setup_Col_Tabs';
import admin from '@salesforce/label/c.Switchboard_Setup_Admin';
import mapping from '@salesforce/label/c.Switchboard_Setup_Mapping';
import colExtension from '@salesforce/label/c.Switchboard_Setup_Col_Extension';
import colEmail from '@salesforce/label/c.Switchboard_Setup_Col_Email';
import colSalesforceUser from '@salesforce/label/c.Switchboard_Setup_Col_Salesforce_User';
import noUser from '@salesforce/label/c.Switchboard_Setup_No_User';
import mismatches from '@salesforce/label/c.Switchboard_Setup_Mismatches';
import directory from '@salesforce/label/c.Switchboard_Setup_Directory';
import directoryOff from '@salesforce/label/c.Switchboard_Setup_Directory_Off';
import directoryLoaded from '@salesforce/label/c.Switchboard_Setup_Directory_Loaded';
import directorySyncing from '@salesforce/label/c.Switchboard_Setup_Directory_Syncing';
import directoryError from '@salesforce/label/c.Switchboard_Setup_Directory_Error';
import never from '@salesforce/label/c.Switchboard_Setup_Never';
import parked from '@salesforce/label/c.Switchboard_Setup_Parked';
import parkedNone from '@salesforce/label/c.Switchboard_Setup_Parked_None';
import colCall from '@salesforce/label/c.Switchboard_Setup_Col_Call';
import colError from '@salesforce/label/c.Switchboard_Setup_Col_Error';
import retry from '@salesforce/label/c.Switchboard_Setup_Retry';
import retryFailed from '@salesforce/label/c.Switchboard_Setup_Retry_Failed';
import check from '@salesforce/label/c.Switchboard_Setup_Check';
import checkNever from '@salesforce/label/c.Switchboard_Setup_Check_Never';
import checkRun from '@salesforce/label/c.Switchboard_Setup_Check_Run';
import checkRunning from '@salesforce/label/c.Switchboard_Setup_Check_Running';
import checkOk from '@salesforce/label/c.Switchboard_Setup_Check_Ok';
import checkFailed from '@salesforce/label/c.Switchboard_Setup_Check_Failed';
import recent from '@salesforce/label/c.Switchboard_Setup_Recent';
import recentNone from '@salesforce/label/c.Switchboard_Setup_Recent_None';
import updated from '@salesforce/label/c.Switchboard_Setup_Updated';

export default {
  title,
  connecting,
  notAdmin,
  notAdminAction,
  links,
  pbx,
  salesforce,
  connected,
  disconnected,
  apiUsage,
  reps,
  repsNone,
  colUser,
  colExtensions,
  colTabs,
  admin,
  mapping,
  colExtension,
  colEmail,
  colSalesforceUser,
  noUser,
  mismatches,
  directory,
  directoryOff,
  directoryLoaded,
  directorySyncing,
  directoryError,
  never,
  parked,
  parkedNone,
  colCall,
  colError,
  retry,
  retryFailed,
  check,
  checkNever,
  checkRun,
  checkRunning,
  checkOk,
  checkFailed,
  recent,
  recentNone,
  updated,
};
