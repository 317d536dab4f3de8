// The words of a caller card.
// Custom Labels (force-app/main/default/labels), translated in force-app/main/default/translations.
import linked from '@salesforce/label/c.Switchboard_Card_Linked';
import pick from '@salesforce/label/c.Switchboard_Card_Pick';
import pickNamed from '@salesforce/label/c.Switchboard_Card_Pick_Named';
import open from '@salesforce/label/c.Switchboard_Card_Open';
import loading from '@salesforce/label/c.Switchboard_Card_Loading';
import restricted from '@salesforce/label/c.Switchboard_Card_Restricted';

export default {
  linked,
  pick,
  pickNamed,
  open,
  loading,
  restricted,
};
