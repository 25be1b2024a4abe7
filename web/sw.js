// sw.js: the page's service worker. It saves every file of the site in the
// browser's Cache Storage when installed, so that after the first visit the
// page, the engine and the model load with no network at all. While online,
// files come from the network first (so that updates arrive) and the saved
// copy is refreshed when it changed. It only ever handles requests to this
// site's own origin; it never contacts another.

const CACHE = 'finscore-v1';

/** SITE is every file the page needs. A test checks it against dist/. */
const SITE = [
  './',
  'index.html',
  'page.css',
  'app.js',
  'batch.js',
  'csv.js',
  'fin-score.js',
  'fin-score.css',
  'report-view.js',
  'samples.js',
  'finscore.js',
  'worker.js',
  'wasm_exec.js',
  'kernel-host.mjs',
  'finscore.wasm',
  'kernels.wasm',
  'finscore.fsb',
  'MODEL_CARD.md',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SITE);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(networkFirst(event));
});

async function networkFirst(event) {
  const request = event.request;
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') {
      // Saved in the background, so that the page's download streams.
      const copy = response.clone();
      event.waitUntil((async () => {
        const saved = await cache.match(request, { ignoreSearch: true });
        if (!saved || changed(saved, copy)) await cache.put(request, copy);
        else await copy.body?.cancel();
      })());
    }
    return response;
  } catch (err) {
    const saved = await cache.match(request, { ignoreSearch: true }) ??
      (request.mode === 'navigate' ? await cache.match('index.html') : undefined);
    if (saved) return saved;
    throw err;
  }
}

/** changed tells whether a fresh response differs from the saved one. */
function changed(saved, fresh) {
  for (const h of ['ETag', 'Last-Modified', 'Content-Length']) {
    const a = saved.headers.get(h);
    const b = fresh.headers.get(h);
    if (a !== null || b !== null) {
      if (a !== b) return true;
    }
  }
  return !saved.headers.get('Last-Modified') && !saved.headers.get('ETag');
}
