// Tests of csv.js under Node: node --test web/csv_test.mjs (run by web's Go tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCSV, readItems, formatCSV, resultRow, RESULT_COLUMNS, MAX_ITEMS } from './csv.js';

test('parseCSV reads quotes, doubled quotes, newlines in quotes and CRLF', () => {
  const rows = parseCSV('id,text\r\n1,"Profit fell, sharply"\r\n2,"He said ""sell"""\n3,"two\nlines"\n');
  assert.deepEqual(rows, [['id', 'text'], ['1', 'Profit fell, sharply'], ['2', 'He said "sell"'], ['3', 'two\nlines']]);
});

test('parseCSV guesses ; and tab separators and skips blank lines', () => {
  assert.deepEqual(parseCSV('a;b\n1;"x;y"\n\n'), [['a', 'b'], ['1', 'x;y']]);
  assert.deepEqual(parseCSV('a\tb\n1\t2'), [['a', 'b'], ['1', '2']]);
  assert.deepEqual(parseCSV('\uFEFFtext\nhello'), [['text'], ['hello']]);
});

test('parseCSV reports an unterminated quote with its line', () => {
  assert.throws(() => parseCSV('text\nok\n"never closed\nmore'), /line 3 never ends/);
});

test('readItems picks the text column by name, else the longest', () => {
  const named = readItems('id,Text,source\n1,Shares rose after earnings.,wire\n2,Bank cut its outlook.,wire\n', 'csv');
  assert.equal(named.column, 'Text');
  assert.deepEqual(named.items, ['Shares rose after earnings.', 'Bank cut its outlook.']);

  const unnamed = readItems('1,Shares rose after the company beat estimates.,x\n2,Debt rose.,y\n', 'csv');
  assert.equal(unnamed.header, false);
  assert.equal(unnamed.column, 'column 2');
  assert.equal(unnamed.items.length, 2);

  const chosen = readItems('a,b\nfirst,second\n', 'csv', 'a');
  assert.deepEqual(chosen.items, ['first']);
  assert.throws(() => readItems('a,b\nx,y\n', 'csv', 'c'), /no column "c"; the columns are a, b/);
});

test('readItems reads text files line by line', () => {
  const r = readItems('Shares rose.\r\n\r\n  Bank cut its outlook.  \nlast', 'txt');
  assert.deepEqual(r.items, ['Shares rose.', 'Bank cut its outlook.', 'last']);
  assert.throws(() => readItems('x\n'.repeat(MAX_ITEMS + 1), 'txt'), /at most/);
});

test('formatCSV quotes when needed and defuses spreadsheet formulas', () => {
  const csv = formatCSV([['a', 'b'], ['x,y', 'say "hi"'], ['=HYPERLINK("http://evil")', '-0.5'], ['@SUM(A1)', 3]]);
  assert.equal(csv, 'a,b\r\n"x,y","say ""hi"""\r\n"\'=HYPERLINK(""http://evil"")",-0.5\r\n\'@SUM(A1),3\r\n');
  // It reads back as written.
  assert.deepEqual(parseCSV(csv)[1], ['x,y', 'say "hi"']);
});

test('resultRow has one field per column, for reports and for errors', () => {
  const report = {
    sentiment: { label: 'negative', signal: -0.5, probs: { negative: 0.6, neutral: 0.3, positive: 0.1 } },
    risk: { level: 'high', score: 0.9, categories: [{ label: 'Credit & default' }, { label: 'Liquidity' }] },
    sentences: [{}, {}],
    summary: 'Bearish.',
  };
  const row = resultRow(0, 'text', report);
  assert.equal(row.length, RESULT_COLUMNS.length);
  assert.deepEqual(row.slice(0, 4), [1, 'text', 'negative', '-0.5000']);
  assert.equal(row[RESULT_COLUMNS.indexOf('risk_categories')], 'Credit & default; Liquidity');
  const bad = resultRow(4, 'x', { error: 'text is not valid UTF-8' });
  assert.equal(bad.length, RESULT_COLUMNS.length);
  assert.equal(bad.at(-1), 'text is not valid UTF-8');
});

test('random tables survive formatCSV then parseCSV (a seeded fuzz)', () => {
  let seed = 12345;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = ['a', 'Z', '0', ' ', ',', ';', '\t', '"', '\n', '\r\n', 'é', '€', '𝄞', '<', '>'];
  for (let trial = 0; trial < 500; trial++) {
    const width = 1 + rand(4);
    const rows = Array.from({ length: 1 + rand(5) }, () => Array.from({ length: width }, () => {
      let s = 'x'; // non-empty, not starting with a formula character
      for (let i = rand(12); i > 0; i--) s += alphabet[rand(alphabet.length)];
      return s;
    }));
    const csv = formatCSV(rows);
    const back = parseCSV(csv);
    assert.deepEqual(back, rows, `trial ${trial}: ${JSON.stringify(csv)}`);
  }
});

test('parseCSV never throws on random text except for an open quote', () => {
  let seed = 99;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = ['a', ',', ';', '"', '\n', '\r', '\t', ' ', '\uFEFF'];
  for (let trial = 0; trial < 2000; trial++) {
    let s = '';
    for (let i = rand(30); i > 0; i--) s += alphabet[rand(alphabet.length)];
    try {
      const rows = parseCSV(s);
      assert.ok(Array.isArray(rows) && rows.every((r) => r.every((f) => typeof f === 'string')));
    } catch (err) {
      assert.match(err.message, /never ends/, JSON.stringify(s));
    }
  }
});
