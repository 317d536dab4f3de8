// Step "Users and extensions" (docs/install.md step 4): every extension maps to an active
// Salesforce user by email — from `users:` in the configuration and from the PBX itself — and
// every rep with the Switchboard User permission set has an extension. The reasons a rep sees
// nothing pop: an email written with a look-alike or invisible character, an inactive user, two
// users the bridge cannot tell apart, a rep nobody mapped.
import type { SObjectRecord } from '../../salesforce/gateway';
import { soql } from '../../salesforce/query-builder';
import { emailSkeleton, hiddenDifference } from '../../users/email-identity';
import { normalizeEmail } from '../../users/email-user-directory';
import type { CheckContext } from '../check-context';
import type { CheckProblem } from '../check-report';
import type { CheckStep, StepFindings } from '../run-checks';

/** The permission set every rep holds (force-app/main/default/permissionsets). */
export const REP_PERMISSION_SET = 'Switchboard_User';
/** Reps listed by name at most; the rest are counted. */
const LISTED = 10;

interface Mapping {
  extension: string;
  email: string;
  /** Where the admin fixes it: `users[2]` or "the PBX". */
  source: string;
}

interface SalesforceUser {
  id: string;
  name: string;
  email: string;
  active: boolean;
}

export const usersStep: CheckStep = {
  id: 'users',
  title: 'Users and extensions',
  guide: 'docs/install.md step 4',
  keys: ['users'],
  needs: ['salesforce-login'],
  run: async (ctx: CheckContext): Promise<StepFindings> => {
    const config = ctx.config;
    if (config === undefined) throw new Error('no configuration');
    const gateway = await ctx.gateway();
    const pbxUsers = await ctx.pbx().then(
      (adapter) => adapter.listUsers(),
      () => [],
    );
    const mappings = new Map<string, Mapping>();
    for (const user of pbxUsers)
      mappings.set(user.extension, {
        extension: user.extension,
        email: user.email,
        source: 'the PBX',
      });
    config.users.forEach((user, index) =>
      mappings.set(user.extension, { ...user, source: `users[${index}]` }),
    );
    const users = (await gateway.query(soql`SELECT Id, Name, Email, IsActive FROM User`)).map(
      toUser,
    );
    const holders = await permissionSetHolders(ctx);
    return review([...mappings.values()], users, holders, ctx.org?.userId);
  },
};

/** What is wrong with the mapping; pure, for the step and its tests. */
export function review(
  mappings: readonly Mapping[],
  users: readonly SalesforceUser[],
  holders: readonly SalesforceUser[] | undefined,
  integrationUserId: string | undefined,
): StepFindings {
  const problems: CheckProblem[] = [];
  const byEmail = groupBy(users, (u) => normalizeEmail(u.email));
  const bySkeleton = groupBy(users, (u) => emailSkeleton(u.email));
  const mappedEmails = new Set<string>();
  let matched = 0;
  const withoutUser: Mapping[] = [];
  for (const mapping of mappings) {
    const key = normalizeEmail(mapping.email);
    mappedEmails.add(key);
    const same = byEmail.get(key) ?? [];
    const lookalikes = (bySkeleton.get(emailSkeleton(mapping.email)) ?? []).filter(
      (u) => !same.includes(u),
    );
    const label = `Extension ${mapping.extension} (${mapping.source}, ${mapping.email})`;
    if (same.length === 0) {
      const [near] = lookalikes;
      if (near !== undefined)
        problems.push({
          message: `${label} matches no Salesforce user, but ${near.name}'s email ${near.email} looks the same: they differ in ${hiddenDifference(mapping.email, near.email) ?? 'a character you cannot see'}.`,
          fix: `Write the email in ${mapping.source} with plain characters: copy it from ${near.name}'s user record.`,
        });
      else if (mapping.source === 'the PBX') withoutUser.push(mapping);
      else
        problems.push({
          message: `${label}: no Salesforce user has this email.`,
          fix: `Set ${mapping.source}.email to the rep's email as their Salesforce user record shows it, or remove the entry.`,
        });
      continue;
    }
    const active = same.filter((u) => u.active);
    if (active.length === 0) {
      problems.push({
        message: `${label}: the Salesforce user ${names(same)} is inactive.`,
        fix: `Activate the user, or map extension ${mapping.extension} to an active rep.`,
      });
      continue;
    }
    const rivals = [...active, ...lookalikes.filter((u) => u.active)];
    if (rivals.length > 1) {
      const [first] = active;
      problems.push({
        message: `${label}: the active Salesforce users ${names(rivals)} have emails the bridge cannot tell apart (${rivals.map((u) => u.email).join(', ')}${rivalDifference(rivals)}).`,
        fix: `Give each of them their own plainly written email; until then extension ${mapping.extension} goes to ${first?.name ?? 'the first'}.`,
      });
      continue;
    }
    matched += 1;
  }
  const unmapped = (holders ?? []).filter(
    (u) => u.active && u.id !== integrationUserId && !mappedEmails.has(normalizeEmail(u.email)),
  );
  if (unmapped.length > 0)
    problems.push({
      message: `${unmapped.length} rep${unmapped.length === 1 ? ' has' : 's have'} the ${REP_PERMISSION_SET} permission set but no extension: ${listed(unmapped)}.`,
      fix: 'Map their extensions under users: (extension and Salesforce email), or give them the same email on the PBX.',
    });
  const parts = [
    `${matched} of ${mappings.length} extension${mappings.length === 1 ? '' : 's'} mapped to an active Salesforce user`,
  ];
  const warnings: CheckProblem[] = [];
  if (withoutUser.length > 0)
    warnings.push({
      message: `${withoutUser.length} PBX extension${withoutUser.length === 1 ? ' has' : 's have'} no Salesforce user: ${withoutUser
        .slice(0, LISTED)
        .map((m) => `${m.extension} (${m.email})`)
        .join(
          ', ',
        )}${withoutUser.length > LISTED ? ` and ${withoutUser.length - LISTED} more` : ''}.`,
      fix:
        "If it is a rep's phone, give the PBX the rep's Salesforce email (or map it under users:); " +
        'a phone nobody answers from Salesforce (fax, lobby) can stay as it is.',
    });
  if (holders === undefined)
    parts.push(`who holds ${REP_PERMISSION_SET} is not visible to the integration user`);
  return { summary: parts.join('; '), problems, warnings };
}

/** Holders of the rep permission set, or undefined when the integration user may not see them. */
async function permissionSetHolders(ctx: CheckContext): Promise<SalesforceUser[] | undefined> {
  const gateway = await ctx.gateway();
  try {
    const rows = await gateway.query(
      soql`SELECT Assignee.Id, Assignee.Name, Assignee.Email, Assignee.IsActive FROM PermissionSetAssignment WHERE PermissionSet.Name = ${REP_PERMISSION_SET}`,
    );
    return rows
      .map((row) => row.Assignee)
      .filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null)
      .map((a) => toUser({ ...a, Id: String(a.Id), sobjectType: 'User' }));
  } catch {
    // Only users with View Setup and Configuration may read permission set assignments.
    return undefined;
  }
}

function toUser(record: SObjectRecord): SalesforceUser {
  return {
    id: record.Id,
    name: typeof record.Name === 'string' ? record.Name : record.Id,
    email: typeof record.Email === 'string' ? record.Email : '',
    active: record.IsActive === true,
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === '') continue;
    map.set(k, [...(map.get(k) ?? []), item]);
  }
  return map;
}

function names(users: readonly SalesforceUser[]): string {
  return users.map((u) => u.name).join(' and ');
}

function listed(users: readonly SalesforceUser[]): string {
  const shown = users.slice(0, LISTED).map((u) => `${u.name} (${u.email})`);
  return users.length > LISTED
    ? `${shown.join(', ')} and ${users.length - LISTED} more`
    : shown.join(', ');
}

function rivalDifference(users: readonly SalesforceUser[]): string {
  const [a, b] = users;
  if (a === undefined || b === undefined) return '';
  const difference = hiddenDifference(a.email, b.email);
  return difference === undefined ? '' : `: ${difference}`;
}
