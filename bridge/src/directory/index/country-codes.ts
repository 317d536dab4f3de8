// Country names as people type them into Salesforce address fields (MailingCountry "Germany",
// "Deutschland", "DE", "USA") turned into the ISO 3166 code phone normalization needs. Built from
// the runtime's own CLDR names (Intl.DisplayNames) in the languages orgs commonly use, so no
// hand-kept table of two hundred names can drift.
import { getCountries } from 'libphonenumber-js/max';

const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'sv', 'da', 'pl'];

/** Common spellings CLDR does not give. */
const ALIASES: Readonly<Record<string, string>> = {
  usa: 'US',
  'united states of america': 'US',
  america: 'US',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  holland: 'NL',
  'the netherlands': 'NL',
  'czech republic': 'CZ',
  'south korea': 'KR',
  korea: 'KR',
  russia: 'RU',
  uae: 'AE',
};

let table: Map<string, string> | undefined;

function key(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function build(): Map<string, string> {
  const map = new Map<string, string>();
  for (const [alias, code] of Object.entries(ALIASES)) map.set(key(alias), code);
  for (const language of LANGUAGES) {
    let names: Intl.DisplayNames;
    try {
      names = new Intl.DisplayNames([language], { type: 'region' });
    } catch {
      continue; // a Node built without full ICU: English names and codes still work
    }
    for (const code of getCountries()) {
      const name = names.of(code);
      if (name !== undefined && name !== code && !map.has(key(name))) map.set(key(name), code);
    }
  }
  return map;
}

/** ISO 3166 alpha-2 code for a country field's value, or undefined when it is not recognized. */
export function countryCode(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const upper = trimmed.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper) && (getCountries() as string[]).includes(upper)) return upper;
  table ??= build();
  return table.get(key(trimmed));
}
