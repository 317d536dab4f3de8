// Jest stand-in for @salesforce/label/c.*: every Custom Label resolves to its value in
// force-app/main/default/labels/CustomLabels.labels-meta.xml, as an org serves it to an English
// user. Without it sfdx-lwc-jest gives each import its path ("c.Switchboard_Call_Ringing"), and a
// test that asserts the words a rep reads would pass a missing or misspelled label unnoticed.
const fs = require('node:fs');
const path = require('node:path');
const { XMLParser } = require('fast-xml-parser');

const LABELS_FILE = path.resolve(
  __dirname,
  '../../../main/default/labels/CustomLabels.labels-meta.xml',
);

/** @returns {Record<string, string>} label name → English value */
function readLabels() {
  const parser = new XMLParser({ isArray: (name) => name === 'labels', parseTagValue: false });
  const labels = parser.parse(fs.readFileSync(LABELS_FILE, 'utf8')).CustomLabels?.labels ?? [];
  return Object.fromEntries(labels.map((label) => [label.fullName, String(label.value)]));
}

/** Registers each label as the module @salesforce/label/c.<name>; a test setup file calls it. */
function mockLabels() {
  for (const [name, value] of Object.entries(readLabels()))
    jest.doMock(`@salesforce/label/c.${name}`, () => ({ default: value }), { virtual: true });
}

module.exports = { readLabels, mockLabels };
