import { api, q } from '../api.js';
import { h, table, fmt, when, statusBadge, showError, announce, saveBlob } from '../dom.js';
import { progressWidget, watch } from '../progress.js';
import { isTerminal } from '../sse.js';

/** Downloads a workflow's results through the export endpoint (the key travels in a header, not the URL). */
export async function download(workflowId, format, signal) {
  const response = await api.raw('/enrich/results' + q({ workflow_id: workflowId, format }), { signal });
  saveBlob(await response.blob(), `${workflowId}.${format === 'csv' ? 'csv' : 'ndjson'}`);
}

function summary(wf) {
  const item = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, fmt(value)));
  return h('dl', { class: 'summary' },
    item('Status', wf.status), item('Type', wf.enrichment_type), item('Contacts', wf.total_prospects),
    item('Completed', wf.completed_prospects), item('Failed', wf.failed_prospects),
    item('Emails found', wf.emails_found), item('Phones found', wf.phones_found),
    item('Credits charged', wf.credits_charged), item('Started', when(wf.started_at)),
    item('Finished', when(wf.completed_at)));
}

/** Where each value came from: the provider behind the email, the phones and the prospect. */
function provenance(item) {
  const parts = [];
  const source = item.source || {};
  for (const [what, provider] of Object.entries(source)) parts.push(`${what}: ${provider}`);
  for (const phone of item.phones || []) {
    if (phone.source && !parts.includes(`phone: ${phone.source}`)) parts.push(`${phone.number}: ${phone.source}`);
  }
  return parts.length ? parts.join(', ') : '—';
}

function resultRows(items, onTrace) {
  return items.map((item) => [
    h('code', { title: item.task_id }, `${item.task_id.slice(0, 8)}…`),
    statusBadge(item.status),
    item.primary_email ? h('span', {}, item.primary_email, ' ', statusBadge(item.primary_email_status)) : '—',
    (item.personal_phone_numbers || []).join(', ') || '—',
    item.prospect ? fmt(item.prospect.full_name || [item.prospect.first_name, item.prospect.last_name].filter(Boolean).join(' ')) : '—',
    item.company ? fmt(item.company.name || item.company.domain) : '—',
    provenance(item),
    fmt(item.error || item.skipped_reason),
    h('button', { type: 'button', class: 'secondary', 'aria-label': `Trace of task ${item.task_id}`, onclick: () => onTrace(item.task_id) }, 'Trace'),
  ]);
}

export async function workflowPage(view, signal, workflowId) {
  let wf = (await api.get('/enrich/status' + q({ workflow_id: workflowId }), { signal })).workflow;
  const summaryBox = h('div', {}, summary(wf));
  const widget = progressWidget(wf, 'Workflow progress');
  const cancel = h('button', { type: 'button', class: 'danger', id: 'cancel', hidden: isTerminal(wf.status) }, 'Cancel workflow');
  const results = h('div', { id: 'results-box' });
  const trace = h('section', { 'aria-live': 'polite', id: 'trace' });
  const note = h('p', { class: 'hint', id: 'workflow-note' });
  view.append(
    h('h1', {}, 'Workflow ', h('code', {}, workflowId)),
    widget.el,
    h('div', { class: 'actions' },
      h('a', { href: `#/workflows/${encodeURIComponent(workflowId)}/deliveries` }, 'Webhook deliveries'),
      h('button', { type: 'button', class: 'secondary', onclick: () => download(workflowId, 'csv', signal).catch((e) => showError(e.message)) }, 'Download CSV'),
      h('button', { type: 'button', class: 'secondary', onclick: () => download(workflowId, 'ndjson', signal).catch((e) => showError(e.message)) }, 'Download NDJSON'),
      cancel),
    note,
    summaryBox,
    trace,
    h('h2', {}, 'Results'),
    h('p', { class: 'hint' }, 'Provenance names the provider that found each value; the trace shows every provider asked.'),
    results);

  async function showTrace(taskId) {
    const answer = await api.get('/enrich/status' + q({ task_id: taskId, include_trace: 'true' }), { signal });
    const steps = (answer.task && answer.task.trace) || answer.trace || [];
    trace.replaceChildren(
      h('h2', { tabindex: '-1', id: 'trace-title' }, 'Trace of task ', h('code', {}, taskId)),
      table('Providers asked, in the order they answered', ['Capability', 'Provider', 'Outcome', 'Took (ms)', 'Detail'],
        steps.map((s) => [fmt(s.capability), fmt(s.provider), statusBadge(s.outcome), fmt(s.latency_ms), fmt(s.detail)])));
    trace.querySelector('h2').focus();
  }

  async function loadResults() {
    const answer = await api.get('/enrich/status' + q({ workflow_id: workflowId, include_results: 'true' }), { signal });
    wf = answer.workflow;
    summaryBox.replaceChildren(summary(wf));
    widget.update(wf);
    cancel.hidden = isTerminal(wf.status);
    results.replaceChildren(table(`${(wf.results || []).length} result rows`,
      ['Task', 'Status', 'Email', 'Phones', 'Prospect', 'Company', 'Provenance', 'Error', ''],
      resultRows(wf.results || [], (id) => showTrace(id).catch((e) => showError(e.message))), { id: 'results' }));
  }

  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      const answer = await api.post('/enrich/cancel' + q({ workflow_id: workflowId }));
      note.textContent = `Cancel requested: ${answer.cancelled_tasks} unstarted tasks cancelled; status ${answer.status}.`;
      announce(note.textContent);
      await loadResults();
    } catch (error) {
      showError(error.message);
      cancel.disabled = false;
    }
  });

  await loadResults();
  if (!isTerminal(wf.status)) {
    watch(wf, widget, signal, { onWorkflow: (w) => summaryBox.replaceChildren(summary(w)) })
      .then(() => { if (!signal.aborted) return loadResults(); })
      .catch((e) => { if (!signal.aborted) showError(e.message); });
  }
}

export async function deliveriesPage(view, signal, workflowId) {
  const body = h('div', {});
  const note = h('p', { id: 'redeliver-note', role: 'status' });
  const redeliver = h('button', { type: 'button', id: 'redeliver' }, 'Redeliver the completed webhook');
  view.append(
    h('h1', {}, 'Webhook deliveries of ', h('code', {}, workflowId)),
    h('div', { class: 'actions' },
      h('a', { href: `#/workflows/${encodeURIComponent(workflowId)}` }, 'Back to the workflow'),
      h('button', { type: 'button', class: 'secondary', onclick: () => load().catch((e) => showError(e.message)) }, 'Refresh'),
      redeliver),
    note, body);

  let count = 0;
  async function load() {
    const attempts = [];
    let cursor = null;
    let url = null;
    do {
      const page = await api.get('/webhooks/deliveries' + q(cursor ? { workflow_id: workflowId, cursor } : { workflow_id: workflowId }), { signal });
      url = page.webhook_url;
      attempts.push(...page.deliveries);
      cursor = page.next_cursor;
    } while (cursor);
    count = attempts.length;
    body.replaceChildren(
      h('p', {}, 'Webhook URL: ', url ? h('code', {}, url) : 'none (this workflow has no webhook)'),
      table(`${attempts.length} delivery attempts, oldest first`,
        ['Event', 'Webhook id', 'Attempt', 'Status', 'HTTP', 'Error', 'Attempted', 'Took (ms)', 'Next attempt'],
        attempts.map((a) => [fmt(a.event), h('code', {}, fmt(a.webhook_id)), fmt(a.attempt), statusBadge(a.status),
          fmt(a.response_status_code), fmt(a.error), when(a.attempted_at), fmt(a.duration_ms), when(a.next_attempt_at)]),
        { id: 'deliveries' }));
    redeliver.disabled = !url;
    return attempts.length;
  }

  redeliver.addEventListener('click', async () => {
    redeliver.disabled = true;
    try {
      const before = count;
      const answer = await api.post('/webhooks/redeliver' + q({ workflow_id: workflowId }));
      note.textContent = `Redelivery of ${answer.webhook_id} queued (${answer.status}).`;
      for (let i = 0; i < 30 && !signal.aborted; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if ((await load()) > before) {
          note.textContent = `Redelivered: attempt ${count} recorded.`;
          break;
        }
      }
    } catch (error) {
      showError(error.message);
    } finally {
      redeliver.disabled = false;
    }
  });
  await load();
}
