//go:build !js

package main_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"finscore/core/testenv"
)

// built is the engine compiled once for the tests of this package.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// engineWasm builds the engine for GOOS=js once and returns its path.
func engineWasm(t *testing.T) string {
	root := testenv.RepoRoot(t)
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "finscore-wasm-test"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "finscore.wasm")
		build := exec.Command("go", "build", "-o", built.path, "./wasm")
		build.Dir = root
		build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		if out, err := build.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("building the engine: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// runNode runs node with args in the repository, with the engine, the
// shipped model and the SIMD kernels (when make kernels has built them) in
// its environment.
func runNode(t *testing.T, env []string, args ...string) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed for the JavaScript API tests: ", err)
	}
	root := testenv.RepoRoot(t)
	cmd := exec.Command(node, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"FINSCORE_WASM="+engineWasm(t),
		"FINSCORE_MODEL="+filepath.Join(root, "weights", "finscore.fsb"),
		"FINSCORE_KERNELS="+filepath.Join(root, "core", "tensor", "kernels.wasm"))
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("node %v: %v", args, err)
	}
}

// TestJavaScriptAPI drives the engine's JavaScript API under Node
// (wasm/testdata/api_test.mjs, node:test).
func TestJavaScriptAPI(t *testing.T) {
	runNode(t, nil, "--test", "--test-reporter=spec", "wasm/testdata/api_test.mjs")
}

// TestBoundaryFuzz throws random argument shapes at the engine
// (wasm/testdata/fuzz_boundary.mjs): 100 calls from a fixed seed, or, with
// FINSCORE_FUZZTIME set (make fuzz), calls from a random seed for that long
// ("1m") or that many times ("500x"), as go test -fuzztime reads it.
func TestBoundaryFuzz(t *testing.T) {
	env := []string{"FUZZ_SEED=1", "FUZZ_CALLS=100"}
	if s := os.Getenv("FINSCORE_FUZZTIME"); s != "" {
		if n, err := strconv.Atoi(strings.TrimSuffix(s, "x")); err == nil && strings.HasSuffix(s, "x") && n > 0 {
			env = []string{fmt.Sprintf("FUZZ_CALLS=%d", n)}
		} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
			env = []string{fmt.Sprintf("FUZZ_SECONDS=%g", d.Seconds())}
		} else {
			t.Fatalf("FINSCORE_FUZZTIME=%q is neither a duration nor a count such as 500x", s)
		}
	}
	runNode(t, env, "wasm/testdata/fuzz_boundary.mjs")
}
