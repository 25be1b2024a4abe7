// A seeded fuzz of csv.js under Node. Run by web's Go tests (a short, fixed
// run: TestModulesUnderNode) and by make fuzz for FUZZTIME:
//
//   FINSCORE_FUZZTIME=1m node --test web/csv_fuzz_test.mjs   (a Go duration, or 500x for 500 rounds)
//   FINSCORE_FUZZSEED=123 ...                                 (replays one run)
//
// Each round makes random CSV-like text (quotes, CR, LF, CRLF, byte order
// marks, empty fields, each separator, characters outside the BMP) and
// checks that: formatCSV then parseCSV gives the table back; parseCSV reads
// any text as the character-at-a-time reader it replaced did (the
// reference below), failing only on an open quote; TableReader gives the
// same table whatever pieces the text comes in; readItems fails only with
// its own messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCSV, readItems, formatCSV, TableReader } from './csv.js';

// Unset or empty: 400 rounds from seed 12345; with a FUZZTIME, a new seed each run.
const fuzztime = process.env.FINSCORE_FUZZTIME || '400x';
const budget = parseBudget(fuzztime);
const seed = Number(process.env.FINSCORE_FUZZSEED || (process.env.FINSCORE_FUZZTIME ? Date.now() % 1e9 : 12345));

/** parseBudget reads a Go duration ("1m30s", "500ms") or a round count ("400x"). */
function parseBudget(s) {
  const rounds = /^(\d+)x$/.exec(s);
  if (rounds) return { rounds: Number(rounds[1]), ms: Infinity };
  const unit = { h: 3600e3, m: 60e3, s: 1e3, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  let ms = 0;
  const rest = s.replace(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g, (_, n, u) => {
    ms += Number(n) * unit[u];
    return '';
  });
  if (rest !== '' || s === '') throw new Error(`FINSCORE_FUZZTIME=${JSON.stringify(s)} is neither a Go duration (1m, 30s) nor a round count (500x)`);
  return { rounds: Infinity, ms };
}

/** rng is a seeded PRNG (mulberry32): rng(n) is an integer in [0, n). */
function makeRng(seed) {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const PIECES = ['a', 'Z', '0', ' ', ',', ';', '\t', '"', '""', '\n', '\r', '\r\n', '\uFEFF', 'é', '€', '𝄞', '=', '-', '.'];

function randomText(rng, max) {
  let s = '';
  for (let i = rng(max); i > 0; i--) s += PIECES[rng(PIECES.length)];
  return s;
}

/** randomTable is rows of equal width whose fields formatCSV writes as they are. */
function randomTable(rng) {
  const width = 1 + rng(5);
  return Array.from({ length: 1 + rng(6) }, () => {
    const row = Array.from({ length: width }, () => {
      if (rng(4) === 0) return '';
      const s = randomText(rng, 10);
      // formatCSV puts an apostrophe before what a spreadsheet would run.
      return /^[=+\-@\t\r]/.test(s) ? `x${s}` : s;
    });
    // A row with nothing but blanks is skipped on reading, by design.
    if (row.every((f) => f.trim() === '')) row[0] = 'y';
    return row;
  });
}

/** inPieces feeds text to a TableReader in random pieces. */
function inPieces(rng, text, kind) {
  const reader = new TableReader(kind, { limits: false });
  for (let i = 0; i < text.length;) {
    const n = 1 + rng(rng(2) ? 4 : 40);
    reader.push(text.slice(i, i + n));
    i += n;
  }
  return reader.finish().rows;
}

function outcome(f) {
  try {
    return { value: f() };
  } catch (err) {
    return { error: err.message };
  }
}

test(`csv.js fuzz (seed ${seed}, ${fuzztime})`, () => {
  const rng = makeRng(seed);
  const started = performance.now();
  let round = 0;
  for (; round < budget.rounds && performance.now() - started < budget.ms; round++) {
    // A written table reads back as it was.
    const table = randomTable(rng);
    const csv = formatCSV(table);
    assert.deepEqual(parseCSV(csv), table, `seed ${seed} round ${round}: ${JSON.stringify(csv)}`);
    assert.deepEqual(inPieces(rng, csv, 'csv'), table, `seed ${seed} round ${round}, in pieces: ${JSON.stringify(csv)}`);

    // Any text reads as the reference reads it, whole or in pieces.
    const text = randomText(rng, 40);
    const want = outcome(() => referenceParseCSV(text));
    const got = outcome(() => parseCSV(text));
    assert.deepEqual(got, want, `seed ${seed} round ${round}: ${JSON.stringify(text)}`);
    if (got.error) assert.match(got.error, /^CSV: the quoted field that starts on line \d+ never ends$/);
    assert.deepEqual(outcome(() => inPieces(rng, text, 'csv')), want, `seed ${seed} round ${round}, in pieces: ${JSON.stringify(text)}`);
    assert.deepEqual(outcome(() => inPieces(rng, text, 'txt')).value,
      text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).map((s) => s.trim()).filter((s) => s !== '').map((s) => [s]));

    // readItems fails only with its own messages.
    const items = outcome(() => readItems(text, 'csv', rng(3) === 0 ? rng(3) : undefined));
    if (items.error) assert.match(items.error, /never ends|there is no column/, `seed ${seed} round ${round}: ${JSON.stringify(text)}`);
    else assert.ok(items.value.items.every((s) => typeof s === 'string' && s !== ''));
  }
  console.log(`csv.js fuzz: ${round} rounds, seed ${seed}`);
});

/**
 * referenceParseCSV is the reader csv.js had before it cut fields with
 * indexOf: one character at a time, slow on large files, and the
 * definition of what parseCSV reads.
 */
function referenceParseCSV(text) {
  text = text.replace(/^\uFEFF/, '');
  let inQuotes = false;
  const counts = { ',': 0, ';': 0, '\t': 0 };
  for (const c of text) {
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === '\n' || c === '\r')) break;
    else if (!inQuotes && c in counts) counts[c]++;
  }
  let sep = ',';
  for (const s of [';', '\t']) if (counts[s] > counts[sep]) sep = s;
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
