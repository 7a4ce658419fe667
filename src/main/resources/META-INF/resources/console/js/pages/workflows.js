import { api, q } from '../api.js';
import { h, table, num, fmt, when } from '../dom.js';
import { progressWidget, watch } from '../progress.js';
import { isTerminal } from '../sse.js';

/** At most this many workflows of the list are followed live at once (a key may hold 10 streams). */
const LIVE = 4;

export async function workflowsPage(view, signal) {
  const heading = h('h1', {}, 'Workflows');
  const body = h('div', {});
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load older workflows');
  view.append(heading,
    h('div', { class: 'actions' },
      h('a', { href: '#/upload' }, 'Upload a CSV to enrich'),
      h('button', { type: 'button', class: 'secondary', onclick: () => window.dispatchEvent(new HashChangeEvent('hashchange')) }, 'Refresh')),
    body, more);
  const rows = [];
  let live = 0;
  let cursor = null;

  async function load() {
    const page = await api.get('/enrich/workflows' + q(cursor ? { limit: 25, cursor } : { limit: 25 }), { signal });
    for (const wf of page.workflows) {
      const widget = progressWidget(wf);
      rows.push([
        h('a', { href: `#/workflows/${encodeURIComponent(wf.workflow_id)}` }, wf.workflow_id),
        fmt(wf.enrichment_type),
        widget.el,
        fmt(wf.credits_charged),
        when(wf.started_at),
      ]);
      if (!isTerminal(wf.status) && live < LIVE) {
        live++;
        watch(wf, widget, signal).catch(() => {});
      }
    }
    cursor = page.next_cursor || null;
    more.hidden = !cursor;
    body.replaceChildren(table('Your organisation’s workflows, newest first',
      ['Workflow', 'Type', 'Progress and status', num('Credits'), 'Started'], rows, { id: 'workflows' }));
  }
  more.addEventListener('click', () => load().catch(() => {}));
  await load();
}
