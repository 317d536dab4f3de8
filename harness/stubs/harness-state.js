// Shared state of the browser harness: what the stand-ins for Salesforce's platform modules
// record (navigations, utility bar calls, tabs) so the end-to-end tests and a person looking
// at the page can see what the component asked Salesforce to do.
const state = (window.__switchboard = window.__switchboard || {
  navigations: [],
  utility: [],
  tabs: [],
  dialListeners: [],
});

/** The rep's email, from ?as= on the page URL; the demo's first user by default. */
export function harnessEmail() {
  const as = new URLSearchParams(window.location.search).get('as');
  return as && as.trim() ? as.trim() : 'ana.lopez@acme.example';
}

export function describePageReference(ref) {
  const attrs = (ref && ref.attributes) || {};
  if (ref.type === 'standard__recordPage') return `record ${attrs.recordId} (${attrs.actionName})`;
  if (ref.type === 'standard__objectPage') {
    const defaults = ref.state && ref.state.defaultFieldValues;
    return `new ${attrs.objectApiName}${defaults ? ` with ${decodeURIComponent(defaults)}` : ''}`;
  }
  return JSON.stringify(ref);
}

/** Shows a Salesforce-like toast so screenshots show where the component navigated. */
export function showBanner(text) {
  const host = document.getElementById('harness-toast');
  if (!host) return;
  host.querySelector('[data-id="toast-text"]').textContent = text;
  host.hidden = false;
}

export default state;
