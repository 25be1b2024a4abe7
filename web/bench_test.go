package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	pagecdp "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The page's speed in headless Chromium on this machine (make bench-browser).
// Each benchmark reports the browser's own clock as custom metrics, since
// the Go side also counts the DevTools round trips.

// BenchmarkPageLoad times a first visit: a new browser context (empty HTTP
// cache, no service worker) navigates to the page, which downloads the
// engine and the model over loopback, starts a worker and loads the model.
// ready-ms is navigation start to the finscore:ready mark; revisit-ready-ms
// the same for a reload once the service worker has saved the site.
func BenchmarkPageLoad(b *testing.B) {
	s := serve(b, siteDir(b))
	c := newChrome(b)
	c.proxy.allow(s.Host)
	var download, ready, again float64
	for b.Loop() {
		tab, closeTab := c.newTab(b)
		page := &chrome{ctx: tab, proxy: c.proxy}
		if err := chromedp.Do(tab, chromedp.Navigate(s.URL)); err != nil {
			b.Fatal(err)
		}
		waitReady(b, page)
		download += eval[float64](b, page, `performance.getEntriesByName('finscore:downloaded')[0].startTime`)
		ready += eval[float64](b, page, `performance.getEntriesByName('finscore:ready')[0].startTime`)
		// A later visit: the files come from the browser's caches.
		waitFor(b, page, "the service worker", `document.querySelector('[data-testid=offline]').dataset.state === 'ready'`, time.Minute)
		if err := chromedp.Do(tab, chromedp.Reload()); err != nil {
			b.Fatal(err)
		}
		waitReady(b, page)
		again += eval[float64](b, page, `performance.getEntriesByName('finscore:ready')[0].startTime`)
		closeTab()
	}
	b.ReportMetric(download/float64(b.N), "downloaded-ms")
	b.ReportMetric(ready/float64(b.N), "ready-ms")
	b.ReportMetric(again/float64(b.N), "revisit-ready-ms")
}

// BenchmarkFirstDocument times what a first visitor with a document at
// hand sees: a new browser context opens the page, and the moment the
// element says ready (its fin-score-ready event), the 20-sentence document
// (tools/bench/testdata/document.txt) goes into the box and Score is
// pressed. first-doc-ms is the press to the labels (the fin-score-result
// event, after the report is drawn), on the page's own clock; its ready-ms
// is navigation start to ready in the same visits.
func BenchmarkFirstDocument(b *testing.B) {
	doc := benchDocument(b)
	s := serve(b, siteDir(b))
	c := newChrome(b)
	c.proxy.allow(s.Host)
	type visit struct {
		FirstMs float64 `json:"ms"`
		ReadyMs float64 `json:"ready"`
		Timing  struct {
			Total   float64 `json:"total_ms"`
			Engine  float64 `json:"engine_ms"`
			Workers int     `json:"workers"`
		} `json:"timing"`
	}
	var first, ready float64
	var all []string
	for b.Loop() {
		tab, closeTab := c.newTab(b)
		page := &chrome{ctx: tab, proxy: c.proxy}
		if _, err := chromedp.Call(tab, pagecdp.AddScriptToEvaluateOnNewDocument, pagecdp.AddScriptToEvaluateOnNewDocumentParams{Source: pasteWhenReady(doc)}); err != nil {
			b.Fatal(err)
		}
		if err := chromedp.Do(tab, chromedp.Navigate(s.URL)); err != nil {
			b.Fatal(err)
		}
		waitFor(b, page, "the first document", `window.__firstDoc !== undefined`, 3*time.Minute)
		v := eval[visit](b, page, `__firstDoc`)
		first += v.FirstMs
		ready += v.ReadyMs
		all = append(all, fmt.Sprintf("%.0f ms (score() %.0f ms, engines %.0f ms, %d workers)", v.FirstMs, v.Timing.Total, v.Timing.Engine, v.Timing.Workers))
		closeTab()
	}
	b.Logf("first documents: %s", strings.Join(all, ", "))
	b.ReportMetric(first/float64(b.N), "first-doc-ms")
	b.ReportMetric(ready/float64(b.N), "ready-ms")
}

// pasteWhenReady is a script, run before the page's own, that scores doc
// with the page's Score button as soon as the element is ready, and leaves
// {ms, ready, timing} in window.__firstDoc.
func pasteWhenReady(doc string) string {
	return `document.addEventListener('fin-score-ready', (e) => setTimeout(() => {
		const el = e.target;
		el.value = ` + js(doc) + `;
		const ready = performance.getEntriesByName('finscore:ready')[0]?.startTime ?? NaN;
		el.addEventListener('fin-score-result', (r) => {
			window.__firstDoc = { ms: performance.now() - t0, ready, timing: r.detail.timing };
		}, { once: true });
		const t0 = performance.now();
		el.querySelector('[data-testid=score]').click();
	}), { once: true });`
}

// BenchmarkScore20Sentences scores tools/bench/testdata/document.txt (20
// sentences, the document make bench uses) with the page's scorer, on one
// worker and shared by two, in alternating rounds. The -ms metrics are
// score() calls as the page sees them (engine plus messages); engine-ms is
// the time inside the engines.
func BenchmarkScore20Sentences(b *testing.B) {
	doc := benchDocument(b)
	_, c := openPage(b, siteDir(b), "/")
	eval[bool](b, c, `(async () => {
		const { createScorer } = await import('./finscore.js');
		window.__doc = `+js(doc)+`;
		window.__one = await createScorer({ workers: 1 });
		window.__two = await createScorer({ workers: 2 });
		while ((await __two.score(__doc)).timing.workers < 2) await new Promise((r) => setTimeout(r, 100));
		for (let i = 0; i < 3; i++) { await __one.score(__doc); await __two.score(__doc); } // warm up
		return (await __one.score(__doc)).sentences.length === 20;
	})()`)
	type timing struct {
		Engine float64 `json:"engine_ms"`
		Total  float64 `json:"total_ms"`
	}
	var one, two timing
	for b.Loop() {
		t1 := eval[timing](b, c, `__one.score(__doc).then((r) => r.timing)`)
		t2 := eval[timing](b, c, `__two.score(__doc).then((r) => r.timing)`)
		one.Total += t1.Total
		one.Engine += t1.Engine
		two.Total += t2.Total
		two.Engine += t2.Engine
	}
	n := float64(b.N)
	b.ReportMetric(one.Total/n, "1worker-ms")
	b.ReportMetric(one.Engine/n, "1worker-engine-ms")
	b.ReportMetric(two.Total/n, "2workers-ms")
	b.ReportMetric(two.Total/one.Total, "2:1-ratio")
}

// BenchmarkScoreMany scores 64 short texts with scoreMany on one worker and
// on two, in alternating rounds, and reports the time per text of each and
// their ratio.
func BenchmarkScoreMany(b *testing.B) {
	_, c := openPage(b, siteDir(b), "/")
	eval[bool](b, c, `(async () => {
		const { createScorer } = await import('./finscore.js');
		window.__one = await createScorer({ workers: 1 });
		window.__two = await createScorer({ workers: 2 });
		window.__texts = Array.from({ length: 64 }, (_, i) =>
			'Revenue rose ' + (i + 1) + '% in the quarter while net debt fell to ' + (i % 5 + 1) + ' times EBITDA.');
		await __two.scoreMany(__texts.slice(0, 4)); // start the second worker
		return true;
	})()`)
	var one, two time.Duration
	for b.Loop() {
		one += time.Duration(eval[float64](b, c, `(async () => { const t = performance.now(); await __one.scoreMany(__texts); return performance.now() - t; })()`) * float64(time.Millisecond))
		two += time.Duration(eval[float64](b, c, `(async () => { const t = performance.now(); await __two.scoreMany(__texts); return performance.now() - t; })()`) * float64(time.Millisecond))
	}
	per := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) / 64 }
	b.ReportMetric(per(one), "1worker-ms/text")
	b.ReportMetric(per(two), "2workers-ms/text")
	b.ReportMetric(float64(two)/float64(one), "2:1-ratio")
}
