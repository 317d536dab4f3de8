// Step "Salesforce objects and fields" (docs/install.md step 3): what the integration user may
// read and write, from Salesforce's own describe (OrgFields) — every field the caller lookup and
// the directory read, the users' emails, every Task field call logging writes — the Task values
// call logs need (a closed status, a priority, the Call subtype and call types), and the API
// requests left today. The Switchboard_Integration permission set grants all of it.
import { STANDARD_TASK_VALUES, TASK_FIELDS_WRITTEN } from '../../call-log/task-values';
import type { MatchObject } from '../../calls/call';
import type { Config } from '../../config/schema';
import { objectPlan, personAccountsFromDescribe } from '../../directory/record-plan';
import { silentLogger } from '../../logging/logger';
import type { SalesforceGateway } from '../../salesforce/gateway';
import { INTEGRATION_PERMISSION_SET, OrgFields } from '../../salesforce/org-fields';
import { soql } from '../../salesforce/query-builder';
import type { CheckContext } from '../check-context';
import type { CheckProblem } from '../check-report';
import type { CheckStep, StepFindings } from '../run-checks';

/** Fields of User the mapping of extensions to reps reads (users/email-user-directory.ts). */
const USER_FIELDS = ['Name', 'Email', 'IsActive'];
/** Task fields a note added after hang-up updates. */
const TASK_FIELDS_UPDATED = ['Description', 'CallDisposition'];
/** API requests left today below which the step warns. */
const LOW_API_SHARE = 0.1;

export const salesforceAccessStep: CheckStep = {
  id: 'salesforce-access',
  title: 'Salesforce objects and fields',
  guide: 'docs/install.md step 3',
  keys: ['directory.customPhoneFields', 'directory.personAccounts', 'callLog.taskValues'],
  needs: ['salesforce-login'],
  run: async (ctx: CheckContext): Promise<StepFindings> => {
    const config = ctx.config;
    if (config === undefined) throw new Error('no configuration');
    const gateway = await ctx.gateway();
    const orgFields = new OrgFields({ gateway, logger: silentLogger() });
    if (!orgFields.canDescribe)
      return { summary: 'this gateway cannot describe objects; nothing to look at' };
    const warnings: CheckProblem[] = [];
    const usage = gateway.apiUsage();
    let usageText = '';
    if (usage !== undefined) {
      const left = Math.max(0, usage.max - usage.used);
      usageText = `; ${left.toLocaleString('en-US')} of ${usage.max.toLocaleString('en-US')} API requests left today`;
      if (left === 0)
        // Every describe would be refused for this one reason: say it once.
        return {
          summary: `no API requests left today (${usage.max.toLocaleString('en-US')} a day)`,
          problems: [
            {
              message:
                "The org's API requests for today are used up: lookups and call logs fail until the 24-hour window frees some.",
              fix: 'Find what else uses the API (Setup › System Overview, API Usage), or ask Salesforce for more.',
            },
          ],
        };
      if (left < usage.max * LOW_API_SHARE)
        warnings.push({
          message: `Only ${left} of ${usage.max} API requests are left today.`,
          fix: 'Turn on directory.enabled (lookups from the local index, no API request per ring), or find what else uses the API.',
        });
    }
    const problems: CheckProblem[] = [];
    const missingRead: string[] = [];
    const personAccounts =
      (await personAccountsFromDescribe(config.directory.personAccounts, orgFields)) ?? false;
    const objects: MatchObject[] = config.directory.enabled
      ? [...config.directory.objects]
      : ['Contact', 'Lead', 'Account'];
    const fieldsRead: Array<[string, readonly string[]]> = [
      ...objects.map((object): [string, readonly string[]] => [
        object,
        objectPlan(object, config.directory, object !== 'Lead' && personAccounts).selectFields,
      ]),
      ['User', USER_FIELDS],
    ];
    let checked = 0;
    for (const [object, paths] of fieldsRead) {
      checked += paths.length;
      try {
        const readable = await orgFields.readable(object, paths, 'check');
        missingRead.push(
          ...paths.filter((p) => !readable.includes(p)).map((p) => `${object}.${p}`),
        );
      } catch (error) {
        problems.push(objectProblem(object, 'Read', error));
      }
    }
    if (missingRead.length > 0)
      problems.push({
        message: `The integration user cannot read ${missingRead.join(', ')}: callers with numbers there are not found, or reps not mapped.`,
        fix: grant('Read', missingRead),
      });
    if (config.callLog.enabled) {
      checked += TASK_FIELDS_WRITTEN.length;
      problems.push(...(await taskProblems(orgFields, gateway, config, warnings)));
    }
    return { summary: `${checked} fields described${usageText}`, problems, warnings };
  },
};

/** Every Task field call logging writes may be written, and the Task values it needs exist. */
async function taskProblems(
  orgFields: OrgFields,
  gateway: SalesforceGateway,
  config: Readonly<Config>,
  warnings: CheckProblem[],
): Promise<CheckProblem[]> {
  const problems: CheckProblem[] = [];
  const nulls = (fields: readonly string[]) => Object.fromEntries(fields.map((f) => [f, null]));
  let created;
  let updated;
  try {
    created = await orgFields.writable('Task', nulls(TASK_FIELDS_WRITTEN), 'create', 'check');
    updated = await orgFields.writable('Task', nulls(TASK_FIELDS_UPDATED), 'update', 'check');
  } catch (error) {
    return [objectProblem('Task', 'Create', error)];
  }
  const unwritable = [
    ...created.skipped.map((s) => `Task.${s.field}`),
    ...updated.skipped.map((s) => `Task.${s.field} (edit)`),
  ];
  if (unwritable.length > 0)
    problems.push({
      message: `The integration user cannot write ${unwritable.join(', ')}: call logs go without them, or are refused.`,
      fix: grant('Edit', unwritable),
    });

  const statuses = await gateway.query(soql`SELECT ApiName, IsClosed FROM TaskStatus`);
  const closed = statuses.filter((s) => s.IsClosed === true).map((s) => String(s.ApiName));
  const open = statuses.filter((s) => s.IsClosed !== true).map((s) => String(s.ApiName));
  const taskValues = config.callLog.taskValues;
  const wanted: Array<[string, string | undefined, string[]]> = [
    ['closedStatus', taskValues.closedStatus, closed],
    ['openStatus', taskValues.openStatus, open],
  ];
  for (const [key, value, allowed] of wanted)
    if (value !== undefined && !allowed.includes(value))
      problems.push({
        message: `callLog.taskValues.${key} is "${value}", which this org's Task Status does not have (it has ${allowed.join(', ') || 'none'}).`,
        fix: `Set callLog.taskValues.${key} to one of those, or remove it to use the org's own.`,
      });
  if (closed.length === 0)
    problems.push({
      message: 'Task Status has no closed value: a logged call cannot be saved as done.',
      fix: 'Add a closed status (e.g. Completed) in Setup › Object Manager › Task › Status.',
    });
  else if (
    taskValues.closedStatus === undefined &&
    !closed.includes(STANDARD_TASK_VALUES.closedStatus)
  )
    warnings.push({
      message: `Task Status has no "${STANDARD_TASK_VALUES.closedStatus}"; call logs use "${closed[0] ?? ''}".`,
      fix: 'Set callLog.taskValues.closedStatus to the closed status you want.',
    });

  const picklists: Array<[string, string[]]> = [
    ['TaskSubtype', ['Call']],
    ['CallType', config.callLog.callTypes.map((t) => t.charAt(0).toUpperCase() + t.slice(1))],
  ];
  for (const [field, values] of picklists) {
    const described = await orgFields.field('Task', field);
    if (described === undefined || described.picklistValues.length === 0) continue;
    const active = described.picklistValues.filter((v) => v.active).map((v) => v.value);
    const missing = values.filter((v) => !active.includes(v));
    if (missing.length > 0)
      problems.push({
        message: `Task.${field} lacks ${missing.map((v) => `"${v}"`).join(', ')}: call logs are written without it.`,
        fix: `Activate the value in Setup › Object Manager › Task › ${field}.`,
      });
  }
  return problems;
}

function grant(permission: 'Read' | 'Edit', fields: readonly string[]): string {
  return (
    `Assign the ${INTEGRATION_PERMISSION_SET} permission set to the integration user, or grant ` +
    `${permission} on ${fields.length === 1 ? 'that field' : 'those fields'} in the permission set it has (docs/install.md step 3).`
  );
}

function objectProblem(object: string, permission: string, error: unknown): CheckProblem {
  return {
    message: `The integration user cannot use ${object} (${error instanceof Error ? error.message : String(error)}).`,
    fix: `Grant ${permission} on ${object}: assign the ${INTEGRATION_PERMISSION_SET} permission set (docs/install.md step 3).`,
  };
}
