//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestSiteSkipsNamedPipes: a named pipe in the folder is not served, and
// asking for it does not hang the request (opening a pipe would wait for
// a writer).
func TestSiteSkipsNamedPipes(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	writeFiles(t, dir, map[string]string{"index.html": "home"})
	s, base := startSite(t, dir, defaultServeLimits)
	s.warm() // passes over the pipe too
	if resp, _ := fetch(t, "GET", base+"/pipe.txt", "Accept-Encoding", "gzip"); resp.StatusCode != 404 {
		t.Errorf("named pipe: %d, want 404", resp.StatusCode)
	}
}
