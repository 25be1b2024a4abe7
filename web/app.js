// app.js: the finscore page. The scorer itself is the <fin-score> element
// (fin-score.js); this adds the batch mode, the model's details in the
// footer, and the service worker that keeps the page working offline.

import './fin-score.js';
import { setupBatch } from './batch.js';

const element = document.querySelector('fin-score');
setupBatch(document.getElementById('batch'), element.scorer);

const modelInfo = document.querySelector('[data-testid="model-info"]');
element.scorer.then((scorer) => {
  const m = scorer.model;
  modelInfo.textContent = `Model: ${m.name} (${m.license}). ${m.source}. Engine: ${scorer.version}.`;
}, (err) => {
  modelInfo.textContent = `The model did not load: ${err.message}`;
});

// The service worker saves the site when it installs. It is registered
// once the model has loaded, so that it copies the files from the HTTP
// cache where it can, and never competes with the page's own downloads;
// and once the first text is scored (or the page has sat SW_AFTER_MS
// without one), since copying the 21 MB into the browser's cache takes a
// core for a second or more, and would slow that text by half.
const SW_AFTER_MS = 5000;
const offline = document.querySelector('[data-testid="offline"]');
if ('serviceWorker' in navigator) {
  const firstText = new Promise((resolve) => {
    element.addEventListener('fin-score-result', resolve, { once: true });
    element.scorer.then(() => setTimeout(resolve, SW_AFTER_MS), resolve);
  });
  firstText.then(() => navigator.serviceWorker.register('sw.js')).then(() => navigator.serviceWorker.ready).then(() => {
    offline.textContent = 'Works offline: this page and its model are saved in this browser.';
    offline.dataset.state = 'ready';
  }, (err) => {
    offline.textContent = `Offline use is not available: ${err.message}`;
    offline.dataset.state = 'unavailable';
  });
} else {
  offline.textContent = 'Offline use is not available in this browser (no service workers).';
  offline.dataset.state = 'unavailable';
}
