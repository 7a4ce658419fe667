import { admin, q } from '../api.js';
import { h, table, num, fmt, when, statusBadge, showError, announce } from '../dom.js';

/** Re-runs `load` every few seconds while the page is shown. */
function every(ms, signal, load) {
  const timer = setInterval(() => { load().catch((e) => showError(e.message)); }, ms);
  signal.addEventListener('abort', () => clearInterval(timer));
}

export async function orgsPage(view, signal) {
  const answer = await admin.get('/organizations', { signal });
  view.append(h('h1', {}, 'Organisations'),
    table(`${answer.organizations.length} organisations`,
      ['Name', 'Id', num('Credits'), num('Held'), num('Available'), 'Rate limit / min', 'Created'],
      answer.organizations.map((o) => [
        h('a', { href: `#/admin/orgs/${encodeURIComponent(o.id)}` }, o.name),
        h('code', {}, o.id), fmt(o.credits), fmt(o.credits_held), fmt(o.credits_available),
        fmt(o.requests_per_minute ?? 'default'), when(o.created_at)]),
      { id: 'organizations' }));
}

export async function orgPage(view, signal, orgId) {
  const base = `/organizations/${encodeURIComponent(orgId)}`;
  const org = await admin.get(base, { signal });
  const keysBox = h('div', {});
  const creditsBox = h('div', {});
  const ledgerBox = h('div', {});
  const amount = h('input', { type: 'number', id: 'top-up-amount', min: '1', step: '1', required: true });
  const reason = h('input', { type: 'text', id: 'top-up-reason', maxlength: '200' });
  const topUp = h('form', { class: 'card', method: 'post', action: '#', 'aria-labelledby': 'top-up-title' },
    h('h2', { id: 'top-up-title' }, 'Top up'),
    h('div', { class: 'field' }, h('label', { for: 'top-up-amount' }, 'Credits to add'), amount),
    h('div', { class: 'field' }, h('label', { for: 'top-up-reason' }, 'Reason (optional)'), reason),
    h('button', { type: 'submit' }, 'Add credits'));
  view.append(h('h1', {}, 'Organisation ', org.name),
    h('p', {}, h('a', { href: '#/admin/orgs' }, 'All organisations'), ' · id ', h('code', {}, org.id)),
    h('h2', {}, 'Credits'), creditsBox,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', id: 'refresh-credits',
      onclick: () => Promise.all([credits(), ledger()]).catch((e) => showError(e.message)) }, 'Refresh credits and ledger')),
    topUp,
    h('h2', {}, 'API keys'), keysBox,
    h('h2', {}, 'Credit ledger'), ledgerBox);

  async function credits() {
    const c = await admin.get(`${base}/credits`, { signal });
    const item = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, fmt(value)));
    creditsBox.replaceChildren(h('dl', { class: 'summary', id: 'credits' },
      item('Balance', c.balance), item('Held', c.held), item('Available', c.available)));
  }
  async function keys() {
    const k = await admin.get(`${base}/api-keys`, { signal });
    keysBox.replaceChildren(table(`${k.api_keys.length} key${k.api_keys.length === 1 ? '' : 's'} (secrets are never shown again)`,
      ['Name', 'Last 4', 'Status', 'Created', 'Expires'],
      k.api_keys.map((key) => [fmt(key.name), h('code', {}, `…${key.last4}`), statusBadge(key.status), when(key.created_at), when(key.expires_at)]),
      { id: 'keys' }));
  }
  async function ledger() {
    const entries = [];
    let cursor = null;
    let pages = 0;
    do {
      const page = await admin.get(`${base}/credits/ledger` + q(cursor ? { limit: 500, cursor } : { limit: 500 }), { signal });
      entries.push(...page.entries);
      cursor = page.next_cursor;
    } while (cursor && ++pages < 10);
    const shown = entries.slice(-200).reverse();
    ledgerBox.replaceChildren(table(`Latest ${shown.length} of ${entries.length}${cursor ? '+' : ''} entries, newest first`,
      ['When', 'Kind', num('Amount'), 'Workflow', 'Reason'],
      shown.map((e) => [when(e.created_at), fmt(e.kind), fmt(e.amount), e.workflow_id ? h('code', {}, e.workflow_id) : '—', fmt(e.reason)]),
      { id: 'ledger' }));
  }
  topUp.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const body = { amount: Number(amount.value) };
      if (reason.value.trim()) body.reason = reason.value.trim();
      await admin.post(`${base}/credits/top-ups`, body);
      announce(`${amount.value} credits added.`);
      amount.value = '';
      reason.value = '';
      await Promise.all([credits(), ledger()]);
    } catch (error) {
      showError(error.message);
    }
  });
  await Promise.all([credits(), keys(), ledger()]);
}

export async function providersPage(view, signal) {
  const box = h('div', {});
  view.append(h('h1', {}, 'Providers'),
    h('p', { class: 'hint' }, 'Circuit state, counters and latency of this gateway instance since it started; refreshed every 5 s.'),
    box);
  async function load() {
    const answer = await admin.get('/providers', { signal });
    box.replaceChildren(table(`${answer.providers.length} providers`,
      ['Provider', 'Capabilities', 'Enabled', 'Circuit', num('Calls'), num('Hit rate'), num('Errors'), num('Skipped'), num('Mean ms'), num('Max ms'), ''],
      answer.providers.map((p) => {
        const c = p.counters || {};
        const answered = (c.hit || 0) + (c.miss || 0) + (c.error || 0);
        const rate = answered ? `${Math.round(((c.hit || 0) * 1000) / answered) / 10} %` : '—';
        const latency = p.latency || {};
        const reset = p.circuit_state !== 'closed' && p.circuit_state !== 'none'
          ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Reset the circuit of ${p.name}`, onclick: async () => {
            try { await admin.post(`/providers/${encodeURIComponent(p.name)}/circuit/reset`); await load(); } catch (e) { showError(e.message); }
          } }, 'Reset circuit')
          : '';
        return [h('strong', {}, p.name), (p.capabilities || []).join(', '), p.enabled ? 'yes' : `no (${p.disabled_reason})`,
          statusBadge(p.circuit_state), fmt(latency.calls ?? answered), rate, fmt(c.error), fmt(c.skipped),
          fmt(latency.mean_ms), fmt(latency.max_ms), reset];
      }), { id: 'providers' }));
  }
  await load();
  every(5000, signal, load);
}

export async function backlogPage(view, signal) {
  const box = h('div', {});
  view.append(h('h1', {}, 'Webhook backlog'),
    h('p', { class: 'hint' }, 'Events waiting to be delivered, read from the outbox (all replicas); refreshed every 5 s.'),
    box);
  async function load() {
    const b = await admin.get('/webhooks/backlog', { signal });
    const item = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, fmt(value)));
    box.replaceChildren(
      h('dl', { class: 'summary', id: 'backlog-totals' },
        item('Due now', b.totals.due), item('Scheduled retries', b.totals.scheduled), item('In flight', b.totals.in_flight)),
      table('Organisations with open events', ['Organisation', num('Due'), num('Scheduled'), num('In flight')],
        b.organizations.map((o) => [h('a', { href: `#/admin/orgs/${encodeURIComponent(o.organization_id)}` }, fmt(o.name)), fmt(o.due), fmt(o.scheduled), fmt(o.in_flight)]),
        { id: 'backlog-orgs' }),
      table('Oldest open events', ['Webhook id', 'Workflow', 'Event', 'Status', num('Attempts'), 'Next attempt', 'Created'],
        b.oldest.map((e) => [h('code', {}, e.webhook_id), h('code', {}, e.workflow_id), fmt(e.event_type), statusBadge(e.status), fmt(e.attempts), when(e.next_attempt_at), when(e.created_at)]),
        { id: 'backlog-events' }));
  }
  await load();
  every(5000, signal, load);
}
