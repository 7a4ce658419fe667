import { api } from '../api.js';
import { h, table, showError, announce, saveBlob } from '../dom.js';
import { parseCsv, guessMapping, contacts, batchKey, CONTACT_FIELDS, BATCH } from '../csv.js';
import { progressWidget, watch } from '../progress.js';

const TYPES = ['partial', 'full', 'phone_only', 'none', 'prospecting_only'];

export async function uploadPage(view, signal) {
  const file = h('input', { type: 'file', id: 'csv-file', accept: '.csv,text/csv', 'aria-describedby': 'csv-hint' });
  const mappingBox = h('div', { id: 'mapping-box' });
  const problemsBox = h('div', { id: 'problems-box' });
  const type = h('select', { id: 'enrichment-type' }, TYPES.map((t) => h('option', { value: t }, t)));
  const webhook = h('input', { type: 'url', id: 'webhook-url', placeholder: 'https://…', 'aria-describedby': 'webhook-hint' });
  const submit = h('button', { type: 'submit', id: 'submit-csv', disabled: true }, 'Submit');
  const runs = h('section', { id: 'runs', 'aria-labelledby': 'runs-title' });
  const form = h('form', { class: 'card', method: 'post', action: '#' },
    h('div', { class: 'field' },
      h('label', { for: 'csv-file' }, 'CSV file'),
      file,
      h('span', { class: 'hint', id: 'csv-hint' }, 'A header row, then one contact per row. Read in this browser; only the mapped columns are sent.')),
    mappingBox,
    problemsBox,
    h('div', { class: 'field' }, h('label', { for: 'enrichment-type' }, 'Enrichment type'), type),
    h('div', { class: 'field' },
      h('label', { for: 'webhook-url' }, 'Webhook URL (optional)'),
      webhook,
      h('span', { class: 'hint', id: 'webhook-hint' }, 'Receives one enrichment.completed event per batch.')),
    submit);
  view.append(h('h1', {}, 'Upload a CSV to enrich'), form, runs);

  let text = null;
  let rows = [];
  let headers = [];
  let mapping = [];

  function refresh() {
    const { good, problems } = contacts(rows, mapping);
    const batches = Math.ceil(good.length / BATCH);
    submit.textContent = good.length
      ? `Submit ${good.length} contacts in ${batches} batch${batches === 1 ? '' : 'es'}`
      : 'Submit';
    submit.disabled = good.length === 0;
    problemsBox.replaceChildren(problems.length
      ? h('div', {}, h('p', {}, `${problems.length} row${problems.length === 1 ? '' : 's'} will be left out:`),
        h('ul', { class: 'problems', id: 'problems' }, problems.slice(0, 50).map((p) => h('li', {}, `Line ${p.line}: ${p.reason}`))))
      : '');
    return good;
  }

  file.addEventListener('change', async () => {
    showError('');
    mappingBox.replaceChildren();
    const chosen = file.files[0];
    if (!chosen) return;
    try {
      text = await chosen.text();
      const parsed = parseCsv(text);
      if (parsed.length < 2) throw new Error('The file needs a header row and at least one contact.');
      headers = parsed[0].cells;
      rows = parsed.slice(1);
      mapping = guessMapping(headers);
    } catch (error) {
      showError(`Cannot read ${chosen.name}: ${error.message}`);
      rows = [];
      refresh();
      return;
    }
    const unknown = headers.filter((_, i) => !mapping[i]);
    mappingBox.replaceChildren(
      h('p', {}, `${rows.length} rows read. Map each column to a contact field.`,
        unknown.length ? ` Not recognised: ${unknown.join(', ')} (left out unless you map them).` : ''),
      table('Column mapping', ['CSV column', 'Contact field'], headers.map((header, i) => {
        const id = `map-${i}`;
        const select = h('select', { id, 'aria-label': `Field for column ${header}` },
          h('option', { value: '' }, '(leave out)'),
          CONTACT_FIELDS.map((f) => h('option', { value: f, selected: mapping[i] === f ? 'selected' : null }, f)));
        select.addEventListener('change', () => { mapping[i] = select.value; refresh(); });
        return [h('label', { for: id }, header), select];
      }), { class: 'mapping' }));
    refresh();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('');
    const good = refresh();
    if (!good.length) return;
    submit.disabled = true;
    const settings = JSON.stringify([type.value, webhook.value.trim(), mapping]);
    const list = h('ol', {});
    const all = [];
    const downloadAll = h('button', { type: 'button', class: 'secondary', id: 'download-all', disabled: true }, 'Download all results (CSV)');
    const title = h('h2', { id: 'runs-title', tabindex: '-1' }, 'Batches');
    runs.replaceChildren(title, list, h('div', { class: 'actions' }, downloadAll));
    title.focus();
    title.scrollIntoView({ block: 'start' });
    const watches = [];
    for (let start = 0, batch = 0; start < good.length; start += BATCH, batch++) {
      const chunk = good.slice(start, start + BATCH);
      const body = { contacts: chunk.map((c) => c.contact), enrichment_type: type.value };
      if (webhook.value.trim()) body.webhook_url = webhook.value.trim();
      const item = h('li', {}, `Batch ${batch + 1} (lines ${chunk[0].line}–${chunk[chunk.length - 1].line}): submitting…`);
      list.append(item);
      try {
        const answer = await api.post('/enrich/bulk', body, { headers: { 'Idempotency-Key': batchKey(text, batch, settings) } });
        const wf = { workflow_id: answer.workflow_id, status: 'pending', total_prospects: chunk.length };
        const widget = progressWidget(wf, `Progress of batch ${batch + 1}`);
        all.push(answer.workflow_id);
        item.replaceChildren(`Batch ${batch + 1}: `,
          h('a', { href: `#/workflows/${encodeURIComponent(answer.workflow_id)}` }, answer.workflow_id), widget.el);
        watches.push(watch(wf, widget, signal));
      } catch (error) {
        item.textContent = `Batch ${batch + 1} refused: ${error.message}`;
        showError(`Batch ${batch + 1} refused: ${error.message}`);
      }
    }
    announce(`${all.length} batches submitted.`);
    submit.disabled = false;
    downloadAll.addEventListener('click', async () => {
      try {
        const parts = [];
        for (const [i, id] of all.entries()) {
          const csv = await (await api.raw(`/enrich/results?workflow_id=${encodeURIComponent(id)}&format=csv`, { signal })).text();
          parts.push(i === 0 ? csv : csv.slice(csv.indexOf('\n') + 1));
        }
        saveBlob(new Blob(parts, { type: 'text/csv' }), 'results.csv');
      } catch (error) {
        showError(error.message);
      }
    });
    await Promise.allSettled(watches);
    if (!signal.aborted) {
      downloadAll.disabled = all.length === 0;
      announce('Every batch has finished.');
    }
  });
}
