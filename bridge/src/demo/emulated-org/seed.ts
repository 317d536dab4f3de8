// Seed data for the emulated org: `{ "<sObject>": [ {<API field>: value, …} ] }` from a JSON
// file, or "demo" for the built-in sample org. Keys starting with "_" are comments. A record may
// carry its own Id (15 or 18 characters); references between seed records use those ids.
import { readFileSync } from 'node:fs';
import { ErrorCodes, SwitchboardError } from '../../errors';
import sampleOrg from '../sample-org.json';

export type SeedValue = string | number | boolean | null;
export type SeedData = Record<string, Record<string, unknown>[]>;

const HINT =
  'The seed is JSON: { "Contact": [ { "LastName": "Lopez", "Phone": "+1 415 555 1212" } ], "Account": [ … ] }; field values are strings, numbers, booleans or null.';

/** Validates parsed JSON as seed data; `source` names it in the error. */
export function parseSeed(raw: unknown, source: string): SeedData {
  const invalid = (message: string) =>
    new SwitchboardError(ErrorCodes.DEMO_SEED_INVALID, `${source}: ${message}`, { hint: HINT });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw invalid('the top level must be an object of sObject names to record lists');
  const seed: SeedData = {};
  for (const [type, records] of Object.entries(raw as Record<string, unknown>)) {
    if (type.startsWith('_')) continue;
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(type))
      throw invalid(`"${type}" is not an sObject API name`);
    if (!Array.isArray(records)) throw invalid(`"${type}" must be a list of records`);
    seed[type] = records.map((record: unknown, index) => {
      if (record === null || typeof record !== 'object' || Array.isArray(record))
        throw invalid(`${type}[${index}] must be an object of field names to values`);
      const out: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(record as Record<string, unknown>)) {
        if (field.startsWith('_')) continue;
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(field))
          throw invalid(`${type}[${index}]: "${field}" is not a field API name`);
        if (value !== null && !['string', 'number', 'boolean'].includes(typeof value))
          throw invalid(`${type}[${index}].${field} must be a string, number, boolean or null`);
        out[field] = value;
      }
      return out;
    });
  }
  return seed;
}

/** Reads seed data from a JSON file, or the built-in sample org for "demo". */
export function loadSeed(pathOrDemo: string): SeedData {
  if (pathOrDemo === 'demo') return parseSeed(sampleOrg, 'built-in demo data');
  let text: string;
  try {
    text = readFileSync(pathOrDemo, 'utf8');
  } catch (error) {
    throw new SwitchboardError(
      ErrorCodes.DEMO_SEED_UNREADABLE,
      `Cannot read the seed file ${pathOrDemo}: ${(error as Error).message}`,
      { cause: error, hint: 'Check salesforce.emulate: a path to a JSON file, or "demo".' },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SwitchboardError(
      ErrorCodes.DEMO_SEED_INVALID,
      `${pathOrDemo} is not valid JSON: ${(error as Error).message}`,
      { cause: error, hint: HINT },
    );
  }
  return parseSeed(raw, pathOrDemo);
}
