// The progress stream (GET /enrich/stream, Server-Sent Events) read with fetch(), because an EventSource cannot
// send the Authorization header. Parses the event-stream format, resumes with Last-Event-ID after a cut, and stops
// after the terminal `workflow` event (or a 204: nothing left).
import { session } from './session.js';

const TERMINAL = new Set(['completed', 'completed_with_errors', 'failed']);

export function isTerminal(status) {
  return TERMINAL.has(status);
}

/**
 * Follows a workflow until it is terminal or `signal` aborts. `onEvent(type, data)` gets each `workflow` and `task`
 * event's parsed JSON.
 */
export async function follow(workflowId, onEvent, signal) {
  let lastId = null;
  let retryMs = 2000;
  for (let tries = 0; !signal.aborted; tries++) {
    const headers = { Authorization: `Bearer ${session.apiKey}`, Accept: 'text/event-stream' };
    if (lastId) headers['Last-Event-ID'] = lastId;
    let finished = false;
    try {
      const response = await fetch(`/api/v1/public/enrich/stream?workflow_id=${encodeURIComponent(workflowId)}`,
        { headers, signal, cache: 'no-store' });
      if (response.status === 204) return;
      if (response.status === 429) {
        retryMs = Number(response.headers.get('Retry-After') || 5) * 1000;
      } else if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(`${response.status}: ${body.detail || 'stream refused'}`);
      } else {
        tries = 0;
        finished = await read(response.body, (event) => {
          if (event.id) lastId = event.id;
          if (event.retry) retryMs = event.retry;
          if (!event.type || !event.data) return false;
          const data = JSON.parse(event.data);
          onEvent(event.type, data);
          return event.type === 'workflow' && isTerminal(data.status);
        });
      }
    } catch (error) {
      if (signal.aborted) return;
      if (tries > 20 || /^4\d\d:/.test(error.message)) throw error;
    }
    if (finished) return;
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

/** Reads events from a byte stream; true once `handle` says the last one was terminal. */
async function read(body, handle) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { type: null, data: null, id: null, retry: null };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      buffer += value;
      let newline;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (handle(event)) return true;
          event = { type: null, data: null, id: null, retry: null };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event.type = value;
        else if (field === 'data') event.data = event.data === null ? value : `${event.data}\n${value}`;
        else if (field === 'id') event.id = value;
        else if (field === 'retry' && /^\d+$/.test(value)) event.retry = Number(value);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
