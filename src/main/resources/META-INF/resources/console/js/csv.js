// CSV reading (RFC 4180: quoted cells, doubled quotes, CRLF or LF, a byte-order mark) and the mapping of a file's
// columns to the contract's contact fields.

export const CONTACT_FIELDS = ['first_name', 'last_name', 'company_domain', 'company_name', 'linkedin_url'];
export const BATCH = 250;

const ALIASES = {
  first_name: ['first_name', 'firstname', 'first', 'given_name', 'forename'],
  last_name: ['last_name', 'lastname', 'last', 'surname', 'family_name'],
  company_domain: ['company_domain', 'domain', 'website', 'company_website', 'url_domain'],
  company_name: ['company_name', 'company', 'organisation', 'organization', 'employer', 'account'],
  linkedin_url: ['linkedin_url', 'linkedin', 'linkedin_profile', 'profile_url', 'li_url'],
};

/** Rows of cells, each row with the line it starts on. */
export function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else { quoted = false; }
      } else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell); cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.length > 1 || row[0] !== '') rows.push({ line: rowLine, cells: row });
      row = [];
      line++;
      rowLine = line;
    } else {
      cell += c;
    }
  }
  if (quoted) throw new Error(`Line ${rowLine}: a quoted cell is not closed`);
  if (cell !== '' || row.length) {
    row.push(cell);
    if (row.length > 1 || row[0] !== '') rows.push({ line: rowLine, cells: row });
  }
  return rows;
}

const normalise = (name) => name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

/** The contact field each column most likely holds, or '' to leave it out. */
export function guessMapping(headers) {
  const taken = new Set();
  return headers.map((header) => {
    const name = normalise(header);
    for (const field of CONTACT_FIELDS) {
      if (!taken.has(field) && ALIASES[field].includes(name)) {
        taken.add(field);
        return field;
      }
    }
    return '';
  });
}

/**
 * Contacts from the data rows under a mapping (column index → field), and the rows refused with their line and
 * reason (the contract wants linkedin_url, or first and last name with a company domain or name).
 */
export function contacts(rows, mapping) {
  const good = [];
  const problems = [];
  for (const { line, cells } of rows) {
    const contact = {};
    mapping.forEach((field, i) => {
      const value = (cells[i] || '').trim();
      if (field && value) contact[field] = value;
    });
    const named = contact.first_name && contact.last_name && (contact.company_domain || contact.company_name);
    if (contact.linkedin_url || named) {
      good.push({ line, contact });
    } else {
      problems.push({ line, reason: 'needs linkedin_url, or first_name, last_name and company_domain or company_name' });
    }
  }
  return { good, problems };
}

/** A stable key for one batch of one file, so a resubmit is answered from the first submit (Idempotency-Key). */
export function batchKey(text, batch, settings) {
  return `console-${fnv(text + '\u0000' + settings)}-${batch}`;
}

function fnv(text) {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}
