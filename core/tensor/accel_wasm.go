//go:build js && wasm && !purego

package tensor

import "unsafe"

// The SIMD kernels of kernels.wat, reached through the host's
// finscore_kernels import module (web/kernel-host.mjs). Every js/wasm
// binary built without the purego tag imports them, so its host must
// provide that module, if only to answer available() = 0.

//go:wasmimport finscore_kernels available
func hostKernelsAvailable() int32

//go:wasmimport finscore_kernels gemm
func wasmGEMM(out, a, w, bias *float32, m, k, n int32, scratch *float32)

//go:wasmimport finscore_kernels layernorm
func wasmLayerNorm(out, x, scale, bias *float32, m, n int32, eps float32)

//go:wasmimport finscore_kernels attention
func wasmAttention(ctx, qkv, scores *float32, n, width, heads int32, scale float32)

// kernelsAvailable: the host attached the kernel module.
var kernelsAvailable = hostKernelsAvailable() != 0

// gemmKC is the depth of the slices of k the GEMM kernel works in: KC in
// kernels.wat.
const gemmKC = 512

// gemmScratch is the GEMM kernel's work space: a packed panel of w (gemmKC
// rows of 8 floats, 64-byte aligned) and then a packed slice of a (all m
// rows, by groups of 4, gemmKC deep). It grows to the largest call seen.
// One buffer serves every call: js/wasm runs one goroutine at a time and
// a kernel call is never preempted.
var gemmScratch []float32

// gemmKernel is MatMul on the SIMD kernel. The slices are already cut to
// size (so the kernel reads and writes only inside them), m, n ≥ 1, and
// bias is nil or n long.
func gemmKernel(out, a, w, bias []float32, m, k, n int) {
	need := 16 + gemmKC*8 + (m+3)/4*4*min(k, gemmKC)
	if len(gemmScratch) < need {
		gemmScratch = make([]float32, need)
	}
	wasmGEMM(unsafe.SliceData(out), unsafe.SliceData(a), unsafe.SliceData(w), unsafe.SliceData(bias),
		int32(m), int32(k), int32(n), &gemmScratch[0])
}

// layerNormKernel is LayerNorm on the SIMD kernel; the slices are cut to
// size and m, n ≥ 1.
func layerNormKernel(out, x, scale, bias []float32, m, n int, eps float32) {
	wasmLayerNorm(unsafe.SliceData(out), unsafe.SliceData(x), unsafe.SliceData(scale), unsafe.SliceData(bias),
		int32(m), int32(n), eps)
}

// attentionKernel is Attention on the SIMD kernel; the slices are cut to
// size, n, width ≥ 1 and heads divides width.
func attentionKernel(ctx, qkv, scores []float32, n, width, heads int, scale float32) {
	wasmAttention(unsafe.SliceData(ctx), unsafe.SliceData(qkv), unsafe.SliceData(scores),
		int32(n), int32(width), int32(heads), scale)
}
