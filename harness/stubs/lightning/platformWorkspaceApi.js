// Harness stand-in for lightning/platformWorkspaceApi: a standard (non-console) app unless
// the page URL has ?console=1; openTab is recorded like a navigation.
import state from '../harness-state';
import { recordNavigation } from './navigation';

const isConsole = new URLSearchParams(window.location.search).get('console') === '1';

export class IsConsoleNavigation {
  constructor(callback) {
    this.callback = callback;
  }
  connect() {
    this.callback(isConsole);
  }
  disconnect() {}
  update() {}
}

export function openTab(options) {
  state.tabs.push(options);
  const pageReference = options.pageReference || {
    type: 'standard__recordPage',
    attributes: { recordId: options.recordId, actionName: 'view' },
  };
  recordNavigation(pageReference, 'openTab');
  return Promise.resolve(`tab-${state.tabs.length}`);
}
