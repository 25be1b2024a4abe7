package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
)

// contentSecurityPolicy allows only the page's own origin. WebAssembly
// compilation needs 'wasm-unsafe-eval'; no inline script, no remote
// resources, no framing by other sites.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"worker-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; font-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// mimeTypes fixes the types the site needs, whatever the system's tables
// say. Any other file is application/octet-stream: with nosniff, a browser
// never runs it as a page.
var mimeTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".wasm":        "application/wasm",
	".fsb":         "application/octet-stream",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/plain; charset=utf-8", // shown in the browser, not downloaded
	".csv":         "text/csv; charset=utf-8",
}

// compressible lists the extensions worth gzipping. Model bundles are not:
// float16 weights shrink by only 8%, and sent as they are, their
// Content-Length lets the page show exact download progress.
var compressible = map[string]bool{".html": true, ".js": true, ".mjs": true, ".css": true, ".json": true,
	".webmanifest": true, ".wasm": true, ".svg": true, ".txt": true, ".md": true, ".csv": true}

// site serves the regular files inside one folder with the site's
// headers. It never leaves the folder (symbolic links that lead out of it
// are not followed), never serves a name that starts with a dot, at any
// depth, and never lists a directory: a directory is served through its
// index.html, and its name without the final slash is redirected to it.
type site struct {
	root   *os.Root
	gzip   *gzipCache
	limits serveLimits
}

// newSite opens dir for serving under limits.
func newSite(dir string, limits serveLimits) (*site, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &site{root: root, gzip: newGzipCache(limits.GzipFileBytes, limits.GzipCacheBytes), limits: limits}, nil
}

// Close releases the folder.
func (s *site) Close() error { return s.root.Close() }

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	// The site takes no request bodies: the answer closes the connection,
	// and serveLimits.Read bounds what the server still reads of one.
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		h.Set("Connection", "close")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength != 0 {
		h.Set("Connection", "close")
		http.Error(w, "a request body is not accepted", http.StatusBadRequest)
		return
	}

	name, ok := fileName(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	info, err := s.root.Stat(name)
	if err == nil && info.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			redirectToDir(w, r, name)
			return
		}
		name = path.Join(name, "index.html")
		info, err = s.root.Stat(name)
	} else if strings.HasSuffix(r.URL.Path, "/") {
		err = os.ErrNotExist // a file is not a directory
	}
	// Stat before Open: opening a named pipe would wait for a writer.
	if err != nil || !info.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	f, err := s.root.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil || !info.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}

	ext := strings.ToLower(path.Ext(name))
	contentType, ok := mimeTypes[ext]
	if !ok {
		contentType = "application/octet-stream"
	}
	h.Set("Content-Type", contentType)
	// Pages and the service worker must be revalidated so that updates
	// reach users; the rest may be cached for an hour.
	if ext == ".html" || path.Base(name) == "sw.js" {
		h.Set("Cache-Control", "no-cache")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	if compressible[ext] {
		h.Set("Vary", "Accept-Encoding")
		// A range is served from the file as it is: ranges of the
		// compressed bytes would be of no use to the client.
		if r.Header.Get("Range") == "" && acceptsGzip(r.Header.Get("Accept-Encoding")) {
			gz, err := s.gzip.get(r.Context(), name, info, f)
			if err != nil {
				http.Error(w, "cannot read "+name, http.StatusInternalServerError)
				return
			}
			if gz != nil {
				h.Set("Content-Encoding", "gzip")
				// Content-Length counts the compressed bytes; the page's
				// download progress counts the bytes it receives, decoded.
				h.Set("X-Decoded-Length", strconv.FormatInt(info.Size(), 10))
				h.Set("Content-Length", strconv.Itoa(len(gz))) // ServeContent leaves it to us when encoded
				http.ServeContent(s.limits.pace(w, int64(len(gz)), true), r, name, info.ModTime(), bytes.NewReader(gz))
				return
			}
		}
	}
	http.ServeContent(s.limits.pace(w, info.Size(), false), r, name, info.ModTime(), f)
}

// fileName turns a URL path into a name inside the site's folder ("." for
// the folder itself), refusing any name with a part that starts with a
// dot (.env, .git/config, .well-known/...).
func fileName(urlPath string) (string, bool) {
	name := strings.TrimPrefix(path.Clean("/"+urlPath), "/")
	if name == "" {
		return ".", true
	}
	for part := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(part, ".") {
			return "", false
		}
	}
	return name, true
}

// redirectToDir sends a directory's name without its final slash to the
// name with it, as a relative reference (so that it works below any prefix
// a proxy adds), keeping the query.
func redirectToDir(w http.ResponseWriter, r *http.Request, name string) {
	target := "./" + path.Base(name) + "/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusMovedPermanently)
}

// acceptsGzip reports whether an Accept-Encoding value allows gzip: gzip
// (or x-gzip) with a weight above zero or, when gzip is not named, "*"
// with a weight above zero (RFC 9110, section 12.5.3). "gzip;q=0" refuses
// it.
func acceptsGzip(accept string) bool {
	gzip, star := -1.0, -1.0 // -1: not named
	for part := range strings.SplitSeq(accept, ",") {
		coding, params, _ := strings.Cut(part, ";")
		q := 1.0
		for param := range strings.SplitSeq(params, ";") {
			if k, v, ok := strings.Cut(param, "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				q = qValue(strings.TrimSpace(v))
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzip = max(gzip, q)
		case "*":
			star = max(star, q)
		}
	}
	if gzip >= 0 {
		return gzip > 0
	}
	return star > 0
}

// qValue parses a weight ("0", "0.5", "1.000"); anything else counts as 0,
// so a malformed weight never turns an encoding on.
func qValue(s string) float64 {
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || strings.Trim(s, "0123456789.") != "" || q > 1 {
		return 0
	}
	return q
}

// warm compresses the compressible files at the top of the folder, so
// that the first visitor does not wait for them.
func (s *site) warm() {
	dir, err := s.root.Open(".")
	if err != nil {
		return
	}
	entries, _ := dir.ReadDir(-1)
	dir.Close()
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !compressible[strings.ToLower(path.Ext(name))] {
			continue
		}
		if info, err := s.root.Stat(name); err != nil || !info.Mode().IsRegular() {
			continue // Stat first: opening a named pipe would wait
		}
		if f, err := s.root.Open(name); err == nil {
			if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
				s.gzip.get(context.Background(), name, info, f)
			}
			f.Close()
		}
	}
}
