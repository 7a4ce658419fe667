// A workflow's progress: a <progress> bar with its numbers, kept live from the progress stream.
import { h, announce, statusBadge } from './dom.js';
import { follow, isTerminal } from './sse.js';

export function settledOf(workflow) {
  return (workflow.completed_prospects || 0) + (workflow.failed_prospects || 0);
}

export function percentOf(settled, total) {
  if (!total) return 100;
  return Math.min(100, Math.floor((settled * 100) / total));
}

/** A progress widget for one workflow; `update(workflow, settled)` redraws it. */
export function progressWidget(workflow, label) {
  const bar = h('progress', { max: 100, value: 0, 'aria-label': label || `Progress of ${workflow.workflow_id}` });
  const text = h('span', { class: 'progress-text' });
  const badge = h('span', {});
  const el = h('div', { class: 'progress', 'data-workflow': workflow.workflow_id }, bar, text, badge);
  let lastMilestone = -1;
  function update(wf, settledSeen = 0) {
    const total = wf.total_prospects || 0;
    const settled = Math.max(settledOf(wf), settledSeen);
    const percent = isTerminal(wf.status) ? 100 : percentOf(settled, total);
    bar.value = percent;
    bar.setAttribute('aria-valuetext', `${percent} %`);
    text.textContent = `${percent} % · ${Math.min(settled, total)}/${total} settled · ${wf.emails_found || 0} emails · ${wf.phones_found || 0} phones`;
    badge.replaceChildren(statusBadge(wf.status));
    el.dataset.percent = String(percent);
    el.dataset.status = wf.status;
    const milestone = isTerminal(wf.status) ? 4 : Math.floor(percent / 25);
    if (milestone !== lastMilestone && lastMilestone !== -1) {
      announce(isTerminal(wf.status)
        ? `Workflow ${wf.workflow_id} ${wf.status.replaceAll('_', ' ')}: ${settled} of ${total} settled.`
        : `Workflow ${wf.workflow_id}: ${percent} % settled.`);
    }
    lastMilestone = milestone;
  }
  update(workflow);
  return { el, update };
}

/**
 * Keeps a widget live from the stream until the workflow is terminal or the page is left; `onTask` gets each
 * result item, `onWorkflow` each workflow event.
 */
export async function watch(workflow, widget, signal, { onTask, onWorkflow } = {}) {
  if (isTerminal(workflow.status)) return;
  const seen = new Set();
  let latest = workflow;
  await follow(workflow.workflow_id, (type, data) => {
    if (type === 'workflow') {
      latest = data;
      if (onWorkflow) onWorkflow(data);
    } else if (type === 'task') {
      if (data.status !== 'pending' && data.status !== 'running') seen.add(data.task_id);
      if (onTask) onTask(data);
    }
    widget.update(latest, seen.size);
  }, signal);
}
