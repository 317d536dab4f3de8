// Runs the check steps in the order of docs/install.md. A configuration key that is wrong fails
// the step that owns it (salesforce.loginUrl fails "Salesforce login", not "Configuration"); a
// step whose prerequisites did not pass is skipped, not failed, so a misconfiguration fails
// exactly its own step. Nothing here throws: a step that breaks is reported as failed.
import { envNameOf } from '../config/load';
import { ErrorCodes, isSwitchboardError } from '../errors';
import type { CheckContext } from './check-context';
import {
  stepResult,
  type CheckProblem,
  type CheckReport,
  type CheckStepId,
  type CheckStepResult,
} from './check-report';

/** What a step found; its status follows from the problems and warnings. */
export interface StepFindings {
  summary: string;
  problems?: CheckProblem[];
  warnings?: CheckProblem[];
}

export interface CheckStep {
  id: CheckStepId;
  title: string;
  guide: string;
  /**
   * Configuration keys this step owns (prefixes: `salesforce` owns `salesforce.loginUrl`): a
   * validation problem of one fails this step. The longest matching prefix wins; "" is the rest.
   */
  keys: readonly string[];
  /** Steps that must pass (or pass with warnings) first. */
  needs: readonly CheckStepId[];
  /** Runs although other keys are invalid (it reads what is written); default: skipped then. */
  runsWithInvalidConfig?: boolean;
  run(ctx: CheckContext): Promise<StepFindings>;
}

export async function runChecks(
  ctx: CheckContext,
  steps: readonly CheckStep[],
): Promise<CheckReport> {
  for (const step of steps) {
    const result = await runStep(ctx, step, steps);
    ctx.results.set(step.id, result);
  }
  const results = steps.map((s) => ctx.results.get(s.id) as CheckStepResult);
  return {
    ok: results.every((r) => r.status !== 'fail'),
    checkedAt: ctx.now().toISOString(),
    source: ctx.source,
    steps: results,
  };
}

async function runStep(
  ctx: CheckContext,
  step: CheckStep,
  steps: readonly CheckStep[],
): Promise<CheckStepResult> {
  const owned = ctx.issues.filter((issue) => ownerOf(issue.key, steps) === step);
  if (owned.length > 0)
    return stepResult(step, {
      summary: `${owned.length === 1 ? 'a key is' : `${owned.length} keys are`} not valid`,
      problems: owned.map((issue) => ({
        message: `${issue.key}: ${issue.message}`,
        fix:
          issue.key === '(root)'
            ? `Fix ${ctx.source} (docs/configuration.md lists every key).`
            : `Set ${issue.key} in ${ctx.source} or with ${envNameOf(issue.key)} (docs/configuration.md).`,
      })),
    });
  if (
    (ctx.config === undefined || ctx.readError !== undefined) &&
    step.runsWithInvalidConfig !== true
  )
    return skipped(step, 'needs every configuration key valid first (see the ✗ steps)');
  const unmet = step.needs.filter((need) => !ctx.passed(need));
  if (unmet.length > 0) {
    const titles = unmet.map((id) => steps.find((s) => s.id === id)?.title ?? id);
    return skipped(step, `needs ${titles.join(' and ')} to pass first`);
  }
  try {
    return stepResult(step, await step.run(ctx));
  } catch (error) {
    // With the org's daily requests used up every Salesforce step would fail for that one
    // reason: "Salesforce objects and fields" names it, the others wait for it.
    if (isSwitchboardError(error) && error.code === ErrorCodes.SF_REQUEST_LIMIT)
      return skipped(
        step,
        'Salesforce answers no API request today (see Salesforce objects and fields)',
      );
    return stepResult(step, {
      summary: 'the check of this step failed',
      problems: [
        {
          message: `The check could not finish: ${error instanceof Error ? error.message : String(error)}`,
          fix: 'Run check again; if it repeats, report it with the bridge log.',
        },
      ],
    });
  }
}

function skipped(step: CheckStep, why: string): CheckStepResult {
  return { ...stepResult(step, { summary: `skipped: ${why}` }), status: 'skip' };
}

/** The step that owns a key: the one with the longest matching key prefix. */
function ownerOf(key: string, steps: readonly CheckStep[]): CheckStep | undefined {
  let best: { step: CheckStep; length: number } | undefined;
  for (const step of steps)
    for (const prefix of step.keys) {
      const matches = prefix === '' || key === prefix || key.startsWith(`${prefix}.`);
      if (matches && (best === undefined || prefix.length > best.length))
        best = { step, length: prefix.length };
    }
  return best?.step;
}
