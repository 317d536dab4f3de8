// Harness stand-in for lightning/uiRecordApi's getRecord, as the page's rep: reads the fields
// from the demo bridge (an error for a record the rep may not see, as LDS gives), GET /demo/records/:id?fields=Contact.Title,Contact.Owner.Name, which answers in
// the UI API shape {id, apiName, fields: {Title: {value, displayValue}}}. Like LDS, it gives
// numbers a displayValue in the user's locale (48.000.000 for a German user).
import { harnessEmail, harnessLocale } from '../harness-state';

/** The record with every number's displayValue written for the page's user. */
function inUserLocale(record) {
  const fields = {};
  for (const [name, field] of Object.entries(record.fields || {})) {
    const value = field && field.value;
    if (typeof value === 'number')
      fields[name] = { ...field, displayValue: value.toLocaleString(harnessLocale()) };
    else if (value && typeof value === 'object' && value.fields)
      fields[name] = { ...field, value: inUserLocale(value) };
    else fields[name] = field;
  }
  return { ...record, fields };
}

export class getRecord {
  constructor(callback) {
    this.callback = callback;
    this.connected = false;
    this.config = undefined;
    this.request = 0;
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
    const config = this.config;
    if (!this.connected || !config || !config.recordId) return;
    const fields = [...(config.fields || []), ...(config.optionalFields || [])];
    const request = ++this.request;
    // As the rep (?as= on the page): like LDS, the answer is what that rep may see.
    const url = `/demo/records/${encodeURIComponent(config.recordId)}?fields=${encodeURIComponent(fields.join(','))}&as=${encodeURIComponent(harnessEmail())}`;
    fetch(url)
      .then((response) =>
        response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`)),
      )
      .then((data) => {
        if (request === this.request) this.callback({ data: inUserLocale(data), error: undefined });
      })
      .catch((error) => {
        if (request === this.request)
          this.callback({ data: undefined, error: { body: { message: error.message } } });
      });
  }
}
