package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"

	"finscore/core/testenv"
)

// The browser tests drive the built site (make site) in headless Chromium.
// make test-browser sets FINSCORE_SITE to it; without it they skip, since
// a bare `go test ./...` has neither the site nor a browser.

func siteDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("FINSCORE_SITE")
	if dir == "" {
		t.Skip("FINSCORE_SITE is not set: make test-browser builds the site and runs these tests")
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Fatalf("FINSCORE_SITE=%s is not a built site: %v", dir, err)
	}
	return dir
}

func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("FINSCORE_CHROMIUM"); p != "" {
		return p
	}
	// Debian's /usr/bin/chromium is a wrapper script that adds Google API
	// keys and remote extension updates; their calls home are the
	// browser's, not the page's, but the recorder would see them. The
	// binary behind it runs without.
	if _, err := os.Stat("/usr/lib/chromium/chromium"); err == nil {
		return "/usr/lib/chromium/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH (make test-browser installs Debian's chromium; or set FINSCORE_CHROMIUM)")
	return ""
}

var (
	buildOnce   sync.Once
	finscoreBin string
	buildErr    error
)

// finscoreCommand builds the finscore command once per test run.
func finscoreCommand(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "finscore-web-test")
		if err != nil {
			buildErr = err
			return
		}
		finscoreBin = filepath.Join(dir, "finscore")
		cmd := exec.Command("go", "build", "-o", finscoreBin, "./tools/finscore")
		cmd.Dir = testenv.RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./tools/finscore: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return finscoreBin
}

// site is one `finscore serve` process.
type site struct {
	URL  string // http://127.0.0.1:port/
	Host string // 127.0.0.1:port
	cmd  *exec.Cmd
}

// serve runs `finscore serve --dir dir` on a free loopback port.
func serve(t testing.TB, dir string) *site {
	t.Helper()
	cmd := exec.Command(finscoreCommand(t), "serve", "--addr", "127.0.0.1:0", "--dir", dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &site{cmd: cmd}
	t.Cleanup(s.Stop)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("finscore serve printed nothing: %v", err)
	}
	go io.Copy(io.Discard, stdout)
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("finscore serve: unexpected first line %q", line)
	}
	s.URL = strings.Fields(line[i:])[0]
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	s.Host = u.Host
	return s
}

// Stop ends the server (a second call does nothing).
func (s *site) Stop() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// linkedSite makes a copy of the site in a temporary folder, as hard links
// (copies across file systems; finscore serve follows no symbolic link out
// of its folder), leaving out the names in omit and adding the files in
// extra.
func linkedSite(t testing.TB, dir string, omit []string, extra map[string]string) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if slices.Contains(omit, e.Name()) {
			continue
		}
		from, to := filepath.Join(dir, e.Name()), filepath.Join(out, e.Name())
		if os.Link(from, to) != nil {
			data, err := os.ReadFile(from)
			if err == nil {
				err = os.WriteFile(to, data, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, body := range extra {
		p := filepath.Join(out, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// recorder is the browser's HTTP proxy. Chromium sends every request
// through it, loopback included (--proxy-bypass-list=<-loopback>), from
// pages, workers and service workers alike, so it sees each one. It
// forwards requests for the allowed hosts and refuses all others.
type recorder struct {
	srv     *httptest.Server
	mu      sync.Mutex
	seen    []string
	allowed map[string]bool
	down    map[string]bool
}

func newRecorder(t testing.TB) *recorder {
	r := &recorder{allowed: map[string]bool{}, down: map[string]bool{}}
	transport := &http.Transport{Proxy: nil, DisableCompression: true}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		target := req.URL.String()
		if req.Method == http.MethodConnect {
			target = "https://" + req.Host + "/"
		}
		r.mu.Lock()
		r.seen = append(r.seen, req.Method+" "+target)
		allowed, down := r.allowed[req.URL.Host], r.down[req.URL.Host]
		r.mu.Unlock()
		if !allowed || req.Method == http.MethodConnect {
			http.Error(w, "blocked by the test's proxy", http.StatusForbidden)
			return
		}
		if down {
			hangUp(w)
			return
		}
		out, err := http.NewRequestWithContext(req.Context(), req.Method, target, req.Body)
		if err != nil {
			hangUp(w)
			return
		}
		out.Header = req.Header.Clone()
		out.Header.Del("Proxy-Connection")
		resp, err := transport.RoundTrip(out)
		if err != nil {
			hangUp(w) // the browser sees a network error, as when offline
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func (r *recorder) allow(host string) {
	r.mu.Lock()
	r.allowed[host] = true
	r.mu.Unlock()
}

// setDown makes host unreachable (true) or reachable again.
func (r *recorder) setDown(host string, down bool) {
	r.mu.Lock()
	r.down[host] = down
	r.mu.Unlock()
}

// requests returns every request seen so far, as "METHOD URL".
func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// isAllowed reports whether host is one the test allowed.
func (r *recorder) isAllowed(host string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.allowed[host]
}

// foreign returns the requests to hosts other than the allowed ones.
func (r *recorder) foreign() []string {
	var out []string
	for _, req := range r.requests() {
		u, err := url.Parse(strings.SplitN(req, " ", 2)[1])
		if err != nil || !r.isAllowed(u.Host) {
			out = append(out, req)
		}
	}
	return out
}

// chrome is one headless Chromium tab whose traffic goes through a recorder.
type chrome struct {
	ctx     context.Context
	browser context.Context // the browser, for more tabs
	proxy   *recorder
	net     *netWatch // every request, by the target that made it

	mu       sync.Mutex
	contexts map[string]bool // the browser contexts of the test's tabs
}

// newChrome starts Chromium for one test and opens a tab in a fresh
// browser context (a profile of its own) whose proxy is a recorder: every
// request of that context goes through it, the page's, its workers' and its
// service worker's, and the browser's own calls that it makes there. The
// network watch (netlog_test.go) tells them apart. At the end of the test,
// a request that the page, a worker or the service worker of a test's tab
// sent to a host the test did not allow fails the test; the browser's own
// are listed in the log.
func newChrome(t testing.TB) *chrome {
	t.Helper()
	proxy := newRecorder(t)
	c := &chrome{proxy: proxy, contexts: map[string]bool{}}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		// The browser listens on a loopback port, so that the watch
		// connects to it beside chromedp, before any tab opens.
		chromedp.WithDialer(func(ctx context.Context, wsURL string) (chromedp.Transport, error) {
			w, err := watchNetwork(ctx, wsURL)
			if err != nil {
				return nil, fmt.Errorf("watching the network: %w", err)
			}
			c.net = w
			return remote.DialContext(ctx, wsURL)
		}),
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// No UserDataDir: chromedp's own temporary profile, which it
		// removes once the browser and its helpers have exited.
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-domain-reliability", true),
		// Chrome's autofill asks Google's servers about the shape of forms
		// on any page (hashes of field names, never their content). That
		// is the browser's feature, not a request of the page; a page
		// cannot turn it off (autocomplete=off does not), so it is off here
		// for the record to show only the page's own requests.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,AutofillServerCommunication"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		if c.net != nil {
			c.net.sync(ctx) // the events sent so far are in
		}
		foreign := c.foreign()
		cancelBrowser()
		cancelAlloc()
		cancel()
		if c.net == nil {
			return
		}
		c.net.close()
		if len(foreign) > 0 {
			t.Errorf("requests left the page's origin:\n  %s", strings.Join(foreign, "\n  "))
		}
		if p := c.net.failures(); len(p) > 0 {
			t.Errorf("the network watch may have missed requests:\n  %s", strings.Join(p, "\n  "))
		}
		if f := proxy.foreign(); len(f) > 0 {
			t.Logf("the browser's own requests through the proxy, ignored (no target of a test's tab made them):\n  %s", strings.Join(f, "\n  "))
		}
	})
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", chromiumPath(t), err)
	}
	c.browser = bctx
	tab, closeTab := c.newTab(t)
	t.Cleanup(closeTab)
	c.ctx = tab
	return c
}

// newTab opens a tab in a new browser context (empty caches, no service
// worker) whose requests go through the recorder; closeTab ends both.
func (c *chrome) newTab(t testing.TB) (tab context.Context, closeTab func()) {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(c.browser, chromedp.WithNewBrowserContext(func(p *target.CreateBrowserContextParams) {
		p.ProxyServer = c.proxy.srv.URL
		p.ProxyBypassList = "<-loopback>" // loopback goes through the proxy too
	}))
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		t.Fatalf("opening a tab: %v", err)
	}
	c.mu.Lock()
	c.contexts[string(chromedp.FromContext(tab).BrowserContextID)] = true
	c.mu.Unlock()
	// Every page of the tab records Content-Security-Policy violations
	// (a blocked request or inline script) and uncaught errors.
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageProblems}); err != nil {
		cancelTab()
		t.Fatal(err)
	}
	return tab, cancelTab
}

// pageRequests returns the requests that the targets of the test's tabs
// made (their pages, frames, workers and service workers), in order.
func (c *chrome) pageRequests() []netRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []netRequest
	for _, r := range c.net.requests() {
		if c.contexts[r.Context] {
			out = append(out, r)
		}
	}
	return out
}

// foreign returns the page's requests that left for a host the test did
// not allow.
func (c *chrome) foreign() []string {
	var out []string
	for _, r := range c.pageRequests() {
		if u, err := url.Parse(r.URL); r.leaves() && (err != nil || !c.proxy.isAllowed(u.Host)) {
			out = append(out, r.String())
		}
	}
	return out
}

// pageProblems collects what went wrong in a page, for checkPage.
const pageProblems = `window.__problems = [];
document.addEventListener('securitypolicyviolation', (e) => __problems.push('CSP blocked ' + e.blockedURI + ' (' + e.violatedDirective + ')'));
window.addEventListener('error', (e) => __problems.push('error: ' + e.message));
window.addEventListener('unhandledrejection', (e) => __problems.push('unhandled rejection: ' + (e.reason?.message ?? e.reason)));`

// checkPage fails the test if the page recorded a CSP violation or an
// uncaught error.
func checkPage(t testing.TB, b *chrome) {
	t.Helper()
	if p := eval[[]string](t, b, `window.__problems ?? ['the problem recorder is missing']`); len(p) > 0 {
		t.Errorf("the page had problems:\n  %s", strings.Join(p, "\n  "))
	}
}

// open serves through the recorder and loads url.
func (b *chrome) open(t testing.TB, s *site, path string) {
	t.Helper()
	b.proxy.allow(s.Host)
	if err := chromedp.Do(b.ctx, chromedp.Navigate(s.URL+strings.TrimPrefix(path, "/"))); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a Promise) into T.
func eval[T any](t testing.TB, b *chrome, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %.200s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it is true.
func waitFor(t testing.TB, b *chrome, what, predicate string, timeout time.Duration) {
	t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](predicate,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout))); err != nil {
		state := eval[string](t, b, `document.querySelector('[data-testid=status]')?.textContent + ' / ' + (document.querySelector('[data-testid=error]')?.textContent ?? '')`)
		t.Fatalf("waiting for %s: %v (status / error: %s)", what, err, state)
	}
}

// openPage serves dir, opens path in a new browser and waits until the
// model is loaded.
func openPage(t testing.TB, dir, path string) (*site, *chrome) {
	t.Helper()
	s := serve(t, dir)
	b := newChrome(t)
	b.open(t, s, path)
	waitReady(t, b)
	return s, b
}

func waitReady(t testing.TB, b *chrome) {
	t.Helper()
	waitFor(t, b, "the model to load", `document.querySelector('[data-testid=status]')?.textContent === 'ready'`, 2*time.Minute)
}

// benchDocument is tools/bench/testdata/document.txt, the 20-sentence
// document that make bench and make bench-browser time.
func benchDocument(t testing.TB) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "tools", "bench", "testdata", "document.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// shown is what the page shows for one scored text.
type shown struct {
	Label     string   `json:"label"`
	Risk      string   `json:"risk"`
	Sentences []string `json:"sentences"`
	Texts     []string `json:"texts"`
}

// countResults makes the page count fin-score-result events (idempotent).
const countResults = `window.__results ?? (window.__results = 0, document.addEventListener('fin-score-result', () => window.__results++), 0)`

// scoreInPage puts text in the box, presses Score and reads the result.
func scoreInPage(t testing.TB, b *chrome, text string) shown {
	t.Helper()
	before := eval[int](t, b, countResults)
	eval[bool](t, b, `(document.querySelector('[data-testid=input]').value = `+js(text)+`, true)`)
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(`[data-testid=score]`))); err != nil {
		t.Fatal(err)
	}
	waitResult(t, b, before)
	return readShown(t, b)
}

func waitResult(t testing.TB, b *chrome, before int) {
	t.Helper()
	waitFor(t, b, "the result", fmt.Sprintf(`window.__results > %d && document.querySelector('[data-testid=status]').textContent === 'ready'`, before), 3*time.Minute)
}

func readShown(t testing.TB, b *chrome) shown {
	t.Helper()
	return eval[shown](t, b, `(() => {
		const q = (s) => document.querySelector(s)?.textContent ?? '';
		const all = (s) => [...document.querySelectorAll(s)].map((e) => e.textContent);
		return { label: q('[data-testid=overall-label]'), risk: q('[data-testid=risk-level]'),
			sentences: all('[data-testid=sentence] [data-testid=sentence-label]').map((s) => s.replace(/^\S+\s/, '')),
			texts: all('[data-testid=sentence] .fs-text') };
	})()`)
}

// cliReport is the part of a `finscore score` report the page shows.
type cliReport struct {
	Sentiment struct {
		Label  string             `json:"label"`
		Probs  map[string]float64 `json:"probs"`
		Signal float64            `json:"signal"`
	} `json:"sentiment"`
	Risk struct {
		Level string `json:"level"`
	} `json:"risk"`
	Sentences []struct {
		Text      string `json:"text"`
		Sentiment struct {
			Label string `json:"label"`
		} `json:"sentiment"`
	} `json:"sentences"`
}

// scoreWithCLI runs `finscore score` with the shipped model on texts.
func scoreWithCLI(t testing.TB, texts []string) []cliReport {
	t.Helper()
	var in bytes.Buffer
	for _, text := range texts {
		line, _ := json.Marshal(map[string]string{"text": text})
		in.Write(append(line, '\n'))
	}
	cmd := exec.Command(finscoreCommand(t), "score", "--weights", filepath.Join(testenv.RepoRoot(t), "weights", "finscore.fsb"))
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("finscore score: %v", err)
	}
	var reports []cliReport
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var r cliReport
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
	}
	if len(reports) != len(texts) {
		t.Fatalf("finscore score wrote %d reports for %d texts", len(reports), len(texts))
	}
	return reports
}
