//go:build !js

package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"finscore/core/testenv"
)

// TestJavaScriptAPI builds the engine for GOOS=js and drives its JavaScript
// API under Node (wasm/testdata/api_test.mjs, node:test), with the SIMD
// kernels when make kernels has built them.
func TestJavaScriptAPI(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed for the JavaScript API test: ", err)
	}
	root := testenv.RepoRoot(t)
	wasm := filepath.Join(t.TempDir(), "finscore.wasm")
	build := exec.Command("go", "build", "-o", wasm, "./wasm")
	build.Dir = root
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the engine: %v\n%s", err, out)
	}
	cmd := exec.Command(node, "--test", "--test-reporter=spec", "wasm/testdata/api_test.mjs")
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"FINSCORE_WASM="+wasm,
		"FINSCORE_MODEL="+filepath.Join(root, "weights", "finscore.fsb"),
		"FINSCORE_KERNELS="+filepath.Join(root, "core", "tensor", "kernels.wasm"))
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("JavaScript API test failed: %v", err)
	}
}
