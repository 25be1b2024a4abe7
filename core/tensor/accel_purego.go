//go:build !(js && wasm) || purego

package tensor

// Builds other than js/wasm (and js/wasm with the purego tag) have only the
// pure-Go kernels.

// kernelsAvailable: no host attaches SIMD kernels to these builds.
const kernelsAvailable = false

func gemmKernel(out, a, w, bias []float32, m, k, n int) {
	panic("tensor: no SIMD kernels in this build")
}

func layerNormKernel(out, x, scale, bias []float32, m, n int, eps float32) {
	panic("tensor: no SIMD kernels in this build")
}

func attentionKernel(ctx, qkv, scores []float32, n, width, heads int, scale float32) {
	panic("tensor: no SIMD kernels in this build")
}
