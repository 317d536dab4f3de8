// What `switchboard-bridge check` finds, step by step, and how it reads: the same lines on the
// terminal, in the bridge's log at start, in `--json` for scripts and on the Switchboard Setup
// page. A step passes (✓), fails (✗: the bridge cannot work as installed, with what to do),
// passes with warnings (!), or is skipped (–) because a step it needs failed.

export type CheckStepId =
  | 'configuration'
  | 'identity-certificate'
  | 'salesforce-login'
  | 'salesforce-access'
  | 'users'
  | 'browser-access'
  | 'pbx';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One thing wrong, and what to do about it. */
export interface CheckProblem {
  message: string;
  fix: string;
}

export interface CheckStepResult {
  id: CheckStepId;
  title: string;
  /** Where the admin set this up, e.g. "docs/install.md step 3". */
  guide: string;
  status: CheckStatus;
  /** What was found, in one line (or why the step was skipped). */
  summary: string;
  /** Why the step fails: each stops the bridge from working as installed. */
  problems: CheckProblem[];
  /** Worth fixing, but the bridge works: a step with only these passes with "!". */
  warnings: CheckProblem[];
}

export interface CheckReport {
  /** No step failed. */
  ok: boolean;
  /** ISO time the check finished. */
  checkedAt: string;
  /** What was checked: the config file, or "running bridge". */
  source: string;
  steps: CheckStepResult[];
}

export const STATUS_MARK: Record<CheckStatus, string> = {
  pass: '✓',
  warn: '!',
  fail: '✗',
  skip: '–',
};

/** A step's outcome from what it found: any problem fails it, any warning marks it. */
export function stepResult(
  step: Pick<CheckStepResult, 'id' | 'title' | 'guide'>,
  found: { summary: string; problems?: CheckProblem[]; warnings?: CheckProblem[] },
): CheckStepResult {
  const problems = found.problems ?? [];
  const warnings = found.warnings ?? [];
  return {
    ...step,
    status: problems.length > 0 ? 'fail' : warnings.length > 0 ? 'warn' : 'pass',
    summary: found.summary,
    problems,
    warnings,
  };
}

/** The step's first line: mark, title, guide and summary. */
export function stepHeadline(step: CheckStepResult): string {
  return `${STATUS_MARK[step.status]} ${step.title} (${step.guide}) — ${step.summary}`;
}

/** Every line of a step: the headline, then each problem and warning with its fix. */
export function stepLines(step: CheckStepResult): string[] {
  const lines = [stepHeadline(step)];
  for (const [mark, list] of [
    ['✗', step.problems],
    ['!', step.warnings],
  ] as const)
    for (const problem of list) {
      lines.push(`    ${mark} ${problem.message}`);
      lines.push(`      → ${problem.fix}`);
    }
  return lines;
}

/** The whole report as the terminal shows it. */
export function formatReport(report: CheckReport): string {
  const failed = report.steps.filter((s) => s.status === 'fail').length;
  return [
    `Switchboard check: ${report.source}`,
    '',
    ...report.steps.flatMap(stepLines),
    '',
    report.ok
      ? 'Every step passed.'
      : `${failed} step${failed === 1 ? '' : 's'} failed: fix the first ✗, then run check again.`,
  ].join('\n');
}
