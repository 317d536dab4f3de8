// Runs before every LWC unit test: the Custom Labels as an English user sees them (see
// jest-mocks/salesforce/labels.js), and sa11y's toBeAccessible() matcher (axe-core rules as
// Salesforce applies them) for the components' accessibility checks.
import { registerSa11yMatcher } from '@sa11y/jest';
import { mockLabels } from './jest-mocks/salesforce/labels';

mockLabels();
registerSa11yMatcher();
