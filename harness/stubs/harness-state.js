// Shared state of the browser harness: what the stand-ins for Salesforce's platform modules
// record (navigations, utility bar calls, tabs) so the end-to-end tests and a person looking
// at the page can see what the component asked Salesforce to do.
const state = (window.__switchboard = window.__switchboard || {
  navigations: [],
  utility: [],
  tabs: [],
  dialListeners: [],
});

const params = () => new URLSearchParams(window.location.search);

/** The rep's language, from ?lang= (de shows the German translation); en by default. */
export function harnessLanguage() {
  return (params().get('lang') || 'en').trim().toLowerCase();
}

/** The rep's locale for numbers and times: ?locale=, else the language's usual one. */
export function harnessLocale() {
  const locale = params().get('locale');
  if (locale && locale.trim()) return locale.trim();
  return { de: 'de-DE', en: 'en-US' }[harnessLanguage()] || harnessLanguage();
}

/** The rep's Salesforce time zone: ?tz=, else this browser's. */
export function harnessTimeZone() {
  return params().get('tz') || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The rep's email, from ?as= on the page URL; the demo's first user by default. */
export function harnessEmail() {
  const as = params().get('as');
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
