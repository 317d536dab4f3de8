// Runs before every LWC unit test: adds sa11y's toBeAccessible() matcher (axe-core rules as
// Salesforce applies them), as the component tests' accessibility checks use it.
import { registerSa11yMatcher } from '@sa11y/jest';

registerSa11yMatcher();
