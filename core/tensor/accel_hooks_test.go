package tensor

import (
	"testing"

	"finscore/core/testenv"
)

// setAccelerated turns the SIMD kernels (AVX2 and WebAssembly) on or off
// and reports whether any is now on; turning them on has no effect where
// they are not available. Tests and benchmarks use it to compare both
// paths in one binary. Do not call it while kernels run on other
// goroutines.
func setAccelerated(on bool) bool {
	kernelsOn = on && kernelsAvailable
	avx2On = on && haveAVX2FMA()
	return Accelerated()
}

// TestNoTestOnlyCode: what only tests use (setAccelerated, kernelsLinked)
// lives in _test.go files, not in the package.
func TestNoTestOnlyCode(t *testing.T) {
	if names := testenv.TestOnlyDecls(t, "."); len(names) > 0 {
		t.Errorf("declared outside _test.go files but used only by tests: %v", names)
	}
}
