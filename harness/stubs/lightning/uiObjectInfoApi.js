// Harness stand-in for lightning/uiObjectInfoApi's getObjectInfo: answers from a small map of
// the labels Salesforce gives the demo objects' standard fields (in English), in the UI API
// shape {apiName, label, fields: {Status: {apiName, label, relationshipName}}}. Fields not in
// the map are left out, so the component shows its humanized API name for them, as it does
// while the real adapter is loading or when the rep cannot read the object's metadata.
const LABELS = {
  Contact: {
    label: 'Contact',
    fields: {
      Title: 'Title',
      Email: 'Email',
      Phone: 'Business Phone',
      MobilePhone: 'Mobile Phone',
      AccountId: ['Account ID', 'Account'],
      OwnerId: ['Owner ID', 'Owner'],
    },
  },
  Lead: {
    label: 'Lead',
    fields: {
      Company: 'Company',
      Status: 'Lead Status',
      Email: 'Email',
      Phone: 'Phone',
      OwnerId: ['Owner ID', 'Owner'],
    },
  },
  Account: {
    label: 'Account',
    fields: {
      Type: 'Account Type',
      Industry: 'Industry',
      AnnualRevenue: 'Annual Revenue',
      Phone: 'Account Phone',
      OwnerId: ['Owner ID', 'Owner'],
    },
  },
};

function objectInfo(apiName) {
  const known = LABELS[apiName];
  if (!known) return undefined;
  const fields = {};
  for (const [name, entry] of Object.entries(known.fields)) {
    const [label, relationshipName] = Array.isArray(entry) ? entry : [entry, null];
    fields[name] = { apiName: name, label, relationshipName };
  }
  return { apiName, label: known.label, fields };
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
