// Package testenv finds and reads the files tests need: gzipped golden
// files, and the project's shared folder outside the repository (pretrained
// model, data sets), which sits beside the checkout at ../shared.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, found by walking up from
// the test's working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// SharedDir returns the shared folder: $FINSCORE_SHARED if set, else
// ../shared beside the repository. Tests that need it fail, not skip, when
// it is missing: CI always has it, and a silent skip would hide a broken
// golden comparison.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("FINSCORE_SHARED")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(dir, "models", "use-lite", "model.json")); err != nil {
		t.Fatalf("testenv: shared folder with models/use-lite not found at %s (set FINSCORE_SHARED): %v", dir, err)
	}
	return dir
}
