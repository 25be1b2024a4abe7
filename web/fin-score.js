// fin-score.js: <fin-score>, the whole scorer as one custom element, for a
// portal to drop in with one script tag:
//
//   <script type="module" src="/finscore/fin-score.js"></script>
//   <fin-score></fin-score>
//
// The element loads the engine and the model from the folder this script
// came from (or from its base-url attribute), shows loading progress, and
// offers a text box, a Score button (and Ctrl/Cmd+Enter), and the report.
// Nothing typed into it leaves the browser.
//
// Attributes: base-url (where the finscore files are), samples (show the
// sample texts), placeholder, workers (most Web Workers for scoreMany).
// Properties: scorer (a Promise of the Scorer, for scoring from script),
// value (the text). Events: fin-score-ready (detail: the scorer),
// fin-score-result (detail: the report), fin-score-error (detail: the error).

import { createScorer } from './finscore.js';
import { el, renderReport, renderDrivers } from './report-view.js';

const HERE = new URL('.', import.meta.url);

let instances = 0;

export class FinScoreElement extends HTMLElement {
  #scorer = null;
  #run = null; // AbortController of the scoring in progress
  #explaining = null; // AbortController of the explanation in progress
  #built = false;
  #report = null;

  constructor() {
    super();
    let resolve, reject;
    /** @type {Promise<import('./finscore.js').Scorer>} */
    this.scorer = new Promise((res, rej) => { resolve = res; reject = rej; });
    this.scorer.catch(() => {}); // reported through the page and fin-score-error
    this.#scorer = { resolve, reject };
  }

  connectedCallback() {
    if (this.#built) return;
    this.#built = true;
    this.#build();
    this.#load();
  }

  /** value is the text in the box. */
  get value() {
    return this.input.value;
  }
  set value(text) {
    this.input.value = String(text);
  }

  #build() {
    const id = `fin-score-${++instances}`;
    const base = this.#baseURL();
    if (!document.querySelector('link[data-fin-score-style]')) {
      document.head.append(el('link', { rel: 'stylesheet', href: new URL('fin-score.css', base).href, 'data-fin-score-style': true }));
    }
    this.classList.add('fs-root');
    this.status = el('span', { class: 'fs-status', 'data-testid': 'status', role: 'status', text: 'loading' });
    this.loadBar = el('progress', { class: 'fs-progress', max: 1, 'aria-label': 'Loading the model' });
    this.loadText = el('span', { class: 'fs-muted', text: 'Loading the model…' });
    this.input = el('textarea', {
      id: `${id}-input`, 'data-testid': 'input', rows: 8, spellcheck: 'false', autocomplete: 'off',
      placeholder: this.getAttribute('placeholder') ?? 'Paste news, a research note, a filing or an e-mail…',
      'aria-describedby': `${id}-hint`,
    });
    this.scoreButton = el('button', { type: 'button', class: 'fs-primary', 'data-testid': 'score', disabled: true, text: 'Score' });
    this.cancelButton = el('button', { type: 'button', 'data-testid': 'cancel', hidden: true, text: 'Cancel' });
    this.runBar = el('progress', { class: 'fs-progress', max: 1, hidden: true, 'aria-label': 'Scoring progress' });
    this.timeText = el('span', { class: 'fs-muted', 'data-testid': 'time' });
    this.errorBox = el('p', { class: 'fs-error', role: 'alert', 'data-testid': 'error', hidden: true });
    this.results = el('div', { class: 'fs-results', 'data-testid': 'results' });
    this.announcer = el('p', { class: 'fs-visually-hidden', 'aria-live': 'polite', 'data-testid': 'announce' });

    const samples = this.hasAttribute('samples') ? el('div', { class: 'fs-samples', role: 'group', 'aria-label': 'Sample texts' }) : null;
    if (samples) {
      import('./samples.js').then(({ SAMPLES }) => {
        samples.append(el('span', { class: 'fs-muted', text: 'Try a sample: ' }));
        for (const s of SAMPLES) {
          const b = el('button', { type: 'button', class: 'fs-link', text: s.title });
          b.addEventListener('click', () => {
            this.input.value = s.text;
            this.input.focus();
          });
          samples.append(b);
        }
      });
    }

    this.replaceChildren(
      el('div', { class: 'fs-head' }, el('label', { for: `${id}-input`, text: 'Text to score' }), el('span', { class: 'fs-status-wrap' }, 'Model: ', this.status)),
      el('div', { class: 'fs-loading' }, this.loadBar, ' ', this.loadText),
      this.input,
      el('p', { id: `${id}-hint`, class: 'fs-muted fs-hint', text: 'Scored on this device: the text is never sent anywhere. Ctrl+Enter (⌘+Enter) scores.' }),
      samples,
      el('div', { class: 'fs-actions' }, this.scoreButton, this.cancelButton, this.runBar, this.timeText),
      this.errorBox,
      this.announcer,
      this.results,
    );

    this.scoreButton.addEventListener('click', () => this.#score());
    this.cancelButton.addEventListener('click', () => this.#run?.abort());
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.#score();
      }
    });
  }

  /** #baseURL is where the finscore files are: base-url, or this script's folder. */
  #baseURL() {
    return new URL(this.getAttribute('base-url') ?? HERE, document.baseURI);
  }

  async #load() {
    const workers = this.hasAttribute('workers') ? Number(this.getAttribute('workers')) : undefined;
    try {
      const scorer = await createScorer({
        baseURL: this.#baseURL(),
        workers,
        onProgress: (p) => {
          if (p.phase === 'download') {
            if (p.fraction == null) this.loadBar.removeAttribute('value');
            else this.loadBar.value = p.fraction;
            const mb = (n) => (n / 1e6).toFixed(1);
            this.loadText.textContent = p.total ? `Loading the model… ${mb(p.loaded)} of ${mb(p.total)} MB` : `Loading the model… ${mb(p.loaded)} MB`;
          } else {
            this.loadBar.removeAttribute('value');
            this.loadText.textContent = 'Starting the engine…';
          }
        },
      });
      this.querySelector('.fs-loading').hidden = true;
      this.status.textContent = 'ready';
      this.scoreButton.disabled = false;
      this.#scorer.resolve(scorer);
      this.dispatchEvent(new CustomEvent('fin-score-ready', { detail: scorer, bubbles: true }));
    } catch (err) {
      this.querySelector('.fs-loading').hidden = true;
      this.status.textContent = 'error';
      this.#showError(err);
      this.#scorer.reject(err);
    }
  }

  async #score() {
    if (this.scoreButton.disabled) return;
    const text = this.input.value;
    if (!text.trim()) {
      this.#showError(new Error('Paste or type some text first.'));
      this.input.focus();
      return;
    }
    const scorer = await this.scorer;
    this.#explaining?.abort(); // its sentence is about to go
    this.#run = new AbortController();
    this.errorBox.hidden = true;
    this.status.textContent = 'scoring';
    this.scoreButton.disabled = true;
    this.cancelButton.hidden = false;
    this.runBar.hidden = false;
    this.runBar.removeAttribute('value');
    this.timeText.textContent = '';
    this.setAttribute('aria-busy', 'true');
    try {
      const report = await scorer.score(text, {
        signal: this.#run.signal,
        onProgress: (done, total) => {
          this.runBar.value = done / total;
          this.timeText.textContent = `${done} of ${total} sentences`;
        },
      });
      this.#report = report;
      renderReport(this.results, report, { onSelect: (i, row) => this.#explain(i, row) });
      const n = report.sentences.length;
      this.timeText.textContent = `Scored ${n} ${n === 1 ? 'sentence' : 'sentences'} in ${formatMs(report.timing.total_ms)} on this device.`;
      this.announcer.textContent = `Scored. ${report.summary}`;
      this.dispatchEvent(new CustomEvent('fin-score-result', { detail: report, bubbles: true }));
    } catch (err) {
      if (err.code === 'cancelled') {
        this.timeText.textContent = 'Cancelled.';
        this.announcer.textContent = 'Scoring cancelled.';
      } else {
        this.#showError(err);
      }
    } finally {
      this.#run = null;
      this.status.textContent = 'ready';
      this.scoreButton.disabled = false;
      this.cancelButton.hidden = true;
      this.runBar.hidden = true;
      this.removeAttribute('aria-busy');
    }
  }

  /**
   * #explain shows the driving words of sentence i in its row. Choosing
   * another sentence, or the same one again, cancels an explanation still
   * running (its worker is stopped), so the next one starts at once.
   */
  async #explain(i, row) {
    const report = this.#report;
    this.#explaining?.abort();
    for (const r of this.results.querySelectorAll('.fs-sentence[aria-pressed="true"]')) {
      if (r !== row) r.setAttribute('aria-pressed', 'false');
    }
    const open = row.getAttribute('aria-pressed') !== 'true';
    row.setAttribute('aria-pressed', String(open));
    const box = row.querySelector('.fs-drivers');
    if (!open) {
      box.replaceChildren();
      return;
    }
    const run = new AbortController();
    this.#explaining = run;
    box.replaceChildren(el('p', { class: 'fs-muted', text: 'Finding the driving words…' }));
    try {
      const scorer = await this.scorer;
      const text = report.sentences[i].text;
      const r = await scorer.score(text, { explain: true, signal: run.signal });
      if (!run.signal.aborted && this.#report === report) {
        const unexplained = r.sentences.reduce((n, s) => n + (s.unexplained_words ?? 0), 0);
        renderDrivers(row, text, r.sentences.flatMap((s) => s.drivers ?? []), unexplained);
      }
    } catch (err) {
      if (!run.signal.aborted) box.replaceChildren(el('p', { class: 'fs-error', text: err.message }));
    } finally {
      if (this.#explaining === run) this.#explaining = null;
      if (run.signal.aborted && row.getAttribute('aria-pressed') !== 'true') box.replaceChildren();
    }
  }

  #showError(err) {
    this.errorBox.textContent = err.message ?? String(err);
    this.errorBox.hidden = false;
    this.dispatchEvent(new CustomEvent('fin-score-error', { detail: err, bubbles: true }));
  }
}

function formatMs(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

if (!customElements.get('fin-score')) customElements.define('fin-score', FinScoreElement);
