import { session } from './session.js';

const PUBLIC = '/api/v1/public';
const ADMIN = '/api/v1/admin';

/** An answer that was not 2xx, with the contract's error text. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(describe(status, detail));
    this.status = status;
    this.detail = detail;
  }
}

function describe(status, detail) {
  if (Array.isArray(detail)) {
    return `${status}: ` + detail.map((d) => `${(d.loc || []).join('.')}: ${d.msg}`).join('; ');
  }
  return `${status}: ${detail || 'request failed'}`;
}

async function call(base, credential, path, { method = 'GET', body, headers = {}, signal, raw = false } = {}) {
  if (!credential) throw new ApiError(401, 'Not signed in');
  const init = { method, signal, headers: { Authorization: `Bearer ${credential}`, ...headers }, cache: 'no-store' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(base + path, init);
  if (raw && response.ok) return response;
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) throw new ApiError(response.status, json && json.detail !== undefined ? json.detail : text);
  return json;
}

export const api = {
  get: (path, opts) => call(PUBLIC, session.apiKey, path, opts),
  post: (path, body, opts = {}) => call(PUBLIC, session.apiKey, path, { ...opts, method: 'POST', body }),
  raw: (path, opts = {}) => call(PUBLIC, session.apiKey, path, { ...opts, raw: true }),
};

export const admin = {
  get: (path, opts) => call(ADMIN, session.operatorToken, path, opts),
  post: (path, body, opts = {}) => call(ADMIN, session.operatorToken, path, { ...opts, method: 'POST', body }),
};

export const q = (params) => '?' + new URLSearchParams(params).toString();
