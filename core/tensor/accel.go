package tensor

// Accelerated reports whether any kernel runs on SIMD code rather than
// pure Go: natively on amd64 whose CPU and OS run AVX2 and FMA, MatMul,
// MatMulTransB and AddMatMulTransA run on the AVX2 kernels
// (gemm_amd64.go); in a js/wasm build whose host attached finscore's
// kernel module (web/kernel-host.mjs, which attaches it only on an engine
// with SIMD128), MatMul, LayerNorm and Attention run on the WebAssembly
// kernels (kernels.wat). The purego build tag leaves both out. Every other
// kernel, everywhere, is pure Go.
func Accelerated() bool { return kernelsOn || avx2On }

// avx2On: MatMul, MatMulTransB and AddMatMulTransA run on the amd64 AVX2
// kernels (gemm_amd64.go). Always false on other architectures. Only tests
// change it, to compare with pure Go.
var avx2On = haveAVX2FMA()

// kernelsOn: MatMul, LayerNorm and Attention run on the WebAssembly SIMD
// kernels (accel_wasm.go). Always false outside js/wasm. Only tests
// change it, to compare with pure Go.
var kernelsOn = kernelsAvailable

func useKernels() bool { return kernelsOn }
