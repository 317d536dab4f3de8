// docs/protocol.md is the readable form of protocol/v1.ts: every frame type has its section and
// every close code its row, so adding one to the protocol without documenting it fails here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CLIENT_FRAME_TYPES,
  CloseCodes,
  MAX_FRAME_BYTES,
  SERVER_FRAME_TYPES,
} from '../../src/protocol/v1';

const DOC = readFileSync(path.join(__dirname, '../../../docs/protocol.md'), 'utf8');

/** The text of a `## title` section, up to the next `## ` heading. */
function section(title: string): string {
  const start = DOC.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/protocol.md has no section "## ${title}"`);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
}

/** The frame types with a `### \`type\`` heading in a section. */
function headedTypes(text: string): string[] {
  return [...text.matchAll(/^### `([^`]+)`/gm)].map((match) => match[1] ?? '');
}

describe('docs/protocol.md', () => {
  it('has a section for every client frame type, and none the protocol lacks', () => {
    expect(headedTypes(section('Client → bridge')).sort()).toEqual([...CLIENT_FRAME_TYPES].sort());
  });

  it('has a section for every server frame type, and none the protocol lacks', () => {
    expect(headedTypes(section('Bridge → client')).sort()).toEqual([...SERVER_FRAME_TYPES].sort());
  });

  it('explains every close code the bridge uses in the close-code table', () => {
    const rows = [...section('Close codes').matchAll(/^\| (\d{4}) \| (.+?) \|/gm)].map((m) => ({
      code: Number(m[1]),
      meaning: m[2] ?? '',
    }));
    for (const code of Object.values(CloseCodes)) {
      const row = rows.find((r) => r.code === code);
      expect({ code, documented: row !== undefined && row.meaning.trim().length > 0 }).toEqual({
        code,
        documented: true,
      });
    }
  });

  it('states the frame size limit the bridge enforces', () => {
    expect(DOC).toContain(`at most **${MAX_FRAME_BYTES / 1024} KiB**`);
  });
});
