// Package tensor holds the few float32 kernels the encoder runs: matrix
// multiply, layer normalisation, softmax and element-wise activations. It is
// the one place where speed is won; everything else calls these.
//
// Matrices are dense, row-major []float32 with their sizes passed alongside.
// Kernels never allocate (but for the scratch space the WebAssembly GEMM
// grows once to the largest product it has seen).
//
// Compiled to WebAssembly (GOOS=js GOARCH=wasm), MatMul, LayerNorm and
// Attention run on hand-written SIMD128 kernels (kernels.wat) when the host
// attached them (web/kernel-host.mjs). Natively on amd64 with AVX2 and FMA,
// MatMul, MatMulTransB and AddMatMulTransA run on AVX2 kernels
// (gemm_amd64.go). See Accelerated. Everything else, and everything where
// those kernels are missing, runs in pure Go, which is also the reference
// the kernels are tested against. The purego build tag leaves all the
// kernels out.
package tensor

import "math"

// MatMul sets out[m×n] = a[m×k] · w[k×n] + bias[n] (bias may be nil).
// w is stored row-major with k rows, as TensorFlow stores dense kernels.
// Which code does the work (see Accelerated) changes the rounding:
//   - pure Go starts each output from its bias and adds a[i,p]·w[p,j] for
//     p = 0, 1, … k-1, each product and each sum rounded to float32;
//   - the WebAssembly SIMD kernel adds the same products in the same order
//     with the same roundings (no fused multiply-add), so its results are
//     bit-identical to pure Go's under wasm;
//   - the amd64 AVX2 kernel adds them in the same order with fused
//     multiply-adds, one rounding per term instead of two, so its results
//     differ from pure Go's in the last bits (about 80% of outputs at the
//     encoder's shapes), within 1e-5 of the sum of the terms' magnitudes
//     (what the tests check).
func MatMul(out, a, w, bias []float32, m, k, n int) {
	out = out[:m*n]
	a = a[:m*k]
	w = w[:k*n]
	if bias != nil {
		bias = bias[:n]
	}
	if avx2On {
		matMulAVX2(out, a, w, bias, m, k, n)
		return
	}
	if useKernels() && m > 0 && n > 0 {
		gemmKernel(out, a, w, bias, m, k, n)
		return
	}
	matMulGo(out, a, w, bias, m, k, n)
}

// matMulGo is MatMul in pure Go: the fallback, and the reference the SIMD
// kernel is tested against. Its arguments are already sliced to size.
func matMulGo(out, a, w, bias []float32, m, k, n int) {
	out = out[:m*n]
	a = a[:m*k]
	w = w[:k*n]
	i := 0
	// Four rows of a at a time, so each row of w is loaded once per four
	// rows of output.
	for ; i+4 <= m; i += 4 {
		o0, o1, o2, o3 := out[i*n:(i+1)*n], out[(i+1)*n:(i+2)*n], out[(i+2)*n:(i+3)*n], out[(i+3)*n:(i+4)*n]
		initRows(bias, o0, o1, o2, o3)
		a0, a1, a2, a3 := a[i*k:(i+1)*k], a[(i+1)*k:(i+2)*k], a[(i+2)*k:(i+3)*k], a[(i+3)*k:(i+4)*k]
		for p := 0; p < k; p++ {
			wr := w[p*n : (p+1)*n]
			x0, x1, x2, x3 := a0[p], a1[p], a2[p], a3[p]
			o0, o1, o2, o3 := o0[:len(wr)], o1[:len(wr)], o2[:len(wr)], o3[:len(wr)]
			for j, wv := range wr {
				o0[j] += x0 * wv
				o1[j] += x1 * wv
				o2[j] += x2 * wv
				o3[j] += x3 * wv
			}
		}
	}
	for ; i < m; i++ {
		o := out[i*n : (i+1)*n]
		initRows(bias, o)
		ar := a[i*k : (i+1)*k]
		for p, x := range ar {
			wr := w[p*n : (p+1)*n]
			o := o[:len(wr)]
			for j, wv := range wr {
				o[j] += x * wv
			}
		}
	}
}

func initRows(bias []float32, rows ...[]float32) {
	for _, r := range rows {
		if bias == nil {
			clear(r)
		} else {
			copy(r, bias)
		}
	}
}

// LayerNorm normalises each of the m rows of x (width n) into out:
// (x - mean) / sqrt(var + eps) * scale + bias, with the population variance.
// out and x may be the same slice.
func LayerNorm(out, x, scale, bias []float32, m, n int, eps float32) {
	out, x = out[:m*n], x[:m*n]
	scale, bias = scale[:n], bias[:n]
	if useKernels() && m > 0 && n > 0 {
		layerNormKernel(out, x, scale, bias, m, n, eps)
		return
	}
	layerNormGo(out, x, scale, bias, m, n, eps)
}

// layerNormGo is LayerNorm in pure Go, its arguments sliced to size.
func layerNormGo(out, x, scale, bias []float32, m, n int, eps float32) {
	scale, bias = scale[:n], bias[:n]
	for i := 0; i < m; i++ {
		xr := x[i*n : (i+1)*n]
		or := out[i*n : (i+1)*n]
		mean, inv := rowStats(xr, eps)
		or = or[:len(xr)]
		for j, v := range xr {
			or[j] = scale[j]*inv*(v-mean) + bias[j]
		}
	}
}

// rowStats returns the mean of a layer-norm row and 1/sqrt(variance+eps),
// computed in one fixed order so that LayerNormBackward recomputes exactly
// the statistics the forward pass used.
func rowStats(xr []float32, eps float32) (mean, rstd float32) {
	var sum float32
	for _, v := range xr {
		sum += v
	}
	mean = sum / float32(len(xr))
	var sq float32
	for _, v := range xr {
		d := v - mean
		sq += d * d
	}
	return mean, float32(1 / math.Sqrt(float64(sq/float32(len(xr))+eps)))
}

// Softmax replaces x with exp(x - max) / sum: in float32 for attention,
// in float64 for the scorer's calibrated class probabilities.
func Softmax[F float32 | float64](x []F) {
	if len(x) == 0 {
		return
	}
	mx := x[0]
	for _, v := range x[1:] {
		if v > mx {
			mx = v
		}
	}
	var sum F
	for i, v := range x {
		e := F(math.Exp(float64(v - mx)))
		x[i] = e
		sum += e
	}
	inv := 1 / sum
	for i := range x {
		x[i] *= inv
	}
}

// Dot returns the inner product of a and b[:len(a)].
func Dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// Axpy adds alpha·x to y.
func Axpy(y []float32, alpha float32, x []float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Add adds x to y element-wise.
func Add(y, x []float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += v
	}
}

// ReLU replaces negative values with zero.
func ReLU(x []float32) {
	for i, v := range x {
		if v < 0 {
			x[i] = 0
		}
	}
}

// Tanh applies tanh element-wise.
func Tanh(x []float32) {
	for i, v := range x {
		x[i] = float32(math.Tanh(float64(v)))
	}
}

// Scale multiplies x by s.
func Scale(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}

// L2Normalize divides x by its Euclidean norm, with the squared norm floored
// at eps (TensorFlow's l2_normalize).
func L2Normalize(x []float32, eps float32) {
	var sq float32
	for _, v := range x {
		sq += v * v
	}
	Scale(x, float32(1/math.Sqrt(float64(max(sq, eps)))))
}
