// What the Setup page shows, computed from one admin.status: every string and class the
// template needs (LWC templates hold no expressions). Pure, for the component and its tests.
import type { AdminStatus, CheckStatus, CheckStepResult } from 'c/switchboardProtocol';
import { formatClock, formatLabel, formatNumber } from 'c/switchboardFormat';
import LABELS from './labels';

export interface LinkView {
  name: string;
  ok: boolean;
  state: string;
  detail: string;
  icon: string;
  variant: string;
}

export interface FindingView {
  key: string;
  message: string;
  fix: string;
}

export interface StepView {
  key: string;
  mark: string;
  title: string;
  summary: string;
  className: string;
  findings: FindingView[];
}

export interface SetupView {
  updated: string;
  links: LinkView[];
  connected: { key: string; email: string; extensions: string; tabs: string; admin: boolean }[];
  mapping: {
    key: string;
    extension: string;
    email: string;
    user: string;
    userClass: string;
  }[];
  mismatches: FindingView[];
  directory: { enabled: boolean; lines: string[]; error: string };
  parked: {
    key: string;
    callId: string;
    call: string;
    error: string;
    parkedAt: string;
  }[];
  check: { ok: boolean; headline: string; className: string; steps: StepView[] } | undefined;
  recent: { key: string; at: string; level: string; text: string; className: string }[];
}

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '–' };
const STEP_CLASS: Record<CheckStatus, string> = {
  pass: 'setup__step setup__step_pass',
  warn: 'setup__step setup__step_warn',
  fail: 'setup__step setup__step_fail',
  skip: 'setup__step setup__step_skip',
};

function link(name: string, ok: boolean, detail: string): LinkView {
  return {
    name,
    ok,
    state: ok ? LABELS.connected : LABELS.disconnected,
    detail,
    icon: ok ? 'utility:success' : 'utility:error',
    variant: ok ? 'success' : 'error',
  };
}

function findings(step: CheckStepResult): FindingView[] {
  return [
    ...step.problems.map((p, i) => ({
      key: `${step.id}-p${i}`,
      message: `✗ ${p.message}`,
      fix: p.fix,
    })),
    ...step.warnings.map((w, i) => ({
      key: `${step.id}-w${i}`,
      message: `! ${w.message}`,
      fix: w.fix,
    })),
  ];
}

export function setupView(status: AdminStatus): SetupView {
  const sf = status.salesforce;
  const usage = sf.apiUsage;
  const sfDetail = [
    sf.instanceUrl ?? '',
    usage === undefined
      ? ''
      : formatLabel(LABELS.apiUsage, formatNumber(usage.used), formatNumber(usage.max)),
  ]
    .filter((part) => part !== '')
    .join(' · ');
  const directory = status.directory;
  const lines: string[] = [];
  if (directory.enabled) {
    lines.push(
      formatLabel(
        LABELS.directoryLoaded,
        formatNumber(directory.totalRecords ?? 0),
        formatNumber(directory.numbers ?? 0),
        directory.lastSyncAt ? formatClock(directory.lastSyncAt) : LABELS.never,
      ),
    );
    if (directory.syncing === true) lines.push(LABELS.directorySyncing);
    for (const [name, object] of Object.entries(directory.objects ?? {}))
      lines.push(`${name}: ${object.phase}, ${formatNumber(object.loaded)}`);
  } else lines.push(LABELS.directoryOff);
  const check = status.check;
  return {
    updated: formatLabel(LABELS.updated, formatClock(status.at)),
    links: [
      link(LABELS.pbx, status.pbx.connected, status.pbx.adapter),
      link(LABELS.salesforce, sf.connected, sfDetail),
    ],
    connected: status.connected.map((user) => ({
      key: user.userId,
      email: user.email,
      extensions: user.extensions.join(', '),
      tabs: String(user.tabs),
      admin: user.admin,
    })),
    mapping: status.mapping.map((row) => ({
      key: `${row.extension}-${row.email}`,
      extension: row.extension,
      email: row.email,
      user: row.salesforceUserId === undefined ? LABELS.noUser : (row.name ?? row.salesforceUserId),
      userClass:
        row.salesforceUserId === undefined
          ? 'slds-cell-wrap slds-text-color_error'
          : 'slds-cell-wrap',
    })),
    mismatches: status.mismatches.map((m, i) => ({ key: `m${i}`, message: m.message, fix: m.fix })),
    directory: {
      enabled: directory.enabled,
      lines,
      error:
        directory.lastError === null || directory.lastError === undefined
          ? ''
          : formatLabel(
              LABELS.directoryError,
              `${directory.lastError.code}: ${directory.lastError.message}`,
            ),
    },
    parked: status.callLog.parked.map((log) => ({
      key: log.callId,
      callId: log.callId,
      call: `${log.subject} (${log.extension})`,
      // Salesforce's message often names the code already.
      error: log.error.message.includes(log.error.code)
        ? log.error.message
        : `${log.error.code}: ${log.error.message}`,
      parkedAt: formatClock(log.parkedAt),
    })),
    check:
      check === undefined
        ? undefined
        : {
            ok: check.ok,
            headline: formatLabel(
              check.ok ? LABELS.checkOk : LABELS.checkFailed,
              formatClock(check.checkedAt),
            ),
            className: check.ok ? 'slds-text-color_success' : 'slds-text-color_error',
            steps: check.steps.map((step) => ({
              key: step.id,
              mark: MARK[step.status],
              title: step.title,
              summary: step.summary,
              className: STEP_CLASS[step.status],
              findings: findings(step),
            })),
          },
    recent: status.recentErrors.map((entry, i) => ({
      key: `${entry.at}-${i}`,
      at: formatClock(entry.at),
      level: entry.level,
      text: [
        entry.component ? `[${entry.component}]` : '',
        entry.message,
        entry.code ? `(${entry.code})` : '',
      ]
        .filter((part) => part !== '')
        .join(' '),
      className: entry.level === 'warn' ? 'slds-text-color_weak' : 'slds-text-color_error',
    })),
  };
}
