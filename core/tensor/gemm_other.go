//go:build !amd64 || purego

package tensor

// Builds for other architectures (and amd64 with the purego tag) have no
// AVX2 kernels: haveAVX2FMA is false, so callers take the pure-Go path and
// the kernels below are never reached.

func haveAVX2FMA() bool { return false }

func matMulAVX2(out, a, w, bias []float32, m, k, n int) {
	panic("tensor: no AVX2 kernels in this build")
}

func matMulTransBAVX2(da, dout, w []float32, m, k, n int) {
	panic("tensor: no AVX2 kernels in this build")
}

func addMatMulTransAAVX2(dw, dbias, a, dout []float32, m, k, n int) {
	panic("tensor: no AVX2 kernels in this build")
}
