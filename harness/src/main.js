// Entry of the browser harness: synthetic shadow first (so SLDS reaches inside components),
// then the real compiled utility component mounted in the mock utility panel; with ?page=setup
// also the Switchboard Setup page (c/switchboardSetup) as the app page, as on its Lightning tab.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import Switchboard from 'c/switchboard';
import SwitchboardSetup from 'c/switchboardSetup';
import { harnessLanguage } from '../stubs/harness-state';

document.documentElement.lang = harnessLanguage();

const element = createElement('c-switchboard', { is: Switchboard });
document.getElementById('harness-utility-body').appendChild(element);

if (new URLSearchParams(window.location.search).get('page') === 'setup') {
  // The Setup tab fills the page; the utility stays in the bar, closed.
  const main = document.querySelector('main');
  main.replaceChildren(createElement('c-switchboard-setup', { is: SwitchboardSetup }));
  document.getElementById('harness-utility-panel').hidden = true;
}

document.getElementById('harness-toast-close').addEventListener('click', () => {
  document.getElementById('harness-toast').hidden = true;
});
document.getElementById('harness-utility-item').addEventListener('click', () => {
  const panel = document.getElementById('harness-utility-panel');
  panel.hidden = !panel.hidden;
});
document.getElementById('harness-user').textContent =
  new URLSearchParams(window.location.search).get('as') || 'ana.lopez@acme.example';
