package web_test

import (
	"os/exec"
	"testing"
)

// TestModulesUnderNode runs the node:test tests of the site's DOM-free
// modules (csv_test.mjs). It needs no browser, only Node.js.
func TestModulesUnderNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH (make test needs Node.js for the WebAssembly tests anyway)")
	}
	cmd := exec.Command(node, "--test", "csv_test.mjs")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test csv_test.mjs: %v\n%s", err, out)
	}
}
