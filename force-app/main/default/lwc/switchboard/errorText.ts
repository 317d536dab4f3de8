// A refusal from the bridge in the rep's language. The bridge writes its messages and hints in
// English for its own log and for admins; the utility shows the rep its own Custom Label for
// every code a rep can meet, and the bridge's words only for a code it does not know yet
// (codes may be added within protocol v1). Salesforce's own rejections of a call log are shown
// as Salesforce wrote them: they are in the org's words (validation rules) already.
import type { FrameError } from 'c/switchboardProtocol';
import LABELS from './errorLabels';

export interface ErrorText {
  message: string;
  /** What the rep can do; empty when there is nothing to add. */
  hint: string;
}

const BY_CODE: Record<string, ErrorText> = {
  DIAL_NO_EXTENSION: { message: LABELS.dialNoExtension, hint: LABELS.dialNoExtensionHint },
  DIAL_INVALID_NUMBER: { message: LABELS.dialInvalidNumber, hint: LABELS.dialInvalidNumberHint },
  DIAL_IN_PROGRESS: { message: LABELS.dialInProgress, hint: LABELS.dialInProgressHint },
  DIAL_RATE_LIMITED: { message: LABELS.dialRateLimited, hint: LABELS.tryAgainSoon },
  DIAL_NUMBER_NOT_ALLOWED: { message: LABELS.dialNotAllowed, hint: LABELS.dialNotAllowedHint },
  DIAL_NOT_SUPPORTED: { message: LABELS.dialNotSupported, hint: LABELS.tellAdmin },
  DIAL_PHONE_BUSY: { message: LABELS.dialPhoneBusy, hint: LABELS.dialPhoneBusyHint },
  DIAL_PHONE_NO_ANSWER: { message: LABELS.dialPhoneNoAnswer, hint: LABELS.dialPhoneNoAnswerHint },
  PBX_UNREACHABLE: { message: LABELS.pbxUnreachable, hint: LABELS.tryAgainSoon },
  PBX_REFUSED: { message: LABELS.pbxRefused, hint: LABELS.tellAdmin },
  PBX_ACTION_UNAVAILABLE: { message: LABELS.pbxRefused, hint: LABELS.tellAdmin },
  CALL_NOT_FOUND: { message: LABELS.callNotFound, hint: LABELS.callNotFoundHint },
  CALL_LOG_NOTE_TOO_LATE: { message: LABELS.noteTooLate, hint: LABELS.noteTooLateHint },
  CALL_LOG_NOTE_INVALID: { message: LABELS.noteInvalid, hint: LABELS.noteInvalidHint },
  CALL_LOG_DISABLED: { message: LABELS.callLogDisabled, hint: LABELS.tellAdmin },
  RECORD_NOT_LINKABLE: { message: LABELS.recordNotLinkable, hint: '' },
  RECORD_NOT_ACCESSIBLE: {
    message: LABELS.recordNotAccessible,
    hint: LABELS.recordNotAccessibleHint,
  },
  WS_RATE_LIMITED: { message: LABELS.rateLimited, hint: LABELS.tryAgainSoon },
  PRESENCE_NOT_SUPPORTED: { message: LABELS.presenceNotSupported, hint: LABELS.tellAdmin },
  PRESENCE_NO_EXTENSION: { message: LABELS.presenceNoExtension, hint: LABELS.tellAdmin },
  CONTROL_NOT_YOUR_CALL: { message: LABELS.controlNotYourCall, hint: '' },
  CONTROL_CALL_ENDED: { message: LABELS.controlCallEnded, hint: '' },
  CONTROL_NOT_SUPPORTED: {
    message: LABELS.controlNotSupported,
    hint: LABELS.controlNotSupportedHint,
  },
  CONTROL_NOT_NOW: { message: LABELS.controlNotNow, hint: '' },
  CONTROL_BAD_TARGET: { message: LABELS.controlBadTarget, hint: LABELS.controlBadTargetHint },
};

/** The rep's words for a refusal; `fallback` when the bridge sent no error at all. */
export function errorText(error: FrameError | undefined, fallback: string): ErrorText {
  if (!error) return { message: fallback, hint: '' };
  return BY_CODE[error.code] ?? { message: error.message, hint: error.hint ?? '' };
}

/** The codes the utility has its own words for (the package check and tests use it). */
export const TRANSLATED_ERROR_CODES: readonly string[] = Object.keys(BY_CODE);
