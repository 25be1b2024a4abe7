// csv.js: the batch mode's file formats, with no DOM, so that Node tests it
// (csv_test.mjs). Input: CSV (RFC 4180: quoted fields, doubled quotes,
// newlines inside quotes; comma, semicolon or tab separated) or plain text
// with one item per line. Output: CSV of the scores.
//
// Reading costs time and memory in proportion to what it keeps: fields are
// cut out of the text with indexOf and substring (never built a character
// at a time), a file is read and parsed in chunks as it streams (readFile),
// and the limits below stop a file that is too large before it costs much.

/** MAX_ITEMS bounds one batch file: texts to score (rows of a CSV, lines of a text file). */
export const MAX_ITEMS = 20000;

/** MAX_FILE_BYTES bounds the size of one batch file (50 MiB). */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** MAX_COLUMNS bounds the fields of one CSV row. */
export const MAX_COLUMNS = 256;

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

/**
 * parseCSV splits CSV text into rows of fields, leaving out blank rows.
 * The separator is the one of , ; and tab that occurs most in the first
 * line outside quotes. Throws on an unterminated quoted field, saying on
 * which line it starts. It has no size limits; readTable and readFile do.
 */
export function parseCSV(text) {
  const reader = new TableReader('csv', { limits: false });
  reader.push(text);
  return reader.finish().rows;
}

/**
 * TableReader reads a CSV or text file pushed to it in pieces of any size
 * (a quoted field may span pieces) and gives the same table as reading the
 * whole text at once. Work and memory are linear in the text: a row that
 * spans many pieces is parsed again only each time the unparsed text has
 * doubled.
 */
export class TableReader {
  #kind;
  #limits;
  #pending = '';
  #waitFor = 0; // parse again once #pending is this long
  #started = false;
  #sep = null; // the separator, once the first line is in
  #line = 1; // the line #pending starts on
  #rows = [];

  /**
   * @param {'csv'|'txt'} kind
   * @param {{limits?: boolean}} [options] limits (default true): enforce MAX_ITEMS and MAX_COLUMNS as rows arrive
   */
  constructor(kind, { limits = true } = {}) {
    if (kind !== 'csv' && kind !== 'txt') throw new Error(`kind must be "csv" or "txt", got ${JSON.stringify(kind)}`);
    this.#kind = kind;
    this.#limits = limits;
  }

  /** push adds the next piece of the text. */
  push(piece) {
    if (!this.#started && piece !== '') {
      this.#started = true;
      if (piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1);
    }
    this.#pending += piece;
    if (this.#pending.length >= this.#waitFor) this.#parse(false);
  }

  /**
   * finish parses what is left and returns the table: {kind: "csv", rows}
   * (rows of fields, blank rows left out) or {kind: "txt", rows} (one
   * trimmed, non-empty line per row).
   */
  finish() {
    this.#parse(true);
    return { kind: this.#kind, rows: this.#rows };
  }

  #parse(final) {
    const text = this.#pending;
    let next;
    if (this.#kind === 'txt') {
      next = scanLines(text, final, (line) => this.#add([line]));
    } else {
      if (this.#sep === null) this.#sep = guessSeparator(text, final);
      if (this.#sep === null) {
        next = 0; // the first line is not complete yet
      } else {
        ({ next, line: this.#line } = scanRows(text, this.#sep, final, this.#line, (row) => {
          if (row.some((f) => f.trim() !== '')) this.#add(row);
        }));
      }
    }
    this.#pending = text.substring(next);
    this.#waitFor = 2 * this.#pending.length;
  }

  #add(row) {
    if (this.#limits) {
      // A CSV may have a header row on top of its items.
      const most = this.#kind === 'csv' ? MAX_ITEMS + 1 : MAX_ITEMS;
      if (this.#rows.length >= most) {
        throw new Error(`the file has more than ${most} ${this.#kind === 'csv' ? 'rows' : 'lines'}; ` +
          `one batch takes at most ${MAX_ITEMS} items. Split it into smaller files.`);
      }
      if (row.length > MAX_COLUMNS) {
        throw new Error(`row ${this.#rows.length + 1} has ${row.length} columns; batch mode reads at most ${MAX_COLUMNS}. ` +
          'Save the file with only the columns you need.');
      }
    }
    this.#rows.push(row);
  }
}

/**
 * scanRows parses the CSV rows of text with separator sep, calling onRow
 * for each complete one, and returns where the unparsed rest starts and
 * its line number. Unless final, a row is complete only when its line
 * break is in text (a CR at the very end may be half of a CRLF).
 */
function scanRows(text, sep, final, line, onRow) {
  const n = text.length;
  const sepCode = sep.charCodeAt(0);
  // The next separator, LF and CR at or after some position, found with
  // indexOf and remembered, so that each is searched for once per
  // occurrence; Infinity when there are no more.
  let nextSep = -1;
  let nextLF = -1;
  let nextCR = -1;
  const fieldEnd = (from) => {
    if (nextSep < from) nextSep = find(text, sep, from);
    if (nextLF < from) nextLF = find(text, '\n', from);
    if (nextCR < from) nextCR = find(text, '\r', from);
    return Math.min(nextSep, nextLF, nextCR, n);
  };
  const countLF = (from, to) => {
    if (nextLF < from) nextLF = find(text, '\n', from);
    while (nextLF < to) {
      line++;
      nextLF = find(text, '\n', nextLF + 1);
    }
  };

  let rowStart = 0;
  let rowLine = line;
  let row = [];
  let i = 0;
  for (;;) {
    if (i >= n && row.length === 0) return { next: final ? n : rowStart, line: final ? line : rowLine };
    let field;
    let end;
    if (text.charCodeAt(i) === QUOTE) {
      const startLine = line;
      let j = i + 1;
      let doubled = false;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0 || (q + 1 === n && !final)) {
          if (!final) return { next: rowStart, line: rowLine };
          throw new Error(`CSV: the quoted field that starts on line ${startLine} never ends`);
        }
        countLF(j, q);
        j = q + 1;
        if (text.charCodeAt(j) !== QUOTE) break;
        doubled = true;
        j++;
      }
      field = text.substring(i + 1, j - 1);
      if (doubled) field = field.replaceAll('""', '"');
      // Text after a closing quote (a malformed field) is kept as is.
      end = fieldEnd(j);
      if (end > j) field += text.substring(j, end);
    } else {
      end = fieldEnd(i);
      field = text.substring(i, end);
    }
    row.push(field);
    if (end >= n) {
      if (!final) return { next: rowStart, line: rowLine };
      onRow(row);
      return { next: n, line };
    }
    const c = text.charCodeAt(end);
    if (c === sepCode) {
      i = end + 1;
      continue;
    }
    if (c === CR && end + 1 === n && !final) return { next: rowStart, line: rowLine };
    i = end + (c === CR && text.charCodeAt(end + 1) === LF ? 2 : 1);
    line++;
    onRow(row);
    row = [];
    rowStart = i;
    rowLine = line;
  }
}

/**
 * scanLines calls onLine with each trimmed, non-empty line of text and
 * returns where the unparsed rest starts (see scanRows).
 */
function scanLines(text, final, onLine) {
  const n = text.length;
  let i = 0;
  let nextLF = -1;
  let nextCR = -1;
  while (i < n) {
    if (nextLF < i) nextLF = find(text, '\n', i);
    if (nextCR < i) nextCR = find(text, '\r', i);
    const end = Math.min(nextLF, nextCR);
    if (end >= n) {
      if (!final) return i;
      const last = text.substring(i).trim();
      if (last !== '') onLine(last);
      return n;
    }
    if (end + 1 === n && text.charCodeAt(end) === CR && !final) return i;
    const line = text.substring(i, end).trim();
    if (line !== '') onLine(line);
    i = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1);
  }
  return n;
}

/** find is text.indexOf(ch, from), or Infinity when ch does not occur. */
function find(text, ch, from) {
  const at = text.indexOf(ch, from);
  return at < 0 ? Infinity : at;
}

/**
 * guessSeparator counts , ; and tab in the first line outside quotes and
 * returns the most frequent (a comma on ties, and when there are none).
 * Unless final, it returns null while the first line is not complete.
 */
function guessSeparator(text, final) {
  let inQuotes = false;
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === LF || c === CR) break;
    else if (c === 44) comma++;
    else if (c === 59) semicolon++;
    else if (c === 9) tab++;
  }
  if (i === text.length && !final) return null;
  let best = ',';
  let most = comma;
  if (semicolon > most) [best, most] = [';', semicolon];
  if (tab > most) best = '\t';
  return best;
}

/**
 * readTable reads a whole file's text into a table (see TableReader.finish).
 * kind is "csv" or "txt". It throws when the text is over MAX_FILE_BYTES,
 * or has more than MAX_ITEMS items or MAX_COLUMNS columns.
 */
export function readTable(text, kind) {
  // A UTF-16 code unit is at least one byte of UTF-8.
  if (text.length > MAX_FILE_BYTES) throw new Error(tooLarge(text.length, 'more than '));
  const reader = new TableReader(kind);
  reader.push(text);
  return reader.finish();
}

/**
 * readFile reads a File (or Blob) into a table as it streams, in chunks,
 * so that a large file neither holds its whole text twice nor blocks the
 * page while it is parsed. onProgress(bytesRead, totalBytes) follows the
 * reading. It refuses a file over MAX_FILE_BYTES before reading any of it.
 */
export async function readFile(file, kind, { onProgress } = {}) {
  if (file.size > MAX_FILE_BYTES) throw new Error(tooLarge(file.size, ''));
  const table = new TableReader(kind);
  const decoder = new TextDecoder(); // UTF-8; drops a byte order mark
  const source = file.stream().getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await source.read();
      if (done) break;
      read += value.byteLength;
      if (read > MAX_FILE_BYTES) throw new Error(tooLarge(read, 'more than '));
      table.push(decoder.decode(value, { stream: true }));
      onProgress?.(read, file.size);
    }
  } catch (err) {
    source.cancel().catch(() => {});
    throw err;
  }
  table.push(decoder.decode());
  return table.finish();
}

function tooLarge(bytes, more) {
  const mb = (n) => (n / 1048576).toFixed(1);
  return `the file is ${more}${mb(bytes)} MB; batch mode reads files up to ${mb(MAX_FILE_BYTES)} MB. Split it into smaller files.`;
}

/** TEXT_COLUMNS are header names taken as the text column, in order of preference. */
const TEXT_COLUMNS = ['text', 'sentence', 'headline', 'title', 'body', 'content', 'message', 'tweet'];

/**
 * pickItems takes the items to score from a table (readTable, readFile).
 * For CSV, column names the text column (a header name or a 0-based index);
 * by default a column named like "text", else the column with the longest
 * values. Returns {items, columns, column, header}.
 */
export function pickItems(table, column) {
  const { rows } = table;
  if (table.kind === 'txt') {
    return { items: checkCount(rows.map((r) => r[0])), columns: [], column: null, header: false };
  }
  if (rows.length === 0) return { items: [], columns: [], column: null, header: false };
  let width = 0;
  for (const r of rows) width = Math.max(width, r.length);
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
  const items = [];
  for (const r of body) {
    const s = (r[index] ?? '').trim();
    if (s !== '') items.push(s);
  }
  return { items: checkCount(items), columns, column: columns[index], header };
}

/**
 * readItems turns a file's text into items to score: pickItems(readTable(text, kind), column).
 */
export function readItems(text, kind, column) {
  return pickItems(readTable(text, kind), column);
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
  if (items.length > MAX_ITEMS) throw new Error(`the file has ${items.length} items; one batch takes at most ${MAX_ITEMS}. Split it into smaller files.`);
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
 * quoted when they hold a quote, comma, semicolon, tab or line break (or
 * start with a byte order mark). Text
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
  // separator (as parseCSV and spreadsheets in many locales do) still sees
  // commas; and a leading byte order mark, which a reader drops at the
  // start of a file.
  return /[",;\t\r\n]|^\uFEFF/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
