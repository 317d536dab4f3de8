// Harness stand-in for lightning/uiObjectInfoApi's getObjectInfo: answers from a small map of
// the labels Salesforce gives the demo objects' standard fields, in English or, for a German
// user (?lang=de), in German as an org's UI API does, in the shape {apiName, label, fields:
// {Status: {apiName, label, relationshipName}}}. Fields not in the map are left out, so the
// component shows its humanized API name for them, as it does while the real adapter is
// loading or when the rep cannot read the object's metadata.
import { harnessLanguage } from '../harness-state';

/** English and German: [label, German label], lookups [label, German label, relationship]. */
const LABELS = {
  Contact: {
    label: ['Contact', 'Kontakt'],
    fields: {
      Title: ['Title', 'Titel'],
      Email: ['Email', 'E-Mail'],
      Phone: ['Business Phone', 'Telefon (geschäftlich)'],
      MobilePhone: ['Mobile Phone', 'Mobiltelefon'],
      AccountId: ['Account ID', 'Account-ID', 'Account'],
      OwnerId: ['Owner ID', 'Inhaber-ID', 'Owner'],
    },
  },
  Lead: {
    label: ['Lead', 'Interessent'],
    fields: {
      Company: ['Company', 'Firma'],
      Status: ['Lead Status', 'Interessentenstatus'],
      Email: ['Email', 'E-Mail'],
      Phone: ['Phone', 'Telefon'],
      OwnerId: ['Owner ID', 'Inhaber-ID', 'Owner'],
    },
  },
  Account: {
    label: ['Account', 'Account'],
    fields: {
      Type: ['Account Type', 'Accounttyp'],
      Industry: ['Industry', 'Branche'],
      AnnualRevenue: ['Annual Revenue', 'Jahresumsatz'],
      Phone: ['Account Phone', 'Telefon'],
      OwnerId: ['Owner ID', 'Inhaber-ID', 'Owner'],
    },
  },
};

function objectInfo(apiName) {
  const known = LABELS[apiName];
  if (!known) return undefined;
  const inLanguage = harnessLanguage() === 'de' ? 1 : 0;
  const fields = {};
  for (const [name, entry] of Object.entries(known.fields)) {
    fields[name] = { apiName: name, label: entry[inLanguage], relationshipName: entry[2] || null };
  }
  return { apiName, label: known.label[inLanguage], fields };
}

export class getObjectInfo {
  constructor(callback) {
    this.callback = callback;
    this.connected = false;
    this.config = undefined;
  }
  connect() {
    this.connected = true;
    this.load();
  }
  disconnect() {
    this.connected = false;
  }
  update(config) {
    this.config = config;
    this.load();
  }
  load() {
    const apiName = this.config && this.config.objectApiName;
    if (!this.connected || !apiName) return;
    // Asynchronous like LDS: the component first renders with its fallback labels.
    Promise.resolve().then(() => {
      if (!this.connected || !this.config || this.config.objectApiName !== apiName) return;
      const data = objectInfo(apiName);
      this.callback(
        data
          ? { data, error: undefined }
          : { data: undefined, error: { body: { message: `No object info for ${apiName}` } } },
      );
    });
  }
}
