package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeFiles writes files (name: content) below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// startSite serves dir under limits on a loopback port and returns the
// site and its base URL.
func startSite(t *testing.T, dir string, limits serveLimits) (*site, string) {
	t.Helper()
	s, err := newSite(dir, limits)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := limits.server(s)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); s.Close() })
	return s, "http://" + ln.Addr().String()
}

// fetch sends a request with the given headers (name, value, ...) and
// returns the response and its body, gunzipped if it came gzipped.
func fetch(t *testing.T, method, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" && method != "HEAD" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("%s: bad gzip: %v", url, err)
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp, string(b)
}

// squares is text that compresses well but not to nothing.
func squares(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%d,", i*i)
	}
	return b.String()
}

func TestSiteHandler(t *testing.T) {
	dir := t.TempDir()
	// Large and varied enough that the server cannot buffer all of it
	// (a short body gets a Content-Length whatever the handler does).
	engine := squares(40000)
	writeFiles(t, dir, map[string]string{
		"index.html":    "<!doctype html><title>finscore</title>",
		"finscore.wasm": engine,
		"app.js":        "export const x = 1; // long enough that gzip makes it smaller",
		"model.fsb":     strings.Repeat("\x89FSB", 500),
		"sub/notes.txt": "hello",
	})
	engineLen := strconv.Itoa(len(engine))
	os.WriteFile(filepath.Join(filepath.Dir(dir), "secret.txt"), []byte("secret"), 0o644)
	_, base := startSite(t, dir, defaultServeLimits)
	get := func(path string, gz bool) (*http.Response, string) {
		if gz {
			return fetch(t, "GET", base+path, "Accept-Encoding", "gzip")
		}
		return fetch(t, "GET", base+path)
	}

	resp, body := get("/", true)
	if resp.StatusCode != 200 || !strings.Contains(body, "<title>finscore") || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("index: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "connect-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", resp.Header)
	}

	resp, body = get("/finscore.wasm", true)
	if resp.Header.Get("Content-Type") != "application/wasm" || resp.Header.Get("Content-Encoding") != "gzip" || body != engine {
		t.Errorf("wasm: %v, %d bytes", resp.Header, len(body))
	}
	if resp.Header.Get("X-Decoded-Length") != engineLen || resp.Header.Get("Content-Length") == "" || resp.ContentLength >= int64(len(engine)) {
		t.Errorf("gzipped wasm: X-Decoded-Length %q (want %s), Content-Length %q", resp.Header.Get("X-Decoded-Length"), engineLen, resp.Header.Get("Content-Length"))
	}
	// The compressed copy is kept, and made again when the file changes.
	if _, body := get("/app.js", true); !strings.HasPrefix(body, "export const x = 1;") {
		t.Errorf("app.js served as %q", body)
	}
	writeFiles(t, dir, map[string]string{"app.js": "export const x = 2; // changed, and still long enough for gzip"})
	later := time.Now().Add(time.Minute)
	os.Chtimes(filepath.Join(dir, "app.js"), later, later)
	if _, body := get("/app.js", true); !strings.HasPrefix(body, "export const x = 2; // changed") {
		t.Errorf("changed file served as %q", body)
	}
	// Bundles go uncompressed, with their length, for exact progress.
	resp, body = get("/model.fsb", true)
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Content-Length") != "2000" || len(body) != 2000 {
		t.Errorf("fsb: %v, %d bytes", resp.Header, len(body))
	}
	resp, body = get("/finscore.wasm", false)
	if resp.Header.Get("Content-Encoding") != "" || body != engine || resp.Header.Get("Content-Length") != engineLen {
		t.Errorf("wasm without gzip: %v, %d bytes", resp.Header, len(body))
	}
	if resp, _ := get("/app.js", true); !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("js: %v", resp.Header)
	}
	for _, path := range []string{"/sub/", "/missing.js", "/../secret.txt", "/%2e%2e/secret.txt", "/app.js/"} {
		if resp, body := get(path, false); resp.StatusCode != 404 || strings.Contains(body, "notes.txt") || strings.Contains(body, "secret") {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
}

// TestSiteServesOnlyRegularFilesInside: no way out of the folder through
// a symbolic link, no dotfiles at any depth, and files of unknown type go
// as bytes, never sniffed into a page.
func TestSiteServesOnlyRegularFilesInside(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.txt": "secret", "secrets/key.txt": "secret"})
	page := "<html><script>alert(document.domain)</script></html>"
	writeFiles(t, dir, map[string]string{
		"index.html":                "home",
		"inside.txt":                "inside",
		".env":                      "KEY=secret",
		".git/config":               "secret",
		"sub/.hidden":               "secret",
		".well-known/security.txt":  "secret",
		"README":                    page,
		"upload.xyz":                page,
		"sub/index.html":            "sub",
		"sub/.config/settings.json": "secret",
	})
	for link, target := range map[string]string{
		"leak.txt":   filepath.Join(outside, "secret.txt"),
		"leakdir":    filepath.Join(outside, "secrets"),
		"relleak":    filepath.Join("..", filepath.Base(outside), "secret.txt"),
		"alias.txt":  "inside.txt",    // inside: served
		"sub/up.txt": "../inside.txt", // inside: served
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	_, base := startSite(t, dir, defaultServeLimits)
	for _, path := range []string{"/leak.txt", "/leakdir/key.txt", "/leakdir/", "/relleak",
		"/.env", "/%2eenv", "/.git/config", "/sub/.hidden", "/.well-known/security.txt", "/sub/.config/settings.json", "/sub/./.hidden"} {
		if resp, body := fetch(t, "GET", base+path); resp.StatusCode != 404 || strings.Contains(body, "secret") {
			t.Errorf("%s: %d %q, want 404", path, resp.StatusCode, body)
		}
	}
	for path, want := range map[string]string{"/inside.txt": "inside", "/alias.txt": "inside", "/sub/up.txt": "inside", "/sub/": "sub"} {
		if resp, body := fetch(t, "GET", base+path); resp.StatusCode != 200 || body != want {
			t.Errorf("%s: %d %q, want %q", path, resp.StatusCode, body, want)
		}
	}
	for _, path := range []string{"/README", "/upload.xyz"} {
		resp, body := fetch(t, "GET", base+path)
		if resp.StatusCode != 200 || body != page || resp.Header.Get("Content-Type") != "application/octet-stream" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d, Content-Type %q, nosniff %q; want application/octet-stream", path, resp.StatusCode,
				resp.Header.Get("Content-Type"), resp.Header.Get("X-Content-Type-Options"))
		}
	}
}

func TestSiteRedirectsDirectoryNames(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "home", "docs/index.html": "docs", "docs/deeper/index.html": "deeper", "empty/x.fsb": "x"})
	_, base := startSite(t, dir, defaultServeLimits)
	for path, want := range map[string]string{"/docs": "./docs/", "/docs?lang=en": "./docs/?lang=en", "/docs/deeper": "./deeper/", "/empty": "./empty/"} {
		if resp, _ := fetch(t, "GET", base+path); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want 301 to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	// A client follows the redirect to the index; a folder without one
	// is not listed.
	resp, err := http.Get(base + "/docs/deeper")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "deeper" || resp.Request.URL.Path != "/docs/deeper/" {
		t.Errorf("following /docs/deeper: %d %q at %s", resp.StatusCode, b, resp.Request.URL.Path)
	}
	if resp, body := fetch(t, "GET", base+"/empty/"); resp.StatusCode != 404 || strings.Contains(body, "x.fsb") {
		t.Errorf("/empty/: %d %q", resp.StatusCode, body)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                         false,
		"gzip":                     true,
		"gzip, deflate, br, zstd":  true,
		"GZIP;Q=0.5":               true,
		"x-gzip":                   true,
		"deflate, gzip;q=0.001":    true,
		"gzip;level=9":             true,
		"gzip;q=0":                 false,
		"gzip; q=0.000":            false,
		"gzip;q=0, deflate":        false,
		"*":                        true,
		"*;q=0":                    false,
		"*, gzip;q=0":              false, // gzip named: "*" does not count
		"gzip;q=0, *":              false,
		"identity":                 false,
		"br":                       false,
		"gzipped":                  false,
		"gzip;q=abc":               false, // a malformed weight turns nothing on
		"gzip;q=-1":                false,
		"gzip;q=1e0":               false,
		"gzip;q=2":                 false,
		"identity;q=1, *;q=0.5, a": true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// TestGzipAndRanges: a range is served from the file as it is, since
// ranges of compressed bytes would be of no use; a gzipped response does
// not offer ranges; gzip;q=0 gets no gzip; gzip that would not make a
// file smaller is not used.
func TestGzipAndRanges(t *testing.T) {
	dir := t.TempDir()
	text := squares(20000)
	random := make([]byte, 50000)
	rand.NewChaCha8([32]byte{}).Read(random)
	writeFiles(t, dir, map[string]string{"app.js": text, "noise.txt": string(random)})
	_, base := startSite(t, dir, defaultServeLimits)

	resp, body := fetch(t, "GET", base+"/app.js", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || body != text || resp.Header.Get("Accept-Ranges") != "" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("gzipped: Content-Encoding %q, Accept-Ranges %q, Vary %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Accept-Ranges"), resp.Header.Get("Vary"))
	}
	resp, body = fetch(t, "GET", base+"/app.js", "Accept-Encoding", "gzip", "Range", "bytes=10-19")
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Encoding") != "" || body != text[10:20] ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 10-19/%d", len(text)) {
		t.Errorf("range with gzip accepted: %d, Content-Encoding %q, Content-Range %q, body %q; want 206 and the file's bytes 10-19",
			resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Range"), body)
	}
	resp, body = fetch(t, "GET", base+"/app.js", "Accept-Encoding", "gzip;q=0")
	if resp.Header.Get("Content-Encoding") != "" || body != text || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("gzip;q=0: Content-Encoding %q, Accept-Ranges %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Accept-Ranges"))
	}
	resp, body = fetch(t, "GET", base+"/noise.txt", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "" || body != string(random) || resp.ContentLength != int64(len(random)) {
		t.Errorf("incompressible: Content-Encoding %q, Content-Length %d", resp.Header.Get("Content-Encoding"), resp.ContentLength)
	}
	resp, body = fetch(t, "HEAD", base+"/app.js", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || body != "" || resp.ContentLength <= 0 || resp.ContentLength >= int64(len(text)) {
		t.Errorf("HEAD: Content-Encoding %q, Content-Length %d", resp.Header.Get("Content-Encoding"), resp.ContentLength)
	}
}

// TestGzipCacheIsBounded: what the cache keeps never exceeds its bound,
// whatever is asked of it; files over the compression limit are sent as
// they are without entering it.
func TestGzipCacheIsBounded(t *testing.T) {
	dir := t.TempDir()
	limits := defaultServeLimits
	limits.GzipFileBytes, limits.GzipCacheBytes = 256<<10, 40<<10
	files := map[string]string{}
	for i := range 8 {
		files[fmt.Sprintf("part%d.js", i)] = fmt.Sprintf("// part %d\n", i) + squares(10000)
	}
	big := strings.Repeat("all work and no play makes a large text file\n", 12000) // 540 KB: over the limit
	files["big1.txt"], files["big2.txt"] = big, big
	writeFiles(t, dir, files)
	s, base := startSite(t, dir, limits)
	compressed := int64(0)
	for round := range 2 {
		for name, want := range files {
			resp, body := fetch(t, "GET", base+"/"+name, "Accept-Encoding", "gzip")
			gzipped := resp.Header.Get("Content-Encoding") == "gzip"
			if body != want || gzipped == strings.HasPrefix(name, "big") {
				t.Fatalf("round %d, %s: gzip %v, %d bytes (want %d)", round, name, gzipped, len(body), len(want))
			}
			if gzipped {
				compressed += resp.ContentLength
			} else if resp.ContentLength != int64(len(big)) {
				t.Errorf("%s: Content-Length %d, want %d", name, resp.ContentLength, len(big))
			}
			if size := s.gzip.size(); size > limits.GzipCacheBytes {
				t.Fatalf("after %s: the cache holds %d bytes, bound %d", name, size, limits.GzipCacheBytes)
			}
		}
	}
	t.Logf("%d compressed bytes sent; the cache holds %d of at most %d", compressed, s.gzip.size(), limits.GzipCacheBytes)
	if compressed <= 2*limits.GzipCacheBytes || s.gzip.size() == 0 {
		t.Fatalf("only %d compressed bytes sent: the test does not fill the cache", compressed)
	}
}

func TestCompress(t *testing.T) {
	text := squares(5000)
	gz, err := compress(strings.NewReader(text), int64(len(text)))
	if err != nil || gz == nil || len(gz) >= len(text) {
		t.Fatalf("text: %d bytes, %v", len(gz), err)
	}
	zr, _ := gzip.NewReader(strings.NewReader(string(gz)))
	if back, err := io.ReadAll(zr); err != nil || string(back) != text {
		t.Errorf("round trip: %v", err)
	}
	for _, in := range []string{"", "x", "abcdefghij"} {
		if gz, err := compress(strings.NewReader(in), int64(len(in))); gz != nil || err != nil {
			t.Errorf("%q: %d bytes, %v; want nil (not smaller)", in, len(gz), err)
		}
	}
	// A file that shrank since its size was taken is an error.
	if _, err := compress(strings.NewReader(text[:100]), int64(len(text))); err == nil {
		t.Error("short read: no error")
	}
}

// shortLimits are limits of a few tens of milliseconds, for tests.
func shortLimits() serveLimits {
	l := defaultServeLimits
	l.ReadHeader, l.Read, l.Idle, l.Stall = 50*time.Millisecond, 100*time.Millisecond, 100*time.Millisecond, 50*time.Millisecond
	l.MaxHeaderBytes = 1 << 10
	return l
}

// closedByServer reads c until the server closes it, and fails if that
// does not happen within a generous safety margin (the limits under test
// are 1,000 times shorter).
func closedByServer(t *testing.T, c net.Conn, what string) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	b, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("%s: the server kept the connection open", what)
	}
	return string(b)
}

// sparseFile makes a file of size zero bytes that takes no disk space.
func sparseFile(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func TestServerTimeouts(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "home"})
	const bigSize = 64 << 20 // more than the socket buffers hold
	sparseFile(t, filepath.Join(dir, "big.fsb"), bigSize)
	limits := shortLimits()
	_, base := startSite(t, dir, limits)
	addr := strings.TrimPrefix(base, "http://")
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}

	t.Run("idle keep-alive connection", func(t *testing.T) {
		c := dial()
		fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("%d, close %v: want a kept-alive 200", resp.StatusCode, resp.Close)
		}
		closedByServer(t, c, "idle")
	})
	t.Run("headers never finished", func(t *testing.T) {
		c := dial()
		fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: x\r\n")
		closedByServer(t, c, "half a header")
	})
	t.Run("body sent slowly", func(t *testing.T) {
		for _, method := range []string{"POST", "GET"} {
			c := dial()
			fmt.Fprintf(c, "%s / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx", method)
			if got := closedByServer(t, c, method+" with a slow body"); !strings.Contains(got, " 405 ") && !strings.Contains(got, " 400 ") {
				t.Errorf("%s with a body: %q, want 405 or 400", method, got)
			}
		}
	})
	t.Run("headers too large", func(t *testing.T) {
		resp, _ := fetch(t, "GET", base+"/", "X-Padding", strings.Repeat("x", 16<<10))
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("16 KiB header: %d, want 431", resp.StatusCode)
		}
	})
	// A client that asks for a large file and then reads nothing for pause
	// gets only part of it: the server gives up on it.
	stalled := func(t *testing.T, addr string, pause time.Duration) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprint(c, "GET /big.fsb HTTP/1.1\r\nHost: x\r\n\r\n")
		if _, err := c.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(pause)
		if got := len(closedByServer(t, c, "stalled reader")); got >= bigSize {
			t.Errorf("the stalled client got all %d bytes", got)
		}
	}
	t.Run("client that stops reading", func(t *testing.T) {
		stalled(t, addr, 20*limits.Stall) // the server's writes block, then time out
	})
	t.Run("download slower than MinRate", func(t *testing.T) {
		slow := shortLimits()
		slow.Stall, slow.Write, slow.MinRate = time.Minute, 50*time.Millisecond, 1<<40 // about 50 ms for any file
		_, base := startSite(t, dir, slow)
		stalled(t, strings.TrimPrefix(base, "http://"), 20*slow.Write)
	})
}

func TestServeErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "dist")
	if code, _, stderr := runCLI(t, "", "serve", "--dir", missing); code != 1 || !strings.Contains(stderr, "make serve") {
		t.Errorf("missing dir: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "serve", "--addr", "nonsense", "--dir", t.TempDir()); code != 1 || !strings.Contains(stderr, "nonsense") {
		t.Errorf("bad addr: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "serve", "--grace", "-1s", "--dir", t.TempDir()); code != 2 || !strings.Contains(stderr, "--grace -1s is negative") {
		t.Errorf("negative grace: exit %d %q", code, stderr)
	}
}

func TestPaceAllowance(t *testing.T) {
	l := defaultServeLimits
	const model = 14_238_868 // the shipped model's bytes
	before := time.Now()
	p := l.pace(httptest.NewRecorder(), model, false)
	after := time.Now()
	want := l.Write + time.Duration(model)*time.Second/time.Duration(l.MinRate)
	if got := p.end.Sub(before); got < want || got > want+after.Sub(before) {
		t.Errorf("allowance for the model %v, want %v", got, want)
	}
	if want < 7*time.Minute {
		t.Errorf("the model gets %v at the slowest rate allowed, want at least 7 minutes", want)
	}
}

// startServeProcess runs "finscore serve" on a free port as a process
// (this test binary, see TestMain) with extra flags, and returns it, the
// lines of its standard output after the first, and its address.
func startServeProcess(t *testing.T, dir string, flags ...string) (*exec.Cmd, *bufio.Reader, string) {
	t.Helper()
	args, _ := json.Marshal(append([]string{"serve", "--addr", "127.0.0.1:0", "--dir", dir}, flags...))
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), mainArgsEnv+"="+string(args))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	i := strings.Index(line, "http://")
	if err != nil || i < 0 {
		t.Fatalf("serve printed %q, %v", line, err)
	}
	return cmd, out, strings.TrimSuffix(strings.TrimPrefix(strings.Fields(line[i:])[0], "http://"), "/")
}

// startDownload asks addr for path and reads the response's first byte.
func startDownload(t *testing.T, addr, path string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
	if _, err := c.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServeFinishesDownloadsOnSIGTERM: a download in progress when the
// server is told to stop completes, while new connections are refused.
func TestServeFinishesDownloadsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	const size = 64 << 20 // more than the socket buffers hold
	sparseFile(t, filepath.Join(dir, "big.fsb"), size)
	cmd, out, addr := startServeProcess(t, dir)
	c := startDownload(t, addr, "/big.fsb")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if line, err := out.ReadString('\n'); err != nil || !strings.HasPrefix(line, "stopping") {
		t.Errorf("after SIGTERM, serve printed %q, %v", line, err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("a new connection was accepted after SIGTERM")
	}
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader("H"), c)), nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != size {
		t.Errorf("the download got %d of %d bytes: %v", n, size, err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve ended with %v", err)
	}
}

// TestServeGracePeriodEnds: a download that does not finish within
// --grace is cut, and the server exits.
func TestServeGracePeriodEnds(t *testing.T) {
	dir := t.TempDir()
	sparseFile(t, filepath.Join(dir, "big.fsb"), 64<<20)
	cmd, out, addr := startServeProcess(t, dir, "--grace", "100ms")
	startDownload(t, addr, "/big.fsb") // and never read more
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(out)
	if err := cmd.Wait(); err != nil || !strings.Contains(string(rest), "grace period of 100ms over") {
		t.Errorf("serve ended with %v, printing %q", err, rest)
	}
}
