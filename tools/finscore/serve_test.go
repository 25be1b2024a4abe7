package main

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSiteHandler(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.html", "<!doctype html><title>finscore</title>")
	// Large and varied enough that the server cannot buffer all of it
	// (a short body gets a Content-Length whatever the handler does).
	var engine strings.Builder
	for i := range 40000 {
		fmt.Fprintf(&engine, "%d,", i*i)
	}
	write("finscore.wasm", engine.String())
	engineLen := strconv.Itoa(engine.Len())
	write("app.js", "export const x = 1;")
	write("model.fsb", strings.Repeat("\x89FSB", 500))
	write("sub/notes.txt", "hello")
	os.WriteFile(filepath.Join(filepath.Dir(dir), "secret.txt"), []byte("secret"), 0o644)
	srv := httptest.NewServer(siteHandler(dir))
	defer srv.Close()

	get := func(path string, gz bool) (*http.Response, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		} else {
			req.Header.Set("Accept-Encoding", "identity")
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatalf("%s: bad gzip: %v", path, err)
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		return resp, string(b)
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
	if resp.Header.Get("Content-Type") != "application/wasm" || resp.Header.Get("Content-Encoding") != "gzip" || len(body) != engine.Len() {
		t.Errorf("wasm: %v, %d bytes", resp.Header, len(body))
	}
	if resp.Header.Get("X-Decoded-Length") != engineLen || resp.Header.Get("Content-Length") == "" || resp.ContentLength >= int64(engine.Len()) {
		t.Errorf("gzipped wasm: X-Decoded-Length %q (want %s), Content-Length %q", resp.Header.Get("X-Decoded-Length"), engineLen, resp.Header.Get("Content-Length"))
	}
	// The compressed copy is kept, and made again when the file changes.
	if _, body := get("/app.js", true); body != "export const x = 1;" {
		t.Errorf("app.js served as %q", body)
	}
	write("app.js", "export const x = 2; // changed")
	later := time.Now().Add(time.Minute)
	os.Chtimes(filepath.Join(dir, "app.js"), later, later)
	if _, body := get("/app.js", true); body != "export const x = 2; // changed" {
		t.Errorf("changed file served as %q", body)
	}
	// Bundles go uncompressed, with their length, for exact progress.
	resp, body = get("/model.fsb", true)
	if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Content-Length") != "2000" || len(body) != 2000 {
		t.Errorf("fsb: %v, %d bytes", resp.Header, len(body))
	}
	resp, body = get("/finscore.wasm", false)
	if resp.Header.Get("Content-Encoding") != "" || len(body) != engine.Len() || resp.Header.Get("Content-Length") != engineLen {
		t.Errorf("wasm without gzip: %v, %d bytes", resp.Header, len(body))
	}
	if resp, _ := get("/app.js", true); !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("js: %v", resp.Header)
	}
	for _, path := range []string{"/sub/", "/sub", "/missing.js", "/../secret.txt", "/%2e%2e/secret.txt"} {
		if resp, body := get(path, false); resp.StatusCode != 404 || strings.Contains(body, "notes.txt") || strings.Contains(body, "secret") {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("x"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %v %v", resp, err)
	}
}

func TestServeErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "dist")
	if code, _, stderr := runCLI(t, "", "serve", "--dir", missing); code != 1 || !strings.Contains(stderr, "make serve") {
		t.Errorf("missing dir: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "serve", "--addr", "nonsense", "--dir", t.TempDir()); code != 1 || !strings.Contains(stderr, "nonsense") {
		t.Errorf("bad addr: exit %d %q", code, stderr)
	}
}
