package tensor

// Accelerated tells whether the kernels run as WebAssembly SIMD: true only
// in a js/wasm build whose host attached finscore's kernel module (see
// web/kernel-host.mjs), on an engine with SIMD128, and unless
// SetAccelerated(false) turned them off. Otherwise every kernel is pure Go.
func Accelerated() bool { return useKernels() || avx2On }

// avx2On: MatMul, MatMulTransB and AddMatMulTransA run on the amd64 AVX2
// kernels (gemm_amd64.go). Always false on other architectures.
var avx2On = haveAVX2FMA()

// SetAccelerated turns the SIMD kernels on or off and reports whether they
// are now on: turning them on has no effect where they are not available.
// It lets tests and benchmarks compare both paths in one binary. Do not call
// it while kernels run on other goroutines.
func SetAccelerated(on bool) bool {
	setKernels(on && kernelsAvailable)
	avx2On = on && haveAVX2FMA()
	return useKernels() || avx2On
}
