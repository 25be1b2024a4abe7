// report-view.js: draws a finscore report into the page. Every piece of
// scored text goes in through textContent or text nodes, never as HTML, so
// a pasted <script> or <img onerror> is shown, not run.

/** el makes an element with attributes and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const MOOD = { negative: 'Bearish', neutral: 'Neutral', positive: 'Bullish' };
const ARROW = { negative: '▼', neutral: '●', positive: '▲' };

/** pct formats a probability as a whole percentage. */
export function pct(p) {
  return `${Math.round(p * 100)}%`;
}

/** signed formats a signal or shift with its sign: +0.42, −0.13. */
export function signed(x, digits = 2) {
  const s = Math.abs(x).toFixed(digits);
  return x < 0 ? `−${s}` : `+${s}`;
}

/**
 * renderReport replaces container's content with the report: the overall
 * signal (a bearish-to-bullish gauge with the probabilities), the risk
 * level and its top categories with evidence, and one row per sentence.
 * onSelect(index, row) is called when a sentence row is chosen.
 */
export function renderReport(container, report, { onSelect } = {}) {
  container.replaceChildren();
  if (report.sentences.length === 0) {
    container.append(el('p', { class: 'fs-empty', text: report.summary }));
    return;
  }
  container.append(
    el('p', { class: 'fs-summary', 'data-testid': 'summary', text: report.summary }),
    el('div', { class: 'fs-overview' }, signalCard(report.sentiment), riskCard(report)),
    sentenceList(report, onSelect),
  );
}

function signalCard(s) {
  const label = s.label;
  const gauge = el('div', {
    class: 'fs-gauge', role: 'meter', 'aria-valuemin': -1, 'aria-valuemax': 1, 'aria-valuenow': s.signal.toFixed(2),
    'aria-valuetext': `${MOOD[label] ?? label}, signal ${signed(s.signal)}`, 'aria-label': 'Signal, bearish to bullish',
  }, el('span', { class: 'fs-gauge-marker' }));
  gauge.firstChild.style.left = `${((s.signal + 1) / 2) * 100}%`;
  const probs = el('dl', { class: 'fs-probs' });
  for (const name of ['negative', 'neutral', 'positive']) {
    const bar = el('span', { class: `fs-bar fs-${name}` });
    bar.style.width = pct(s.probs[name] ?? 0);
    probs.append(el('dt', { text: name }), el('dd', {}, el('span', { class: 'fs-bar-track' }, bar), ` ${pct(s.probs[name] ?? 0)}`));
  }
  return el('section', { class: 'fs-card', 'aria-label': 'Overall signal' },
    el('h3', { text: 'Signal' }),
    el('p', { class: `fs-big fs-${label}` },
      `${ARROW[label] ?? ''} ${MOOD[label] ?? label} `,
      el('span', { class: 'fs-label', 'data-testid': 'overall-label', text: label }),
      el('span', { class: 'fs-signal', text: ` signal ${signed(s.signal)}` })),
    gauge,
    el('div', { class: 'fs-gauge-ends', 'aria-hidden': 'true' }, el('span', { text: 'bearish −1' }), el('span', { text: '+1 bullish' })),
    probs);
}

function riskCard(report) {
  const r = report.risk;
  const list = el('ol', { class: 'fs-categories' });
  for (const c of r.categories.slice(0, 5)) {
    const evidence = el('ul', { class: 'fs-evidence' });
    for (const i of (c.evidence ?? []).slice(0, 3)) {
      evidence.append(el('li', {}, el('q', { text: report.sentences[i]?.text ?? '' })));
    }
    list.append(el('li', {}, el('strong', { text: c.label }), ` ${pct(c.score)}`, evidence));
  }
  return el('section', { class: 'fs-card', 'aria-label': 'Risk' },
    el('h3', { text: 'Risk' }),
    el('p', { class: `fs-big fs-risk-${r.level}` },
      el('span', { class: 'fs-label', 'data-testid': 'risk-level', text: r.level }),
      r.level === 'none' ? ': no risk category found' : ` risk (${pct(r.score)})`),
    r.categories.length ? list : el('p', { class: 'fs-muted', text: 'No risk category is supported by any sentence.' }),
    el('p', { class: 'fs-muted fs-caveat', text: 'Risk categories are indicative, not findings: the model misses over half ' +
      'of risky sentences and some flags are wrong, so read the evidence. Its measured accuracy is in the model card.' }));
}

// Long documents have thousands of sentences: rows are added ROWS_PER_TASK
// at a time, each batch in its own task, so that the page stays responsive
// while they render.
const ROWS_PER_TASK = 100;

function sentenceList(report, onSelect) {
  const list = el('ol', { class: 'fs-sentences', 'aria-label': 'Sentences' });
  const addRows = (from) => {
    if (!list.isConnected && from > 0) return; // replaced by a newer report
    const to = Math.min(report.sentences.length, from + ROWS_PER_TASK);
    const rows = document.createDocumentFragment();
    for (let i = from; i < to; i++) rows.append(sentenceRow(report.sentences[i], i, onSelect));
    list.append(rows);
    if (to < report.sentences.length) setTimeout(() => addRows(to), 0);
  };
  addRows(0);
  return list;
}

function sentenceRow(s, i, onSelect) {
  const label = s.sentiment.label;
  // The sentence's strongest category only: one clear reason to read it.
  const top = [...s.risk.categories].sort((a, b) => b.score - a.score)[0];
  const cats = top ? top.label : '';
  const riskText = top ? `${s.risk.level ?? ''} risk: ${top.label} (${pct(top.score)})`.trim() : `no risk (${pct(s.risk.score)})`;
  const row = el('li', {
    class: `fs-sentence fs-${label}${cats ? ' fs-risky' : ''}`, 'data-testid': 'sentence', 'data-index': i,
    tabindex: 0, role: 'button', 'aria-pressed': 'false',
    'aria-label': `Sentence ${i + 1}, ${label}, ${riskText}: ${s.text}`,
  },
  el('span', { class: 'fs-tags', 'aria-hidden': 'true' },
    el('span', { class: `fs-tag fs-${label}`, 'data-testid': 'sentence-label', text: `${ARROW[label] ?? ''} ${label}` }),
    cats ? el('span', { class: 'fs-tag fs-risk', text: `⚠ ${riskText}` }) : null),
  el('span', { class: 'fs-text', text: s.text }),
  el('div', { class: 'fs-drivers', 'aria-live': 'polite' }));
  const choose = () => onSelect?.(i, row);
  row.addEventListener('click', choose);
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      choose();
    }
  });
  return row;
}

/**
 * renderDrivers shows a sentence's driving words in its row: the words
 * marked in the sentence, and a list of how each moved signal and risk.
 * drivers carry UTF-8 byte offsets into text. unexplained counts the words
 * the engine did not try (explanations of long sentences are capped).
 */
export function renderDrivers(row, text, drivers, unexplained = 0) {
  const box = row.querySelector('.fs-drivers');
  const shown = drivers.filter((d) => Math.abs(d.signal_shift) >= 0.01 || Math.abs(d.risk_shift) >= 0.01).slice(0, 6);
  const notes = unexplained > 0
    ? [el('p', { class: 'fs-muted', 'data-testid': 'unexplained', text: `${unexplained} ${unexplained === 1 ? 'word was' : 'words were'} not tried: explanations of long sentences are capped.` })]
    : [];
  if (shown.length === 0) {
    box.replaceChildren(el('p', { class: 'fs-muted', text: 'No single word moves this sentence’s scores much.' }), ...notes);
    return;
  }
  const spans = shown.map((d) => ({ ...d, ...utf16Span(text, d.start, d.end) })).sort((a, b) => a.from - b.from);
  const marked = el('p', { class: 'fs-marked' });
  let at = 0;
  for (const d of spans) {
    if (d.from < at) continue;
    marked.append(text.slice(at, d.from), el('mark', { class: d.signal_shift < 0 ? 'fs-down' : 'fs-up', text: text.slice(d.from, d.to) }));
    at = d.to;
  }
  marked.append(text.slice(at));
  const list = el('ul', { class: 'fs-driver-list' });
  for (const d of shown) {
    const moves = [];
    if (Math.abs(d.signal_shift) >= 0.01) moves.push(`${d.signal_shift > 0 ? 'more bullish' : 'more bearish'} (${signed(d.signal_shift)})`);
    if (Math.abs(d.risk_shift) >= 0.01) moves.push(`${d.risk_shift > 0 ? 'riskier' : 'less risky'} (${signed(d.risk_shift)})`);
    list.append(el('li', {}, el('q', { text: d.word }), ` makes it ${moves.join(' and ')}`));
  }
  box.replaceChildren(el('p', { class: 'fs-drivers-title', text: 'Driving words' }), marked, list, ...notes);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** utf16Span turns UTF-8 byte offsets in text into string indices. */
export function utf16Span(text, start, end) {
  const bytes = encoder.encode(text);
  return { from: decoder.decode(bytes.subarray(0, start)).length, to: decoder.decode(bytes.subarray(0, end)).length };
}
