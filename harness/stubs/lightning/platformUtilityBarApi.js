// Harness stand-in for lightning/platformUtilityBarApi: drives the page's mock utility bar
// (label, highlight, open panel) and records each call in window.__switchboard.utility.
import state from '../harness-state';

const UTILITY_ID = 'harness-utility';

export class EnclosingUtilityId {
  constructor(callback) {
    this.callback = callback;
  }
  connect() {
    this.callback(UTILITY_ID);
  }
  disconnect() {}
  update() {}
}

function item() {
  return document.getElementById('harness-utility-item');
}

export function open(utilityId, options) {
  state.utility.push({ method: 'open', utilityId, options });
  document.getElementById('harness-utility-panel')?.removeAttribute('hidden');
  item()?.classList.add('slds-is-active');
  return Promise.resolve(true);
}

export function minimize(utilityId) {
  state.utility.push({ method: 'minimize', utilityId });
  document.getElementById('harness-utility-panel')?.setAttribute('hidden', '');
  item()?.classList.remove('slds-is-active');
  return Promise.resolve(true);
}

export function updateUtility(utilityId, values) {
  state.utility.push({ method: 'updateUtility', utilityId, values });
  const button = item();
  if (button) {
    if (values.label !== undefined)
      button.querySelector('[data-id="utility-label"]').textContent = values.label;
    if (values.highlighted !== undefined)
      button.classList.toggle('harness-utility_highlighted', values.highlighted);
  }
  return Promise.resolve(true);
}

export function getInfo() {
  return Promise.resolve({ utilityVisible: true, utilityLabel: 'Switchboard' });
}
