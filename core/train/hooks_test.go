package train

import (
	"testing"

	"finscore/core/testenv"
)

// TestNoTestOnlyCode: what only tests use (such as a checkpoint-to-memory
// helper) lives in _test.go files, not in the package.
func TestNoTestOnlyCode(t *testing.T) {
	if names := testenv.TestOnlyDecls(t, "."); len(names) > 0 {
		t.Errorf("declared outside _test.go files but used only by tests: %v", names)
	}
}
