// The words of the call-log status.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import logged from '@salesforce/label/c.Switchboard_Log_Logged';
import openTask from '@salesforce/label/c.Switchboard_Log_Open_Task';
import openTaskAssistive from '@salesforce/label/c.Switchboard_Log_Open_Task_Assistive';
import logging from '@salesforce/label/c.Switchboard_Log_Logging';
import notLogged from '@salesforce/label/c.Switchboard_Log_Not_Logged';
import taskRejected from '@salesforce/label/c.Switchboard_Log_Task_Rejected';

export default {
  logged,
  openTask,
  openTaskAssistive,
  logging,
  notLogged,
  taskRejected,
};
