// Call notes and a disposition for the call's Task, and what became of the last save:
// "Saving…", "Saved" (only once the bridge confirmed it) or "Not saved: <why>". The draft
// lives in the parent, which sends it; this component shows it and reports each edit.
import { LightningElement, api } from 'lwc';
import { formatLabel } from 'c/switchboardFormat';
import LABELS from './labels';

/**
 * Dispositions offered for the Task's CallDisposition (a free-text field in Salesforce): the
 * value stored is the same in every language, so reports group them; the rep reads the label.
 */
export const DISPOSITIONS = [
  'Interested',
  'Not interested',
  'Call back',
  'Left voicemail',
  'No answer',
  'Wrong number',
] as const;

const DISPOSITION_LABELS: Record<(typeof DISPOSITIONS)[number], string> = {
  Interested: LABELS.interested,
  'Not interested': LABELS.notInterested,
  'Call back': LABELS.callBack,
  'Left voicemail': LABELS.leftVoicemail,
  'No answer': LABELS.noAnswer,
  'Wrong number': LABELS.wrongNumber,
};

export type NoteStatus = 'idle' | 'saving' | 'saved' | 'error';

export interface NoteDraft {
  notes: string;
  disposition: string;
  status: NoteStatus;
  /** Why the last save failed (status error). */
  error: string;
}

export const EMPTY_DRAFT: NoteDraft = { notes: '', disposition: '', status: 'idle', error: '' };

export default class SwitchboardCallNotes extends LightningElement {
  @api draft: NoteDraft | undefined;

  labels = LABELS;

  private get current(): NoteDraft {
    return this.draft ?? EMPTY_DRAFT;
  }

  get notes(): string {
    return this.current.notes;
  }

  get dispositionOptions(): { value: string; label: string; selected: boolean }[] {
    const chosen = this.current.disposition;
    return [
      { value: '', label: LABELS.none, selected: chosen === '' },
      ...DISPOSITIONS.map((value) => ({
        value,
        label: DISPOSITION_LABELS[value],
        selected: chosen === value,
      })),
    ];
  }

  get saveDisabled(): boolean {
    const { status, notes, disposition } = this.current;
    return status === 'saving' || (!notes.trim() && !disposition);
  }

  get saving(): boolean {
    return this.current.status === 'saving';
  }

  get saved(): boolean {
    return this.current.status === 'saved';
  }

  get errorText(): string {
    return this.current.status === 'error' ? formatLabel(LABELS.notSaved, this.current.error) : '';
  }

  private change(detail: Partial<NoteDraft>): void {
    this.dispatchEvent(new CustomEvent('draftchange', { detail }));
  }

  /** lightning-textarea fires change on every keystroke; its value is on the element. */
  handleNotesInput(event: Event): void {
    this.change({ notes: (event.target as HTMLElement & { value: string }).value });
  }

  handleDispositionChange(event: Event): void {
    this.change({ disposition: (event.target as HTMLSelectElement).value });
  }

  handleSave(): void {
    this.dispatchEvent(new CustomEvent('save'));
  }
}
