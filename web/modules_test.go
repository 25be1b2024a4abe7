package web_test

import (
	"os/exec"
	"testing"
)

// TestModulesUnderNode runs the node:test tests of the site's DOM-free
// modules: csv_test.mjs, and a short fixed run of csv_fuzz_test.mjs
// (make fuzz runs it for FUZZTIME). It needs no browser, only Node.js.
func TestModulesUnderNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH (make test needs Node.js for the WebAssembly tests anyway)")
	}
	cmd := exec.Command(node, "--test", "csv_test.mjs", "csv_fuzz_test.mjs")
	// The fuzz test's defaults: a fixed seed and round count.
	cmd.Env = append(cmd.Environ(), "FINSCORE_FUZZTIME=", "FINSCORE_FUZZSEED=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test csv_test.mjs csv_fuzz_test.mjs: %v\n%s", err, out)
	}
}
