// The console: a hash router over pages, each given a fresh AbortSignal that ends its streams when it is left.
import { session } from './session.js';
import { api, admin } from './api.js';
import { h, showError } from './dom.js';
import { workflowsPage } from './pages/workflows.js';
import { workflowPage, deliveriesPage } from './pages/workflow.js';
import { uploadPage } from './pages/upload.js';
import { orgsPage, orgPage, providersPage, backlogPage } from './pages/admin.js';

const routes = [
  [/^#\/workflows$/, 'workflows', workflowsPage],
  [/^#\/workflows\/([^/]+)$/, 'workflows', workflowPage],
  [/^#\/workflows\/([^/]+)\/deliveries$/, 'workflows', deliveriesPage],
  [/^#\/upload$/, 'upload', uploadPage],
  [/^#\/admin\/orgs$/, 'orgs', orgsPage, true],
  [/^#\/admin\/orgs\/([^/]+)$/, 'orgs', orgPage, true],
  [/^#\/admin\/providers$/, 'providers', providersPage, true],
  [/^#\/admin\/backlog$/, 'backlog', backlogPage, true],
];

let current = null;

async function render() {
  if (current) current.abort();
  current = new AbortController();
  const signal = current.signal;
  showError('');
  const main = document.getElementById('main');
  chrome();
  if (!session.apiKey && !session.operatorToken) {
    main.replaceChildren(signInPage());
    focusHeading(main);
    return;
  }
  const hash = location.hash || (session.apiKey ? '#/workflows' : '#/admin/orgs');
  const route = routes.find(([pattern]) => pattern.test(hash));
  if (!route) {
    location.hash = session.apiKey ? '#/workflows' : '#/admin/orgs';
    return;
  }
  const [pattern, nav, page, operator] = route;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (operator ? !session.operatorToken : !session.apiKey) {
    main.replaceChildren(h('h1', { tabindex: '-1' }, 'Not available'),
      h('p', {}, operator ? 'Sign in with the operator token to see this page.' : 'Sign in with an API key to see this page.'));
    focusHeading(main);
    return;
  }
  const args = pattern.exec(hash).slice(1).map(decodeURIComponent);
  const view = h('div', { class: 'page' });
  main.replaceChildren(view);
  try {
    await page(view, signal, ...args);
  } catch (error) {
    if (!signal.aborted) showError(error.message);
  }
  if (!signal.aborted) focusHeading(main);
}

function focusHeading(main) {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    if (!main.contains(document.activeElement) || document.activeElement === document.body) heading.focus();
  }
}

function chrome() {
  const signedIn = Boolean(session.apiKey || session.operatorToken);
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  for (const item of document.querySelectorAll('#nav li')) {
    item.hidden = item.classList.contains('operator') ? !session.operatorToken : !session.apiKey;
  }
}

function signInPage() {
  const key = h('input', { type: 'password', id: 'api-key', name: 'api-key', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'api-key-hint' });
  const token = h('input', { type: 'password', id: 'operator-token', name: 'operator-token', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'operator-token-hint' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card', method: 'post', action: '#', 'aria-labelledby': 'sign-in-title' },
    h('div', { class: 'field' },
      h('label', { for: 'api-key' }, 'API key'),
      key,
      h('span', { class: 'hint', id: 'api-key-hint' }, 'A clapi_… key of your organisation. Kept in this tab only (sessionStorage).')),
    h('div', { class: 'field' },
      h('label', { for: 'operator-token' }, 'Operator token (optional)'),
      token,
      h('span', { class: 'hint', id: 'operator-token-hint' }, 'Opens the operator pages: organisations, credits, providers, webhook backlog.')),
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('');
    const apiKey = key.value.trim();
    const operatorToken = token.value.trim();
    if (!apiKey && !operatorToken) {
      showError('Enter an API key, an operator token, or both.');
      key.focus();
      return;
    }
    submit.disabled = true;
    try {
      session.signIn(apiKey, operatorToken);
      let who = [];
      if (apiKey) {
        const valid = await api.get('/auth/validate-key');
        who.push(`organisation ${valid.organization_id}`);
      }
      if (operatorToken) {
        await admin.get('/providers');
        who.push('operator');
      }
      document.getElementById('who-text').textContent = `Signed in: ${who.join(' · ')}`;
      sessionStorage.setItem('cascade.who', document.getElementById('who-text').textContent);
      location.hash = apiKey ? '#/workflows' : '#/admin/orgs';
      render();
    } catch (error) {
      session.signOut();
      showError(`Sign-in failed: ${error.message}`);
      submit.disabled = false;
      key.focus();
    }
  });
  return h('section', {},
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, 'The console talks to this gateway only, with your credentials in the Authorization header.'),
    form);
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  sessionStorage.removeItem('cascade.who');
  location.hash = '';
  render();
});
document.getElementById('who-text').textContent = sessionStorage.getItem('cascade.who') || '';
window.addEventListener('hashchange', render);
render();
