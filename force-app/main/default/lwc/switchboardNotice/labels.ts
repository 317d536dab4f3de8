// The words of a notice.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import warning from '@salesforce/label/c.Switchboard_Notice_Warning';
import error from '@salesforce/label/c.Switchboard_Notice_Error';
import dismiss from '@salesforce/label/c.Switchboard_Notice_Dismiss';

export default {
  warning,
  error,
  dismiss,
};
