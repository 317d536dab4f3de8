// Harness stand-in for lightning/uiRecordApi's getRecord: reads the fields from the demo
// bridge, GET /demo/records/:id?fields=Contact.Title,Contact.Owner.Name, which answers in
// the UI API shape {id, apiName, fields: {Title: {value, displayValue}}}.
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
    const url = `/demo/records/${encodeURIComponent(config.recordId)}?fields=${encodeURIComponent(fields.join(','))}`;
    fetch(url)
      .then((response) =>
        response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`)),
      )
      .then((data) => {
        if (request === this.request) this.callback({ data, error: undefined });
      })
      .catch((error) => {
        if (request === this.request)
          this.callback({ data: undefined, error: { body: { message: error.message } } });
      });
  }
}
