// csv.js: the batch mode's file formats, with no DOM, so that Node tests it
// (csv_test.mjs). Input: CSV (RFC 4180: quoted fields, doubled quotes,
// newlines inside quotes; comma, semicolon or tab separated) or plain text
// with one item per line. Output: CSV of the scores.

/** MAX_ITEMS bounds one batch file. */
export const MAX_ITEMS = 20000;

/**
 * parseCSV splits CSV text into rows of fields. The separator is the one of
 * , ; and tab that occurs most in the first line outside quotes.
 * Throws on an unterminated quoted field, saying on which line it starts.
 */
export function parseCSV(text) {
  text = text.replace(/^\uFEFF/, '');
  const sep = guessSeparator(text);
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && field === '') {
      const startLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new Error(`CSV: the quoted field that starts on line ${startLine} never ends`);
        const q = text[i];
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        field += q;
        i++;
      }
      // Text after a closing quote (a malformed field) is kept as is.
      while (i < text.length && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      continue;
    }
    if (c === sep) {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

function guessSeparator(text) {
  let inQuotes = false;
  const counts = { ',': 0, ';': 0, '\t': 0 };
  for (const c of text) {
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) break;
    else if (!inQuotes && c in counts) counts[c]++;
  }
  let best = ',';
  for (const s of [';', '\t']) if (counts[s] > counts[best]) best = s;
  return best;
}

/** TEXT_COLUMNS are header names taken as the text column, in order of preference. */
const TEXT_COLUMNS = ['text', 'sentence', 'headline', 'title', 'body', 'content', 'message', 'tweet'];

/**
 * readItems turns a file's text into items to score.
 * kind is "csv" or "txt". For CSV, column names the text column (a header
 * name or a 0-based index); by default a column named like "text", else the
 * column with the longest values. Returns {items, columns, column, header}.
 */
export function readItems(text, kind, column) {
  if (kind === 'txt') {
    const items = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).map((s) => s.trim()).filter((s) => s !== '');
    return { items: checkCount(items), columns: [], column: null, header: false };
  }
  const rows = parseCSV(text);
  if (rows.length === 0) return { items: [], columns: [], column: null, header: false };
  const width = Math.max(...rows.map((r) => r.length));
  const first = rows[0];
  const header = first.some((f) => TEXT_COLUMNS.includes(f.trim().toLowerCase())) ||
    (rows.length > 1 && first.every((f) => f.trim() !== '' && f.length < 40 && !/[.!?]$/.test(f.trim())));
  const columns = header ? first.map((f, i) => f.trim() || `column ${i + 1}`) : Array.from({ length: width }, (_, i) => `column ${i + 1}`);
  const body = header ? rows.slice(1) : rows;
  let index;
  if (column !== undefined && column !== null && column !== '') {
    index = typeof column === 'number' ? column : columns.indexOf(column);
    if (index < 0 || index >= width) throw new Error(`CSV: there is no column ${JSON.stringify(column)}; the columns are ${columns.join(', ')}`);
  } else {
    index = columns.findIndex((c) => TEXT_COLUMNS.includes(c.toLowerCase()));
    if (index < 0) index = longestColumn(body, width);
  }
  const items = body.map((r) => (r[index] ?? '').trim()).filter((s) => s !== '');
  return { items: checkCount(items), columns, column: columns[index], header };
}

function longestColumn(rows, width) {
  let best = 0;
  let bestLen = -1;
  for (let c = 0; c < width; c++) {
    let len = 0;
    for (const r of rows) len += (r[c] ?? '').length;
    if (len > bestLen) {
      best = c;
      bestLen = len;
    }
  }
  return best;
}

function checkCount(items) {
  if (items.length > MAX_ITEMS) throw new Error(`the file has ${items.length} items; one batch takes at most ${MAX_ITEMS}`);
  return items;
}

/** RESULT_COLUMNS are the columns of the results CSV. */
export const RESULT_COLUMNS = ['item', 'text', 'label', 'signal', 'p_negative', 'p_neutral', 'p_positive',
  'risk_level', 'risk_score', 'risk_categories', 'sentences', 'summary', 'error'];

/** resultRow is one item's row of the results CSV. */
export function resultRow(index, text, report) {
  if (!report || report.error) {
    return [index + 1, text, '', '', '', '', '', '', '', '', '', '', report?.error ?? 'not scored'];
  }
  const s = report.sentiment;
  const num = (x) => x.toFixed(4);
  return [index + 1, text, s.label, num(s.signal), num(s.probs.negative), num(s.probs.neutral), num(s.probs.positive),
    report.risk.level, num(report.risk.score), report.risk.categories.map((c) => c.label).join('; '),
    report.sentences.length, report.summary, ''];
}

/**
 * formatCSV writes rows as CSV: comma separated, CRLF line ends, fields
 * quoted when they hold a quote, comma, semicolon, tab or line break. Text
 * fields that a spreadsheet would run as a formula (starting with = + - @
 * or a tab) get a leading apostrophe.
 */
export function formatCSV(rows) {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(v) {
  let s = typeof v === 'number' ? String(v) : String(v ?? '');
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  // Semicolons and tabs are quoted too, so that a reader that guesses the
  // separator (as parseCSV and spreadsheets in many locales do) still sees commas.
  return /[",;\t\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
