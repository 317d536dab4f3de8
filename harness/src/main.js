// Entry of the browser harness: synthetic shadow first (so SLDS reaches inside components),
// then the real compiled utility component mounted in the mock utility panel.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import Switchboard from 'c/switchboard';
import { harnessLanguage } from '../stubs/harness-state';

document.documentElement.lang = harnessLanguage();

const element = createElement('c-switchboard', { is: Switchboard });
document.getElementById('harness-utility-body').appendChild(element);

document.getElementById('harness-toast-close').addEventListener('click', () => {
  document.getElementById('harness-toast').hidden = true;
});
document.getElementById('harness-utility-item').addEventListener('click', () => {
  const panel = document.getElementById('harness-utility-panel');
  panel.hidden = !panel.hidden;
});
document.getElementById('harness-user').textContent =
  new URLSearchParams(window.location.search).get('as') || 'ana.lopez@acme.example';
