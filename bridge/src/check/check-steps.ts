// The steps of `check`, in the order docs/install.md sets Switchboard up, then the phone system.
import type { CheckStep } from './run-checks';
import { browserAccessStep } from './steps/browser-access-step';
import { configurationStep } from './steps/configuration-step';
import { identityCertificateStep } from './steps/identity-certificate-step';
import { pbxStep } from './steps/pbx-step';
import { salesforceAccessStep } from './steps/salesforce-access-step';
import { salesforceLoginStep } from './steps/salesforce-login-step';
import { usersStep } from './steps/users-step';

export const CHECK_STEPS: readonly CheckStep[] = [
  configurationStep,
  identityCertificateStep,
  salesforceLoginStep,
  salesforceAccessStep,
  usersStep,
  browserAccessStep,
  pbxStep,
];
