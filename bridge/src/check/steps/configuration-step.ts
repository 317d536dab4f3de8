// Step "Configuration": the file can be read, every key the other steps do not own is valid,
// and the secrets it holds carry no stray whitespace. Keys of a later step (salesforce.*,
// auth.*, users, pbx.*, the browser-facing server keys) are reported by that step.
import type { CheckContext } from '../check-context';
import type { CheckStep, StepFindings } from '../run-checks';
import { strayWhitespace } from '../stray-whitespace';

const OWN_SECRETS = ['server.adminToken', 'directory.phonebook.token'];

export const configurationStep: CheckStep = {
  id: 'configuration',
  title: 'Configuration',
  guide: 'docs/configuration.md',
  keys: [''],
  needs: [],
  runsWithInvalidConfig: true,
  run: (ctx: CheckContext): Promise<StepFindings> => {
    if (ctx.readError !== undefined)
      return Promise.resolve({
        summary: 'the configuration cannot be read',
        problems: [
          {
            message: ctx.readError.message,
            fix: ctx.readError.hint ?? 'Fix the file named by --config.',
          },
        ],
      });
    const secrets = strayWhitespace(OWN_SECRETS.map((key) => ({ key, written: ctx.written(key) })));
    const warnings = [...secrets.warnings];
    const level = ctx.config?.log.level;
    if (level === 'debug' || level === 'trace')
      warnings.push({
        message: `log.level is ${level}: full phone numbers reach the log.`,
        fix: 'Use log.level info in production; debug is for a support session.',
      });
    const emulate = ctx.config?.salesforce.emulate;
    return Promise.resolve({
      summary:
        ctx.config === undefined
          ? 'these keys are valid; other steps name the keys that are not'
          : `every key valid${emulate === undefined ? '' : ` (emulated org: salesforce.emulate ${emulate})`}`,
      problems: secrets.problems,
      warnings,
    });
  },
};
