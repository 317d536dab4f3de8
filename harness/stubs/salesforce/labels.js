// Harness stand-in for @salesforce/label/c.*: harness/build.mjs turns each label the component
// imports into harnessLabel({en: …, de: …}) from the package's labels and translations XML.
// Like an org, it serves the user's language and falls back to English where a translation
// is missing.
import { harnessLanguage } from '../harness-state';

export function harnessLabel(values) {
  const translated = values[harnessLanguage()];
  return translated === undefined ? values.en : translated;
}
