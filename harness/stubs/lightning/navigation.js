// Harness stand-in for lightning/navigation: records each navigation in
// window.__switchboard.navigations and shows "Navigated to …" on the page.
import state, { describePageReference, showBanner } from '../harness-state';

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

export function recordNavigation(pageReference, via) {
  const entry = { pageReference, via, at: new Date().toISOString() };
  state.navigations.push(entry);
  showBanner(`Navigated to ${describePageReference(pageReference)}`);
  return entry;
}

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference) {
      recordNavigation(pageReference, 'navigate');
    }
    [GenerateUrl](pageReference) {
      return Promise.resolve(`#${describePageReference(pageReference)}`);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

export class CurrentPageReference {
  constructor(callback) {
    this.callback = callback;
  }
  connect() {
    this.callback({ type: 'standard__namedPage', attributes: { pageName: 'home' } });
  }
  disconnect() {}
  update() {}
}
