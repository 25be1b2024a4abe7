package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[--addr 127.0.0.1:8080] [--dir dist]",
		"Serves the static site in DIR: correct MIME types (application/wasm for the engine),\n"+
			"gzip compression, cache headers, and security headers that keep every request on\n"+
			"the page's own origin (Content-Security-Policy with connect-src 'self'). Nothing is\n"+
			"logged about what users score: scoring happens in their browser.", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (loopback by default)")
	dir := fs.String("dir", "dist", "directory to serve (make serve builds it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	info, err := os.Stat(*dir)
	if err != nil {
		return fmt.Errorf("%w (build the site with \"make serve\")", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a directory", *dir)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: siteHandler(*dir), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "serving %s on http://%s/ (Ctrl+C to stop)\n", *dir, ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// contentSecurityPolicy allows only the page's own origin. WebAssembly
// compilation needs 'wasm-unsafe-eval'; no inline script, no remote
// resources, no framing by other sites.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"worker-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; font-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// mimeTypes fixes the types the site needs, whatever the system's tables say.
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

// siteHandler serves dir's files with the site's headers. Directories are
// served through their index.html and never listed.
func siteHandler(dir string) http.Handler {
	files := http.Dir(dir)
	compressed := &gzipCache{entries: map[string]gzipEntry{}}
	go compressed.warm(dir)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") {
			name = path.Join(name, "index.html")
		}
		f, err := files.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || info.IsDir() {
			http.NotFound(w, r) // no listings
			return
		}
		ext := strings.ToLower(filepath.Ext(name))
		if t, ok := mimeTypes[ext]; ok {
			h.Set("Content-Type", t)
		}
		// Pages and the service worker must be revalidated so that updates
		// reach users; the rest may be cached for an hour.
		if ext == ".html" || path.Base(name) == "sw.js" {
			h.Set("Cache-Control", "no-cache")
		} else {
			h.Set("Cache-Control", "public, max-age=3600")
		}
		h.Add("Vary", "Accept-Encoding")
		if compressible[ext] && acceptsGzip(r) {
			gz, err := compressed.get(name, info, f)
			if err != nil {
				http.Error(w, "cannot read "+name, http.StatusInternalServerError)
				return
			}
			h.Set("Content-Encoding", "gzip")
			// Content-Length counts the compressed bytes; the page's
			// download progress counts the bytes it receives, decoded.
			h.Set("X-Decoded-Length", strconv.FormatInt(info.Size(), 10))
			h.Set("Content-Length", strconv.Itoa(len(gz))) // ServeContent leaves it to us when encoded
			r.Header.Del("Range")                          // ranges would apply to the compressed bytes
			http.ServeContent(w, r, name, info.ModTime(), bytes.NewReader(gz))
			return
		}
		http.ServeContent(w, r, name, info.ModTime(), f)
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if strings.TrimSpace(strings.SplitN(part, ";", 2)[0]) == "gzip" {
			return true
		}
	}
	return false
}

// gzipCache keeps each compressible file gzipped, made when the server
// starts or on the file's first request, and again when the file changes,
// so that the engine (6.6 MB, 1.9 MB gzipped) is compressed once, not on
// every visit.
type gzipCache struct {
	mu      sync.Mutex
	entries map[string]gzipEntry
}

type gzipEntry struct {
	modTime time.Time
	size    int64
	data    []byte
}

func (c *gzipCache) get(name string, info os.FileInfo, f io.Reader) ([]byte, error) {
	c.mu.Lock()
	e, ok := c.entries[name]
	c.mu.Unlock()
	if ok && e.modTime.Equal(info.ModTime()) && e.size == info.Size() {
		return e.data, nil
	}
	// Compressed without the lock: two first requests may both do it,
	// but neither waits for other files.
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := io.Copy(gz, f); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.entries[name] = gzipEntry{modTime: info.ModTime(), size: info.Size(), data: buf.Bytes()}
	c.mu.Unlock()
	return buf.Bytes(), nil
}

// warm compresses every compressible file in dir (not below it), so that
// the first visitor does not wait for it.
func (c *gzipCache) warm(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() || !compressible[strings.ToLower(filepath.Ext(e.Name()))] {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if info, err := f.Stat(); err == nil {
			c.get("/"+e.Name(), info, f)
		}
		f.Close()
	}
}
