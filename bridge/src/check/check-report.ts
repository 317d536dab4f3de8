// What `switchboard-bridge check` finds, step by step, and how it reads: the same lines on the
// terminal, in the bridge's log at start, in `--json` for scripts and on the Switchboard Setup
// page. A step passes (✓), fails (✗: the bridge cannot work as installed, with what to do),
// passes with warnings (!), or is skipped (–) because a step it needs failed.

// The report's shape is part of protocol v1 (the Setup page shows it): declared there, once.
import type {
  CheckProblem,
  CheckReport,
  CheckStatus,
  CheckStepId,
  CheckStepResult,
} from '../protocol/v1';

export type { CheckProblem, CheckReport, CheckStatus, CheckStepId, CheckStepResult };

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
