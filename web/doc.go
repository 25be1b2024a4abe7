// Package web is finscore's static site: the page (index.html, app.js,
// batch.js), the <fin-score> element (fin-score.js), the JavaScript API
// (finscore.js) with its Web Worker (worker.js), and the service worker
// (sw.js). The files are served as they are, with no build step; `make
// site` copies them into dist/ next to the engine and the model.
//
// The Go code here is only tests: they serve the built site with `finscore
// serve` and drive it in headless Chromium (make test-browser).
package web
