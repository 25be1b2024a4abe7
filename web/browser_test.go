package web_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"finscore/core/scorer"
	"finscore/core/testenv"
)

// texts the page and the command must label alike: the kinds of text the
// page is for, plus edge cases (one word, non-ASCII, a long line).
var compareTexts = []string{
	"Acme Corp reported record quarterly revenue of $4.2 billion, up 18% from a year earlier, and raised its full-year outlook. The board also approved a 10% dividend increase.",
	"Contoso Lending warned that loan delinquencies rose sharply and set aside $310 million for credit losses. Moody's placed the bank on review for downgrade. Shares fell 11%.",
	"The regulator opened an investigation into the company's accounting. The CFO resigned on Friday. Auditors have not yet signed off the annual report.",
	"We maintain our Neutral rating with a price target of EUR 42. Order intake was in line with expectations.",
	"Profit warning.",
	"Die Aktie fiel um 5 % – Anleger sind besorgt über die Schulden des Konzerns. 株価は下落した。",
	"Hi Anna, following our call: two of the issuers breached covenants last month, and I suggest we reduce the position before Thursday's review. Best, Marc",
}

func TestPageScoresLikeTheCommand(t *testing.T) {
	s, b := openPage(t, siteDir(t), "/")

	// Pasted text scores with the button, and the page shows what
	// `finscore score` reports for the same text.
	want := scoreWithCLI(t, compareTexts)
	for i, text := range compareTexts {
		got := scoreInPage(t, b, text)
		checkSameAsCLI(t, text, got, want[i])
	}

	// Ctrl+Enter in the text box scores too.
	before := eval[int](t, b, countResults)
	eval[bool](t, b, `(document.querySelector('[data-testid=input]').value = '', true)`)
	if err := chromedp.Do(b.ctx,
		chromedp.Focus(chromedp.CSS(`[data-testid=input]`)),
		chromedp.KeyEvent("Shares plunged after the profit warning."),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
	); err != nil {
		t.Fatal(err)
	}
	waitResult(t, b, before)
	if got := readShown(t, b); len(got.Texts) != 1 || got.Texts[0] != "Shares plunged after the profit warning." {
		t.Errorf("Ctrl+Enter: page shows %+v", got)
	}

	// Every sample button fills the box with a text that scores.
	samples := eval[[]string](t, b, `[...document.querySelectorAll('.fs-samples button')].map((b) => b.textContent)`)
	if len(samples) < 3 {
		t.Fatalf("sample buttons: %q", samples)
	}
	for i := range samples {
		text := eval[string](t, b, `(document.querySelectorAll('.fs-samples button')[`+strconv.Itoa(i)+`].click(), document.querySelector('[data-testid=input]').value)`)
		got := scoreInPage(t, b, text)
		checkSameAsCLI(t, text, got, scoreWithCLI(t, []string{text})[0])
	}

	// Choosing a sentence shows its driving words, taken from the sentence.
	eval[bool](t, b, `(document.querySelector('[data-testid=sentence]').click(), true)`)
	waitFor(t, b, "driving words", `document.querySelector('[data-testid=sentence] .fs-driver-list li, [data-testid=sentence] .fs-drivers .fs-muted:not(:empty)') !== null && !document.querySelector('[data-testid=sentence] .fs-drivers').textContent.includes('Finding')`, time.Minute)
	drivers := eval[[]string](t, b, `[...document.querySelectorAll('[data-testid=sentence] .fs-marked mark')].map((m) => m.textContent)`)
	first := eval[string](t, b, `document.querySelector('[data-testid=sentence] .fs-text').textContent`)
	for _, w := range drivers {
		if !strings.Contains(first, w) {
			t.Errorf("driver %q is not in the sentence %q", w, first)
		}
	}
	t.Logf("drivers of %q: %q", first, drivers)

	// The results are announced to screen readers.
	if a := eval[string](t, b, `document.querySelector('[data-testid=announce]').textContent`); !strings.HasPrefix(a, "Scored.") {
		t.Errorf("announcement %q", a)
	}

	// Every request went to the page's own origin (newBrowser checks the
	// rest), and that includes the worker's imports: the recorder sees them.
	checkPage(t, b)
	reqs := strings.Join(b.proxy.requests(), "\n")
	for _, f := range []string{"/finscore.fsb", "/finscore.wasm", "/worker.js", "/wasm_exec.js", "/kernel-host.mjs", "/kernels.wasm"} {
		if !strings.Contains(reqs, s.Host+f) {
			t.Errorf("the proxy never saw %s; requests:\n%s", f, reqs)
		}
	}

}

func checkSameAsCLI(t *testing.T, text string, got shown, want cliReport) {
	t.Helper()
	var wantLabels, wantTexts []string
	for _, s := range want.Sentences {
		wantLabels = append(wantLabels, s.Sentiment.Label)
		wantTexts = append(wantTexts, s.Text)
	}
	if got.Label != want.Sentiment.Label || got.Risk != want.Risk.Level ||
		!slices.Equal(got.Sentences, wantLabels) || !slices.Equal(got.Texts, wantTexts) {
		t.Errorf("%.60q:\n page    %s / %s risk / %q\n command %s / %s risk / %q",
			text, got.Label, got.Risk, got.Sentences, want.Sentiment.Label, want.Risk.Level, wantLabels)
	}
}

func TestPastedMarkupIsShownAsText(t *testing.T) {
	_, b := openPage(t, siteDir(t), "/")
	eval[bool](t, b, `(window.__pwned = 0, true)`)
	payloads := []string{
		`<script>window.__pwned = 1</script> Shares fell.`,
		`<img src="x" onerror="window.__pwned = 2"> Revenue rose 5%.`,
		`<svg onload="window.__pwned = 3"></svg><b>bold</b> &amp; <a href="javascript:window.__pwned=4">link</a>`,
	}
	for _, p := range payloads {
		got := scoreInPage(t, b, p)
		if joined := strings.Join(got.Texts, " "); !strings.Contains(joined, strings.Fields(p)[0]) {
			t.Errorf("payload %q shown as %q", p, joined)
		}
	}
	eval[bool](t, b, `(document.querySelectorAll('.fs-sentence')[0]?.click(), true)`) // drivers render the text too
	time.Sleep(2 * time.Second)
	if n := eval[int](t, b, `document.querySelectorAll('[data-testid=results] img, [data-testid=results] script, [data-testid=results] svg, [data-testid=results] a, [data-testid=results] b').length`); n != 0 {
		t.Errorf("%d elements were made from pasted markup", n)
	}
	if v := eval[int](t, b, `window.__pwned`); v != 0 {
		t.Errorf("a payload ran (window.__pwned = %d)", v)
	}
	checkPage(t, b)
	for _, r := range b.proxy.requests() {
		if strings.HasSuffix(r, "/x") {
			t.Errorf("the page requested the payload's image: %s", r)
		}
	}
}

func TestLargePasteShowsProgressAndKeepsThePageResponsive(t *testing.T) {
	_, b := openPage(t, siteDir(t), "/")

	// 200 KB of report-like text, pasted the way a user pastes.
	base := []string{
		"Revenue for the quarter rose 7% to $1.3 billion on higher volumes.",
		"The company cut its dividend after cash flow fell short of expectations.",
		"Management expects margins to remain under pressure through next year.",
		"Net debt increased to 3.1 times EBITDA, close to the covenant limit.",
		"Analysts at two banks raised their price targets after the results.",
	}
	var sb strings.Builder
	for i := 0; sb.Len() < 200*1024; i++ {
		sb.WriteString(base[i%len(base)])
		sb.WriteString(" ")
	}
	text := sb.String()
	wantSentences := len(scorer.SplitSentences(text))

	eval[bool](t, b, `(document.querySelector('[data-testid=input]').value = '', true)`)
	if err := chromedp.Do(b.ctx, chromedp.Focus(chromedp.CSS(`[data-testid=input]`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, input.InsertText, input.InsertTextParams{Text: text}); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, b, `document.querySelector('[data-testid=input]').value.length`); n != len(text) {
		t.Fatalf("pasted %d characters, the box holds %d", len(text), n)
	}

	// While it scores, the main thread keeps a 50 ms heartbeat and samples
	// the progress bar; a page that scored on the main thread would stall
	// both for the whole run.
	eval[bool](t, b, `(() => {
		window.__beat = { last: performance.now(), maxGap: 0, progress: new Set() };
		window.__beatTimer = setInterval(() => {
			const now = performance.now();
			window.__beat.maxGap = Math.max(window.__beat.maxGap, now - window.__beat.last);
			window.__beat.last = now;
			const bar = document.querySelector('fin-score .fs-actions progress');
			if (!bar.hidden && bar.hasAttribute('value')) window.__beat.progress.add(bar.value.toFixed(3));
		}, 50);
		return true;
	})()`)
	before := eval[int](t, b, countResults)
	started := time.Now()
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid=score]`))); err != nil {
		t.Fatal(err)
	}
	waitResult(t, b, before)
	elapsed := time.Since(started)
	type beat struct {
		MaxGap   float64  `json:"maxGap"`
		Progress []string `json:"progress"`
	}
	// The rows render in batches after the result; wait for them all, with
	// the heartbeat still running.
	waitFor(t, b, "every sentence row", fmt.Sprintf(`document.querySelectorAll('[data-testid=sentence]').length >= %d`, wantSentences), time.Minute)
	rendered := time.Since(started)
	rows := eval[int](t, b, `document.querySelectorAll('[data-testid=sentence]').length`)
	got := eval[beat](t, b, `(clearInterval(window.__beatTimer), { maxGap: window.__beat.maxGap, progress: [...window.__beat.progress] })`)
	t.Logf("200 KB (%d sentences) scored in %v, rendered by %v; heartbeat's longest gap %.0f ms; %d distinct progress values",
		rows, elapsed.Round(time.Millisecond), rendered.Round(time.Millisecond), got.MaxGap, len(got.Progress))
	if rows != wantSentences {
		t.Errorf("page shows %d sentences, the text has %d", rows, wantSentences)
	}
	if len(got.Progress) < 3 {
		t.Errorf("progress bar showed %q during a %v run; want it to move", got.Progress, elapsed)
	}
	// Scoring on the main thread would block it for the whole run (over
	// 20 s here); the worker and the batched rendering keep every gap far
	// under half a second on a quiet machine. On a shared machine under a
	// load of 20 on 2 cores, gaps of 0.5 to 3 s were seen with the worker
	// doing its job, so the limit is half a second or a quarter of the run,
	// whichever is longer: scoring on the main thread still fails it.
	limit := max(500, float64(elapsed.Milliseconds())/4)
	if got.MaxGap > limit {
		t.Errorf("the main thread stalled for %.0f ms during a %v run (limit %.0f ms)", got.MaxGap, elapsed, limit)
	}
}

func TestCancelStopsALongRunAndTheScorerStillWorks(t *testing.T) {
	_, b := openPage(t, siteDir(t), "/")
	long := strings.Repeat("Net debt increased to 3.1 times EBITDA, close to the covenant limit. ", 3000)
	eval[bool](t, b, `(document.querySelector('[data-testid=input]').value = `+js(long)+`, document.querySelector('[data-testid=score]').click(), true)`)
	waitFor(t, b, "scoring to start", `document.querySelector('[data-testid=status]').textContent === 'scoring'`, 10*time.Second)
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid=cancel]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "the cancel", `document.querySelector('[data-testid=time]').textContent === 'Cancelled.' && document.querySelector('[data-testid=status]').textContent === 'ready'`, 10*time.Second)
	got := scoreInPage(t, b, "Shares fell 12% after the profit warning.")
	if len(got.Texts) != 1 || got.Label == "" {
		t.Errorf("after a cancel the page shows %+v", got)
	}
}

func TestWorksOfflineAfterTheFirstVisit(t *testing.T) {
	s := serve(t, siteDir(t))
	b := newChrome(t)
	// The service worker's install copies the whole site; it waits until
	// the first text is scored, or 5 s after ready, not to slow that text.
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.__sw = {};
		const register = ServiceWorkerContainer.prototype.register;
		ServiceWorkerContainer.prototype.register = function (...args) { __sw.registered ??= performance.now(); return register.apply(this, args); };
		document.addEventListener('fin-score-result', () => { __sw.scored ??= performance.now(); });`}); err != nil {
		t.Fatal(err)
	}
	b.open(t, s, "/")
	waitReady(t, b)
	want := scoreInPage(t, b, compareTexts[1])
	waitFor(t, b, "the service worker", `document.querySelector('[data-testid=offline]').dataset.state === 'ready'`, time.Minute)
	if order := eval[string](t, b, `(() => {
		const ready = performance.getEntriesByName('finscore:ready')[0].startTime;
		return __sw.registered >= Math.min(__sw.scored, ready + 5000) ? 'after' : 'ready ' + ready + ', registered ' + __sw.registered + ', scored ' + __sw.scored;
	})()`); order != "after" {
		t.Errorf("the service worker was registered before the first text was scored and within 5 s of ready (ms: %s)", order)
	}

	// The site goes away: the server stops and its host refuses.
	s.Stop()
	b.proxy.setDown(s.Host, true)
	if err := chromedp.Do(b.ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload offline: %v", err)
	}
	waitReady(t, b)
	if got := scoreInPage(t, b, compareTexts[1]); got.Label != want.Label || got.Risk != want.Risk || !slices.Equal(got.Sentences, want.Sentences) {
		t.Errorf("offline the page shows %+v, online %+v", got, want)
	}
	checkPage(t, b)
}

func TestLoadErrorsAreShown(t *testing.T) {
	dir := siteDir(t)
	for _, tc := range []struct {
		name   string
		site   func() string
		script string // run in the page before its own scripts
		want   string
	}{
		{"no WebAssembly", func() string { return dir }, `delete globalThis.WebAssembly`, "This browser cannot run WebAssembly"},
		{"model missing", func() string { return linkedSite(t, dir, []string{"finscore.fsb"}, nil) }, "",
			"Could not load /finscore.fsb: the server answered 404"},
		{"model corrupt", func() string {
			return linkedSite(t, dir, []string{"finscore.fsb"}, map[string]string{"finscore.fsb": "\x89FSB\r\n\x1a\nnot really a bundle"})
		}, "", "The model could not be loaded: bundle:"},
		{"engine missing", func() string { return linkedSite(t, dir, []string{"finscore.wasm"}, nil) }, "",
			"Could not load /finscore.wasm: the server answered 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, tc.site())
			b := newChrome(t)
			if tc.script != "" {
				if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: tc.script}); err != nil {
					t.Fatal(err)
				}
			}
			b.open(t, s, "/")
			waitFor(t, b, "the error", `document.querySelector('[data-testid=status]')?.textContent === 'error'`, time.Minute)
			if msg := eval[string](t, b, `document.querySelector('[data-testid=error]').textContent`); !strings.Contains(msg, tc.want) {
				t.Errorf("error shown: %q, want %q", msg, tc.want)
			}
			if !eval[bool](t, b, `document.querySelector('[data-testid=score]').disabled`) {
				t.Error("the Score button is enabled without a model")
			}
		})
	}
}

func TestBatchFileScoresLocallyAndDownloadsCSV(t *testing.T) {
	s := serve(t, siteDir(t))
	b := newChrome(t)
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
		BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID}); err != nil {
		t.Fatal(err)
	}
	b.open(t, s, "/")
	waitReady(t, b)

	items := compareTexts[:5]
	var csv strings.Builder
	csv.WriteString("id;source;text\n")
	for i, text := range items {
		csv.WriteString(strconv.Itoa(i+1) + ";wire;\"" + strings.ReplaceAll(text, `"`, `""`) + "\"\n")
	}
	file := filepath.Join(t.TempDir(), "notes.csv")
	os.WriteFile(file, []byte(csv.String()), 0o644)
	if err := chromedp.Do(b.ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=batch-file]`), []string{file})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "the file to be read", `!document.querySelector('[data-testid=batch-run]').disabled`, 30*time.Second)
	if col := eval[string](t, b, `document.querySelector('[data-testid=batch-column]').value`); col != "text" {
		t.Errorf("text column chosen: %q", col)
	}
	eval[bool](t, b, `(document.querySelector('[data-testid=batch-run]').click(), true)`)
	waitFor(t, b, "the batch", `/^Scored 5 items in/.test(document.querySelector('[data-testid=batch-status]').textContent)`, 3*time.Minute)

	// The preview and the downloaded CSV hold the labels the command gives.
	want := scoreWithCLI(t, items)
	rows := eval[[][]string](t, b, `[...document.querySelectorAll('[data-testid=batch-row]')].map((r) => [...r.cells].map((c) => c.textContent))`)
	if len(rows) != len(items) {
		t.Fatalf("preview has %d rows", len(rows))
	}
	for i, r := range rows {
		if r[1] != items[i] || r[2] != want[i].Sentiment.Label || r[4] != want[i].Risk.Level {
			t.Errorf("row %d: %q, want %s / %s", i, r, want[i].Sentiment.Label, want[i].Risk.Level)
		}
	}
	eval[bool](t, b, `(document.querySelector('[data-testid=batch-download]').click(), true)`)
	var data []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if data, _ = os.ReadFile(filepath.Join(downloads, "notes-finscore.csv")); len(data) > 0 {
			break
		}
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\r\n")
	if len(lines) != len(items)+1 || !strings.HasPrefix(lines[0], "item,text,label,signal") {
		t.Fatalf("downloaded CSV:\n%s", data)
	}
	for i, line := range lines[1:] {
		if !strings.Contains(line, ","+want[i].Sentiment.Label+",") || !strings.Contains(line, ","+want[i].Risk.Level+",") {
			t.Errorf("CSV line %d %q lacks %s / %s", i+1, line, want[i].Sentiment.Label, want[i].Risk.Level)
		}
	}

	// A long text file can be cancelled, and the page scores again after.
	long := filepath.Join(t.TempDir(), "many.txt")
	os.WriteFile(long, []byte(strings.Repeat("Net debt rose to 3.1 times EBITDA, close to the covenant limit, as cash flow weakened.\n", 3000)), 0o644)
	if err := chromedp.Do(b.ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=batch-file]`), []string{long})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "the text file to be read", `/many.txt: 3000 items/.test(document.querySelector('[data-testid=batch-status]').textContent)`, 30*time.Second)
	eval[bool](t, b, `(document.querySelector('[data-testid=batch-run]').click(), true)`)
	waitFor(t, b, "the batch to start", `/^Scored [1-9]/.test(document.querySelector('[data-testid=batch-status]').textContent)`, time.Minute)
	eval[bool](t, b, `(document.querySelector('[data-testid=batch-cancel]').click(), true)`)
	waitFor(t, b, "the cancel", `document.querySelector('[data-testid=batch-status]').textContent === 'Cancelled.' && !document.querySelector('[data-testid=batch-run]').disabled`, 30*time.Second)
	if got := scoreInPage(t, b, compareTexts[0]); got.Label != want[0].Sentiment.Label {
		t.Errorf("after a cancelled batch the page shows %+v", got)
	}

	// A file over the size limit is refused at once, with the reason.
	big := filepath.Join(t.TempDir(), "big.csv")
	os.WriteFile(big, bytes.Repeat([]byte("1,Net debt rose to 3.1 times EBITDA.\n"), 51<<20/37+1), 0o644)
	if err := chromedp.Do(b.ctx, chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=batch-file]`), []string{big})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "the size limit", `/^big.csv: the file is 51.0 MB; batch mode reads files up to 50.0 MB/.test(document.querySelector('[data-testid=batch-status]').textContent)`, 30*time.Second)
	if !eval[bool](t, b, `document.querySelector('[data-testid=batch-run]').disabled`) {
		t.Error("Run is enabled for a file that was refused")
	}

	checkPage(t, b)
	// The files themselves never went to the server.
	for _, r := range b.proxy.requests() {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("the page sent %s", r)
		}
	}
}

func TestElementDropsIntoAPortalPage(t *testing.T) {
	// A portal page elsewhere on the site: one script tag and the element.
	portal := `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portal</title>
<script type="module" src="/fin-score.js"></script></head>
<body><h1>Client desk</h1><fin-score></fin-score></body></html>`
	_, b := openPage(t, linkedSite(t, siteDir(t), nil, map[string]string{"portal/index.html": portal}), "/portal/")
	got := scoreInPage(t, b, compareTexts[0])
	want := scoreWithCLI(t, compareTexts[:1])[0]
	checkSameAsCLI(t, compareTexts[0], got, want)
	// The scorer is there for the portal's own scripts too.
	label := eval[string](t, b, `document.querySelector('fin-score').scorer.then((s) => s.score('Shares plunged after the profit warning.')).then((r) => r.sentiment.label)`)
	if label != "negative" {
		t.Errorf("scorer from script: %q", label)
	}
	// Wrong types from JavaScript reject with a clear message.
	msg := eval[string](t, b, `document.querySelector('fin-score').scorer.then((s) => s.score(42)).then(() => 'resolved', (e) => e.code + ': ' + e.message)`)
	if msg != "input: text must be a string, got number" {
		t.Errorf("score(42): %q", msg)
	}
	msg = eval[string](t, b, `document.querySelector('fin-score').scorer.then((s) => s.score('€'.repeat(1500000))).then(() => 'resolved', (e) => e.code + ': ' + e.message)`)
	if !strings.HasPrefix(msg, "input: text is 4.3 MB; finscore scores up to 4 MB at a time.") {
		t.Errorf("score(4.3 MB): %q", msg)
	}
	msg = eval[string](t, b, `document.querySelector('fin-score').scorer.then((s) => s.score('x', { explain: 'yes' })).then(() => 'resolved', (e) => e.code + ': ' + e.message)`)
	if msg != "input: options.explain must be a boolean, got string" {
		t.Errorf("score(x, {explain: 'yes'}): %q", msg)
	}
}

func TestServiceWorkerListsEveryFile(t *testing.T) {
	dir := siteDir(t)
	sw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "web", "sw.js"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*'([^']+)',$`).FindAllStringSubmatch(string(sw), -1) {
		listed[m[1]] = true
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "sw.js" && !listed[e.Name()] {
			t.Errorf("%s is in the site but not in sw.js's SITE list: offline, it would fail to load", e.Name())
		}
	}
	for name := range listed {
		if _, err := os.Stat(filepath.Join(dir, name)); name != "./" && err != nil {
			t.Errorf("sw.js lists %s, which the site does not have", name)
		}
	}
}

func TestContentSecurityPolicyBlocksOtherOrigins(t *testing.T) {
	_, b := openPage(t, siteDir(t), "/")
	// What a compromised or careless script might try: each is refused by
	// the browser before any request is made.
	got := eval[string](t, b, `fetch('http://example.com/collect?text=secret').then(() => 'sent', (e) => 'refused: ' + e.name)`)
	if got != "refused: TypeError" {
		t.Errorf("cross-origin fetch: %s", got)
	}
	eval[bool](t, b, `(() => {
		const s = document.createElement('script');
		s.textContent = 'window.__inline = 1';
		document.body.append(s);
		const i = document.createElement('img');
		i.src = 'http://example.com/pixel.gif';
		document.body.append(i);
		return true;
	})()`)
	waitFor(t, b, "the violations", `__problems.length >= 3`, 10*time.Second)
	if eval[bool](t, b, `window.__inline === 1`) {
		t.Error("an inline script ran")
	}
	problems := strings.Join(eval[[]string](t, b, `__problems`), "\n")
	for _, want := range []string{"connect-src", "script-src", "img-src"} {
		if !strings.Contains(problems, want) {
			t.Errorf("no %s violation recorded; problems:\n%s", want, problems)
		}
	}
	for _, r := range b.proxy.requests() {
		if strings.Contains(r, "example.com") {
			t.Errorf("the browser sent %s", r)
		}
	}
	// The network watch saw the page ask for the image, and the browser
	// block it (a fetch that connect-src refuses is not even reported).
	if err := b.net.sync(b.ctx); err != nil {
		t.Fatal(err)
	}
	var tried []string
	for _, r := range b.pageRequests() {
		if strings.Contains(r.URL, "example.com") {
			tried = append(tried, r.String())
		}
	}
	if want := "page: GET http://example.com/pixel.gif (Image), blocked: csp"; !slices.Contains(tried, want) {
		t.Errorf("the watch did not see %q; it saw:\n  %s", want, strings.Join(tried, "\n  "))
	}
	for _, r := range tried {
		if !strings.HasSuffix(r, ", blocked: csp") {
			t.Errorf("not blocked: %s", r)
		}
	}
}

func TestTwoWorkersShareALongTextAndAgreeWithOne(t *testing.T) {
	_, b := openPage(t, siteDir(t), "/")
	doc := benchDocument(t)
	type result struct {
		Same     bool      `json:"same"`
		Workers  []int     `json:"workers"`
		Progress [][2]int  `json:"progress"`
		Labels   [2]string `json:"labels"`
	}
	got := eval[result](t, b, `(async () => {
		const { createScorer } = await import('./finscore.js');
		const one = await createScorer({ workers: 1 });
		const two = await createScorer({ workers: 2 });
		const text = `+js(doc)+`;
		await two.score(text); // starts the second worker
		while ((await two.score(text)).timing.workers < 2) await new Promise((r) => setTimeout(r, 100));
		const progress = [];
		const [a, b] = [await one.score(text), await two.score(text, { onProgress: (d, t) => progress.push([d, t]) })];
		const strip = (r) => JSON.stringify({ ...r, timing: undefined });
		one.close(); two.close();
		return { same: strip(a) === strip(b), workers: [a.timing.workers, b.timing.workers], progress, labels: [a.sentiment.label, b.sentiment.label] };
	})()`)
	if !got.Same || got.Workers[0] != 1 || got.Workers[1] != 2 {
		t.Errorf("one worker and two: same report %v, workers %v, labels %v", got.Same, got.Workers, got.Labels)
	}
	if n := len(got.Progress); n == 0 || got.Progress[n-1] != [2]int{20, 20} {
		t.Errorf("progress over two workers: %v", got.Progress)
	}
}

func TestRequestsAreAttributedToThePageAndItsWorkers(t *testing.T) {
	siteDir(t) // a browser test: it runs with the others
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := attributionSite[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(r.URL.Path, ".js") {
			w.Header().Set("Content-Type", "text/javascript")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
		io.WriteString(w, body)
	}))
	defer srv.Close()
	b := newChrome(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	b.proxy.allow(host)
	if err := chromedp.Do(b.ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	eval[bool](t, b, `window.done`) // the fetches settled, the worker answered, the service worker installed

	// A request through the proxy that no target made, as the browser's
	// own background calls are (Chromium 148's CONNECT www.google.com:443).
	proxyURL, _ := url.Parse(b.proxy.srv.URL)
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL)}}
	if resp, err := client.Get("https://www.google.com/"); err == nil {
		resp.Body.Close()
	}
	if err := b.net.sync(b.ctx); err != nil {
		t.Fatal(err)
	}

	want := map[string]string{
		"http://127.0.0.2:1/from-page":           "page",
		"http://127.0.0.2:1/from-worker":         "worker",
		"http://127.0.0.2:1/from-service-worker": "service_worker",
	}
	foreign := b.foreign()
	for u, source := range want {
		if !slices.ContainsFunc(foreign, func(f string) bool { return strings.HasPrefix(f, source+": GET "+u+" ") }) {
			t.Errorf("the check does not see the %s's request to %s; it sees:\n  %s", source, u, strings.Join(foreign, "\n  "))
		}
	}
	if len(foreign) != len(want) {
		t.Errorf("the check sees %d requests off the origin, want %d:\n  %s", len(foreign), len(want), strings.Join(foreign, "\n  "))
	}
	if seen := strings.Join(b.proxy.requests(), "\n"); !strings.Contains(seen, "CONNECT https://www.google.com:443/") {
		t.Errorf("the proxy did not see the request made outside the browser:\n%s", seen)
	}
	t.Logf("attributed:\n  %s", strings.Join(foreign, "\n  "))
	b.proxy.allow("127.0.0.2:1") // seen; the end-of-test check passes
}

// TestWorkersStartWarmAndNeverWhileScoringOnTwoCores checks the worker
// pool's start-up: createScorer starts two engines and warms both before
// it resolves, so that the first long text is shared at once; a third
// (workers: 3) starts for the texts that follow, while the first is scored
// on a machine with four cores, but only once the pool is idle on one with
// two, where it would take a core from the scoring.
func TestWorkersStartWarmAndNeverWhileScoringOnTwoCores(t *testing.T) {
	_, b := openPage(t, siteDir(t), "/")
	doc := benchDocument(t)
	type result struct {
		AtReady      int      `json:"atReady"`      // workers createScorer started
		WarmMs       *float64 `json:"warmMs"`       // the first one's warm-up score
		FirstWorkers int      `json:"firstWorkers"` // workers that shared the first long text
		Events       []string `json:"events"`       // score (called), new (a worker starts), done (the score's last answer arrives)
		Workers      int      `json:"workers"`      // workers once idle
	}
	for _, cores := range []int{2, 4} {
		got := eval[result](t, b, `(async () => {
			Object.defineProperty(navigator, 'hardwareConcurrency', { value: `+strconv.Itoa(cores)+`, configurable: true });
			const events = [];
			let created = 0;
			const Real = window.__RealWorker ??= window.Worker;
			window.Worker = class extends Real {
				constructor(...args) { super(...args); created++; events.push('new'); this.jobs = new Map(); }
				postMessage(m, ...rest) { if (m?.id !== undefined) this.jobs.set(m.id, m.type); return super.postMessage(m, ...rest); }
				get onmessage() { return super.onmessage; }
				set onmessage(fn) {
					super.onmessage = (e) => {
						if (e.data?.type === 'result' && this.jobs.get(e.data.id) === 'assemble') events.push('done');
						fn(e);
					};
				}
			};
			try {
				const { createScorer } = await import('./finscore.js');
				const s = await createScorer({ workers: 3 });
				const atReady = created;
				events.length = 0;
				events.push('score');
				const r = await s.score(`+js(doc)+`);
				for (let i = 0; i < 600 && created < 3; i++) await new Promise((ok) => setTimeout(ok, 100));
				s.close();
				return { atReady, warmMs: s.startup.warm_ms, firstWorkers: r.timing.workers, events, workers: created };
			} finally {
				window.Worker = Real;
			}
		})()`)
		if got.AtReady != 2 || got.WarmMs == nil || got.FirstWorkers != 2 {
			t.Errorf("%d cores: createScorer started %d workers (warm-up %v ms); the first long text was shared by %d; want 2, a warm-up and 2",
				cores, got.AtReady, got.WarmMs, got.FirstWorkers)
		}
		duringScore := slices.Index(got.Events, "new") >= 0 && slices.Index(got.Events, "new") < slices.Index(got.Events, "done")
		if want := cores > 2; duringScore != want || got.Workers != 3 {
			t.Errorf("%d cores: events %q, %d workers in the end; want the third to start %s the score",
				cores, got.Events, got.Workers, map[bool]string{true: "during", false: "after"}[want])
		}
	}
}
