// What a PBX answered when it refused a request (dial, presence, a call control), in its own
// words and fit to show a rep: shared by every outbound request of the webhook adapter.

/** How much of a PBX's refusal text is passed on to the rep. */
const MAX_REFUSAL_CHARS = 200;

/** The body as a JSON object, or undefined when it is not one. */
export function readJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The PBX's own words: `{error: {message}}`, `{error: "…"}`, `{message}` or plain text. */
export function refusalText(text: string): string {
  const body = readJson(text);
  const error = body?.error;
  const candidates: unknown[] = [
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error,
    body?.message,
    body === undefined ? text : undefined,
  ];
  const found = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  // Keep it one short printable line: it is shown to the rep.
  return (found ?? '')
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, MAX_REFUSAL_CHARS);
}
