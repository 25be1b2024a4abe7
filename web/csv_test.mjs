// Tests of csv.js under Node: node --test web/csv_test.mjs (run by web's Go
// tests, TestModulesUnderNode). The random round trips are in
// csv_fuzz_test.mjs, which make fuzz runs for longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  parseCSV, readItems, readTable, readFile, pickItems, TableReader, formatCSV, resultRow,
  RESULT_COLUMNS, MAX_ITEMS, MAX_FILE_BYTES, MAX_COLUMNS,
} from './csv.js';

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

test('parseCSV keeps its edge cases: quotes only open a field, text after a closing quote, lone CR, a separator at the end', () => {
  assert.deepEqual(parseCSV('a,b"c,"d"e,""\r1,"",2\rx,'), [['a', 'b"c', 'de', ''], ['1', '', '2'], ['x', '']]);
  assert.deepEqual(parseCSV('"a""""b",c\n"""",d'), [['a""b', 'c'], ['"', 'd']]);
  // The line of an open quote counts CRLF once and newlines inside quotes.
  assert.throws(() => parseCSV('a\r\n"x\ny"\r\n\r\nb,"open\n'), /starts on line 5 never ends/);
  // The separator is guessed outside quotes.
  assert.deepEqual(parseCSV('"a;b;c",d\n1,2'), [['a;b;c', 'd'], ['1', '2']]);
  assert.deepEqual(parseCSV(''), []);
  assert.deepEqual(parseCSV('\n\r\n ,  \n'), []);
});

test('TableReader gives the same table whatever the pieces', () => {
  const text = '\uFEFFid;text\r\n1;"a ""quoted""\r\nfield"\r\n\r\n2;plain\r3;"x;y"\n4;last';
  const whole = parseCSV(text);
  assert.equal(whole.length, 5);
  for (let size = 1; size <= text.length; size++) {
    const reader = new TableReader('csv');
    for (let i = 0; i < text.length; i += size) reader.push(text.slice(i, i + size));
    assert.deepEqual(reader.finish().rows, whole, `pieces of ${size}`);
  }
  const lines = new TableReader('txt');
  for (const c of 'one\r\n\r\n two \rthree\n') lines.push(c);
  assert.deepEqual(lines.finish().rows, [['one'], ['two'], ['three']]);
});

test('250,000 rows: parsed, then refused with the item limit (no stack overflow)', () => {
  const csv = 'id,text\n' + Array.from({ length: 250000 }, (_, i) => `${i},Revenue rose ${i}%.`).join('\n');
  assert.equal(parseCSV(csv).length, 250001);
  assert.throws(() => readItems(csv, 'csv'), (err) => {
    assert.ok(!(err instanceof RangeError), err.stack);
    assert.match(err.message, /^the file has more than 20001 rows; one batch takes at most 20000 items/);
    return true;
  });
  assert.throws(() => readItems(csv, 'txt'), /Error: the file has more than 20000 lines; one batch takes at most 20000 items/);
  // At the limit it reads, header and all.
  const atLimit = readItems(csv.split('\n').slice(0, MAX_ITEMS + 1).join('\n'), 'csv');
  assert.equal(atLimit.items.length, MAX_ITEMS);
  assert.equal(atLimit.column, 'text');
});

test('the size limits say what was wrong', async () => {
  assert.throws(() => readTable('x'.repeat(MAX_FILE_BYTES + 1), 'txt'),
    /Error: the file is more than 50\.0 MB; batch mode reads files up to 50\.0 MB\. Split it into smaller files\.$/);
  // A file over the limit is refused before any of it is read.
  const huge = { size: 200 * 1048576, stream() { throw new Error('read'); } };
  await assert.rejects(readFile(huge, 'csv'), /Error: the file is 200\.0 MB; batch mode reads files up to 50\.0 MB/);
  const wide = Array.from({ length: MAX_COLUMNS + 1 }, (_, i) => `c${i}`).join(',');
  assert.throws(() => readItems(`${wide}\n${wide}\n`, 'csv'), /Error: row 1 has 257 columns; batch mode reads at most 256/);
});

test('readFile streams a file into the same table as readTable', async () => {
  // Multi-byte characters and a CRLF cut across the Blob's parts.
  const text = 'text,n\r\n"Gewinn fiel, stark € 𝄞",1\r\n"two\nlines",2\r\n';
  const bytes = new TextEncoder().encode('\uFEFF' + text);
  const parts = [];
  for (let i = 0; i < bytes.length; i += 5) parts.push(bytes.slice(i, i + 5));
  const seen = [];
  const table = await readFile(new Blob(parts), 'csv', { onProgress: (read, total) => seen.push([read, total]) });
  assert.deepEqual(table, readTable(text, 'csv'));
  assert.deepEqual(pickItems(table).items, ['Gewinn fiel, stark € 𝄞', 'two\nlines']);
  assert.deepEqual(seen.at(-1), [bytes.length, bytes.length]);
  await assert.rejects(readFile(new Blob(['"open']), 'csv'), /starts on line 1 never ends/);
});

test('parsing keeps about as much memory as the text it reads, not 30 times more', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  let csv = 'id,text,source\n';
  for (let i = 0; csv.length < 8e6; i++) csv += `${i},"Net debt rose to ${i % 7}.1 times EBITDA, close to the ""covenant"" limit.",wire\n`;
  csv.charCodeAt(0); // flat
  gc();
  const before = process.memoryUsage().heapUsed;
  const rows = parseCSV(csv);
  gc();
  const perByte = (process.memoryUsage().heapUsed - before) / csv.length;
  assert.equal(rows.length, csv.split('\n').length - 1);
  // Fields, rows and their strings: about 3 bytes per byte of text here;
  // building fields a character at a time kept about 27.
  assert.ok(perByte < 6, `parsing kept ${perByte.toFixed(1)} bytes of heap per byte of CSV`);
});
