package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	d := defaultServeLimits
	fs := newFlags("serve", "[--addr 127.0.0.1:8080] [--dir dist] [--grace 30s]", fmt.Sprintf(
		"Serves the static site in DIR: correct MIME types (application/wasm for the engine),\n"+
			"gzip compression, cache headers, and security headers that keep every request on\n"+
			"the page's own origin (Content-Security-Policy with connect-src 'self'). Only regular\n"+
			"files inside DIR are served: no symbolic links out of it, no names starting with a\n"+
			"dot, no listings; GET and HEAD only. Clients get %v for their request headers; a\n"+
			"connection idle for %v is closed, one that reads nothing for %v is dropped, and a\n"+
			"download must average %d KiB/s. On SIGTERM or Ctrl+C it stops taking requests and\n"+
			"lets downloads in progress finish for up to --grace; a second Ctrl+C stops at once.\n"+
			"Nothing is logged about what users score: scoring happens in their browser.",
		d.ReadHeader, d.Idle, d.Stall, d.MinRate>>10), stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (loopback by default)")
	dir := fs.String("dir", "dist", "directory to serve (make serve builds it)")
	limits := d
	fs.DurationVar(&limits.Grace, "grace", limits.Grace, "how long downloads in progress may finish after a stop signal")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if limits.Grace < 0 {
		fmt.Fprintf(stderr, "finscore serve: --grace %v is negative\n", limits.Grace)
		return errUsage
	}
	info, err := os.Stat(*dir)
	if err != nil {
		return fmt.Errorf("%w (build the site with \"make serve\")", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a directory", *dir)
	}
	site, err := newSite(*dir, limits)
	if err != nil {
		return err
	}
	defer site.Close()
	go site.warm()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // after the first signal, a second ends the process at once
	fmt.Fprintf(stdout, "serving %s on http://%s/ (Ctrl+C to stop)\n", *dir, ln.Addr())
	return serveUntil(ctx, limits.server(site), ln, limits.Grace, stdout)
}

// serveUntil serves ln until ctx is done, then shuts srv down: it stops
// listening, closes idle connections, and waits for the responses in
// progress, for at most grace, before it closes what is left. It returns
// only when every response has ended, so that the process never exits
// under a download. It says what it does on log.
func serveUntil(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, log io.Writer) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err // the listener failed
	case <-ctx.Done():
	}
	said := make(chan struct{})
	srv.RegisterOnShutdown(func() { // once the listener is closed
		fmt.Fprintf(log, "stopping: no new requests; downloads in progress have %v to finish\n", grace)
		close(said)
	})
	shutdown, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(shutdown)
	<-said
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(log, "grace period of %v over: closing the connections still sending\n", grace)
		err = srv.Close()
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// serveLimits bound what one client, or one file, can take of the
// server's time and memory. The defaults are defaultServeLimits; tests
// shorten them.
type serveLimits struct {
	// ReadHeader bounds reading the request line and headers, Read the
	// whole request. The site takes no request bodies, so Read only ends a
	// client that sends one slowly.
	ReadHeader, Read time.Duration
	// Write bounds every response that is not a file (errors, redirects,
	// "not modified"), and is a file response's allowance before its size
	// is counted.
	Write time.Duration
	// MinRate, in bytes per second, is the slowest average rate a download
	// may have: a body of n bytes must be sent within Write + n/MinRate.
	MinRate int64
	// Stall bounds each write of a response: a client that takes nothing
	// for this long (it stopped reading, or its link died) is dropped.
	Stall time.Duration
	// Idle bounds how long a keep-alive connection may wait for its next
	// request.
	Idle time.Duration
	// MaxHeaderBytes bounds the request line and headers.
	MaxHeaderBytes int
	// Grace is how long responses in progress may finish after a stop
	// signal.
	Grace time.Duration
	// GzipFileBytes is the largest file compressed; larger files are sent
	// as they are. GzipCacheBytes bounds the compressed copies kept.
	GzipFileBytes, GzipCacheBytes int64
}

// defaultServeLimits suit a site of a few files, the largest the 14 MB
// model, for browsers on slow links: at MinRate (32 KiB/s, a poor mobile
// link) the model gets 7.6 minutes, while a client that takes nothing for
// Stall (20 s) is dropped, and so is a connection idle for Idle (15 s: a
// page's requests come in a burst). The engine (6.6 MB, about 1.9 MB
// compressed) is well under GzipFileBytes, and the site's compressed
// files fit GzipCacheBytes several times over.
var defaultServeLimits = serveLimits{
	ReadHeader:     5 * time.Second,
	Read:           10 * time.Second,
	Write:          20 * time.Second,
	MinRate:        32 << 10,
	Stall:          20 * time.Second,
	Idle:           15 * time.Second,
	MaxHeaderBytes: 16 << 10,
	Grace:          30 * time.Second,
	GzipFileBytes:  16 << 20,
	GzipCacheBytes: 32 << 20,
}

// server returns an http.Server for h with the limits' timeouts.
func (l serveLimits) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeader,
		ReadTimeout:       l.Read,
		WriteTimeout:      l.Write,
		IdleTimeout:       l.Idle,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// pacedWriter sends a response under a moving write deadline: each write
// must finish within Stall, and all of them by end. With noRanges it drops
// the Accept-Ranges header that http.ServeContent sets, for a compressed
// body whose ranges it cannot serve.
type pacedWriter struct {
	http.ResponseWriter
	rc       *http.ResponseController
	stall    time.Duration
	end      time.Time
	noRanges bool
	wrote    bool // the header
}

// pace returns w under the write deadlines of limits for a body of size
// bytes.
func (l serveLimits) pace(w http.ResponseWriter, size int64, noRanges bool) *pacedWriter {
	allowance := l.Write + time.Duration(float64(size)/float64(l.MinRate)*float64(time.Second))
	return &pacedWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: l.Stall,
		end: time.Now().Add(allowance), noRanges: noRanges}
}

func (p *pacedWriter) WriteHeader(code int) {
	p.wrote = true
	if p.noRanges {
		p.Header().Del("Accept-Ranges")
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	if !p.wrote {
		p.WriteHeader(http.StatusOK)
	}
	deadline := time.Now().Add(p.stall)
	if deadline.After(p.end) {
		deadline = p.end
	}
	p.rc.SetWriteDeadline(deadline) // unsupported only in tests' recorders
	return p.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the connection's writer.
func (p *pacedWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
