// batch.js: the page's batch mode. A local CSV or TXT file is read in the
// browser (never uploaded), in chunks as it streams, every item is scored
// with the page's scorer, and the results download as CSV.

import { readFile, pickItems, formatCSV, resultRow, RESULT_COLUMNS } from './csv.js';
import { el } from './report-view.js';

const PREVIEW_ROWS = 50;

/**
 * setupBatch wires the batch form in root to a Promise of a Scorer.
 * root holds: input[type=file], select (the text column), buttons
 * [data-action=run|cancel|download], a progress bar, a status line and a table.
 */
export function setupBatch(root, scorerPromise) {
  const file = root.querySelector('[data-testid="batch-file"]');
  const columnRow = root.querySelector('.batch-column');
  const column = root.querySelector('[data-testid="batch-column"]');
  const run = root.querySelector('[data-testid="batch-run"]');
  const cancel = root.querySelector('[data-testid="batch-cancel"]');
  const download = root.querySelector('[data-testid="batch-download"]');
  const bar = root.querySelector('progress');
  const status = root.querySelector('[data-testid="batch-status"]');
  const table = root.querySelector('[data-testid="batch-results"]');

  let source = null; // {name, table}: the file, read
  let parsed = null;
  let results = null;
  let controller = null;
  let ready = false;
  scorerPromise.then(() => { ready = true; refresh(); }, () => {});

  function refresh() {
    run.disabled = !ready || !parsed || parsed.items.length === 0 || controller !== null;
  }

  function say(text, isError = false) {
    status.textContent = text;
    status.classList.toggle('fs-error', isError);
  }

  function parse(columnName) {
    try {
      parsed = pickItems(source.table, columnName);
      say(`${source.name}: ${parsed.items.length} ${parsed.items.length === 1 ? 'item' : 'items'}` +
        (parsed.column ? ` from the column “${parsed.column}”` : ', one per line') + '. Read on this device; nothing is uploaded.');
    } catch (err) {
      parsed = null;
      say(`${source.name}: ${err.message}`, true);
    }
  }

  file.addEventListener('change', async () => {
    results = null;
    source = null;
    parsed = null;
    download.disabled = true;
    table.replaceChildren();
    columnRow.hidden = true;
    refresh();
    const f = file.files[0];
    if (!f) return;
    const kind = /\.(csv|tsv)$/i.test(f.name) || /csv|tab-separated/.test(f.type) ? 'csv' : 'txt';
    let read;
    try {
      say(`Reading ${f.name}…`);
      read = await readFile(f, kind, {
        onProgress: (bytes, total) => say(`Reading ${f.name}… ${Math.round((100 * bytes) / total)}%`),
      });
    } catch (err) {
      say(`${f.name}: ${err.message}`, true);
      return;
    }
    if (file.files[0] !== f) return; // another file was chosen meanwhile
    source = { name: f.name, table: read };
    parse();
    columnRow.hidden = !(parsed && parsed.columns.length > 1);
    if (parsed) {
      column.replaceChildren(); // then one option per column (at most MAX_COLUMNS)
      for (const c of parsed.columns) column.append(el('option', { value: c, selected: c === parsed.column, text: c }));
    }
    refresh();
  });

  column.addEventListener('change', () => {
    parse(column.value);
    refresh();
  });

  run.addEventListener('click', async () => {
    const scorer = await scorerPromise;
    const items = parsed.items;
    controller = new AbortController();
    refresh();
    cancel.hidden = false;
    download.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    table.replaceChildren();
    const started = performance.now();
    say(`Scoring ${items.length} items…`);
    try {
      const reports = await scorer.scoreMany(items, {
        signal: controller.signal,
        onProgress: (done, total) => {
          bar.value = done / total;
          say(`Scored ${done} of ${total} items…`);
        },
      });
      results = items.map((text, i) => resultRow(i, text, reports[i]));
      const failed = reports.filter((r) => r.error).length;
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      say(`Scored ${items.length} items in ${secs} s on this device` + (failed ? `; ${failed} could not be scored (see the error column).` : '.'));
      showTable(results);
      download.disabled = false;
    } catch (err) {
      say(err.code === 'cancelled' ? 'Cancelled.' : err.message, err.code !== 'cancelled');
    } finally {
      controller = null;
      cancel.hidden = true;
      bar.hidden = true;
      refresh();
    }
  });

  cancel.addEventListener('click', () => controller?.abort());

  download.addEventListener('click', () => {
    if (!results) return;
    const blob = new Blob([formatCSV([RESULT_COLUMNS, ...results])], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: `${(source?.name ?? 'items').replace(/\.[^.]*$/, '')}-finscore.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  function showTable(rows) {
    const cols = ['item', 'text', 'label', 'signal', 'risk_level', 'risk_categories', 'error'];
    const idx = cols.map((c) => RESULT_COLUMNS.indexOf(c));
    const head = el('tr', {}, cols.map((c) => el('th', { scope: 'col', text: c.replace('_', ' ') })));
    const body = rows.slice(0, PREVIEW_ROWS).map((r) => el('tr', { 'data-testid': 'batch-row' }, idx.map((i) => el('td', { text: String(r[i]) }))));
    table.replaceChildren(
      el('caption', { text: rows.length > PREVIEW_ROWS ? `The first ${PREVIEW_ROWS} of ${rows.length} rows; download the CSV for all.` : `${rows.length} rows` }),
      el('thead', {}, head), el('tbody', {}, body));
  }
}
