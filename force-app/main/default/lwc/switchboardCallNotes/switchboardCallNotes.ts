// Call notes and a disposition for the call's Task, and what became of the last save:
// "Saving…", "Saved" (only once the bridge confirmed it) or "Not saved: <why>". The draft
// lives in the parent, which sends it; this component shows it and reports each edit.
import { LightningElement, api } from 'lwc';

/** Dispositions offered for the Task's CallDisposition (a free-text field in Salesforce). */
export const DISPOSITIONS = [
  'Interested',
  'Not interested',
  'Call back',
  'Left voicemail',
  'No answer',
  'Wrong number',
] as const;

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

  private get current(): NoteDraft {
    return this.draft ?? EMPTY_DRAFT;
  }

  get notes(): string {
    return this.current.notes;
  }

  get dispositionOptions(): { value: string; label: string; selected: boolean }[] {
    const chosen = this.current.disposition;
    return [
      { value: '', label: '--None--', selected: chosen === '' },
      ...DISPOSITIONS.map((value) => ({ value, label: value, selected: chosen === value })),
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
    return this.current.status === 'error' ? `Not saved: ${this.current.error}` : '';
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
