// The calls of this session, newest first: who (a button opening their record), when, how
// it ended and how long it ran, its call-log status, and a button to call the number again
// (with the record it was linked to). Withheld numbers cannot be called back.
import { LightningElement, api } from 'lwc';
import type { Call, CallLog } from 'c/switchboardProtocol';
import {
  endReasonLabel,
  formatCallNumber,
  formatClock,
  formatDuration,
  formatLabel,
} from 'c/switchboardFormat';
import { callerName } from 'c/switchboardCalls';
import LABELS from './labels';

interface RecentView {
  id: string;
  label: string;
  detail: string;
  icon: string;
  iconLabel: string;
  recordId: string | undefined;
  openLabel: string;
  redialNumber: string;
  redialRecordId: string;
  redialLabel: string;
  log: CallLog | undefined;
}

export default class SwitchboardRecentCalls extends LightningElement {
  @api calls: Call[] = [];

  labels = LABELS;

  get items(): RecentView[] {
    return this.calls.map((call) => {
      const inbound = call.direction === 'inbound';
      const label = callerName(call) ?? formatCallNumber(call);
      const duration =
        call.answeredAt && call.endedAt
          ? ` · ${formatDuration(Date.parse(call.endedAt) - Date.parse(call.answeredAt))}`
          : '';
      return {
        id: call.id,
        label,
        detail: `${formatClock(call.startedAt)} · ${endReasonLabel(call.endReason)}${duration}`,
        icon: inbound ? 'utility:incoming_call' : 'utility:outbound_call',
        iconLabel: inbound ? LABELS.incoming : LABELS.outgoing,
        recordId:
          call.linkedRecordId ?? (call.matches.length === 1 ? call.matches[0]?.id : undefined),
        openLabel: formatLabel(LABELS.open, label),
        redialNumber: call.withheld ? '' : (call.e164 ?? call.number.trim()),
        redialRecordId: call.linkedRecordId ?? '',
        redialLabel: formatLabel(LABELS.callAgain, label),
        log: call.log,
      };
    });
  }

  handleOpen(event: Event): void {
    const recordId = (event.currentTarget as HTMLElement).dataset.recordId;
    if (recordId) this.dispatchEvent(new CustomEvent('openrecord', { detail: { recordId } }));
  }

  /** The Logged link of a call's Task. */
  handleOpenRecord(event: CustomEvent<{ recordId: string }>): void {
    this.dispatchEvent(new CustomEvent('openrecord', { detail: event.detail }));
  }

  handleRedial(event: Event): void {
    const data = (event.currentTarget as HTMLElement).dataset;
    const detail = { number: data.number ?? '', recordId: data.recordId || undefined };
    this.dispatchEvent(new CustomEvent('dial', { detail: { ...detail, source: 'recent' } }));
  }
}
