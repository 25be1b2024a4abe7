package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
)

// TestAccelerationActive makes sure the wasm tests exercise the SIMD
// kernels, not just the pure-Go fallback: under js/wasm the runner
// (tools/wasmexec) must have attached them unless told not to with
// FINSCORE_KERNELS=off. Builds without the kernels skip.
func TestAccelerationActive(t *testing.T) {
	if !kernelsLinked {
		t.Skipf("no SIMD kernels in a %s/%s build (they exist for js/wasm without the purego tag)", runtime.GOOS, runtime.GOARCH)
	}
	if os.Getenv("FINSCORE_KERNELS") == "off" {
		t.Skip("FINSCORE_KERNELS=off: the runner was told to give no kernels")
	}
	if !Accelerated() {
		t.Fatal("SIMD kernels not attached: run the wasm tests with tools/wasmexec/go_js_wasm_exec " +
			"(make test-wasm), or set FINSCORE_KERNELS=off to test the pure-Go fallback on purpose")
	}
	if setAccelerated(false) || Accelerated() {
		t.Fatal("setAccelerated(false) left the kernels on")
	}
	if !setAccelerated(true) || !Accelerated() {
		t.Fatal("setAccelerated(true) did not turn the kernels back on")
	}
}

// needKernels skips tests that compare the SIMD kernels with pure Go where
// there are no SIMD kernels.
func needKernels(t testing.TB) {
	t.Helper()
	if !kernelsAvailable {
		t.Skip("no SIMD kernels attached: nothing to compare with pure Go")
	}
	setAccelerated(true)
}

// span returns n floats at a random offset inside a larger buffer filled
// with a canary, and a check that the canary around them is intact. Odd
// offsets make the kernels meet addresses that are not 16-byte aligned.
func span(r *rand.Rand, n int, fill bool) (s []float32, intact func() bool) {
	const canary = -12345.678
	off, pad := r.IntN(5), 8
	buf := make([]float32, off+n+pad)
	for i := range buf {
		buf[i] = canary
	}
	s = buf[off : off+n : off+n]
	if fill {
		for i := range s {
			s[i] = r.Float32()*2 - 1
		}
	}
	return s, func() bool {
		for i, v := range buf {
			if (i < off || i >= off+n) && v != canary {
				return false
			}
		}
		return true
	}
}

// closeEnough reports whether got is within 1e-5 of want relative to mag,
// the sum of the magnitudes of the terms that were added up (which is what
// rounding error scales with; |want| alone can be near zero by
// cancellation).
func closeEnough(got, want, mag float32) bool {
	return math.Abs(float64(got)-float64(want)) <= 1e-5*math.Max(float64(mag), 1e-30)
}

var gemmSizes = []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 31, 33}

// TestGEMMKernelMatchesGo compares the SIMD GEMM with matMulGo on every
// combination of small odd and even sizes, on the encoder's shapes and on
// a few with a dimension of 768, with and without bias, on slices at odd
// offsets; it also checks that nothing outside out is written.
func TestGEMMKernelMatchesGo(t *testing.T) {
	needKernels(t)
	r := rand.New(rand.NewPCG(7, 8))
	var shapes [][3]int
	for _, m := range gemmSizes {
		for _, k := range gemmSizes {
			for _, n := range gemmSizes {
				shapes = append(shapes, [3]int{m, k, n})
			}
		}
	}
	shapes = append(shapes,
		[3]int{1, 0, 5}, [3]int{3, 0, 9}, // k = 0: out is the bias (or zero)
		[3]int{25, 256, 768}, [3]int{25, 512, 1536}, [3]int{25, 1536, 512}, [3]int{1, 512, 512},
		[3]int{768, 33, 17}, [3]int{7, 768, 9}, [3]int{13, 17, 768}, [3]int{33, 768, 768}, [3]int{767, 31, 513}, [3]int{6, 1100, 13}, [3]int{9, 1025, 24},
	)
	exact, total := 0, 0
	for _, sh := range shapes {
		m, k, n := sh[0], sh[1], sh[2]
		a, aOK := span(r, m*k, true)
		w, wOK := span(r, k*n, true)
		bias, bOK := span(r, n, true)
		for _, withBias := range []bool{true, false} {
			b := bias
			if !withBias {
				b = nil
			}
			want := make([]float32, m*n)
			matMulGo(want, a, w, b, m, k, n)
			got, outOK := span(r, m*n, true) // garbage to be overwritten
			MatMul(got, a, w, b, m, k, n)
			if !outOK() || !aOK() || !wOK() || !bOK() {
				t.Fatalf("m=%d k=%d n=%d bias=%v: wrote outside out", m, k, n, withBias)
			}
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var mag float32
					if b != nil {
						mag = float32(math.Abs(float64(b[j])))
					}
					for p := 0; p < k; p++ {
						mag += float32(math.Abs(float64(a[i*k+p] * w[p*n+j])))
					}
					g, wv := got[i*n+j], want[i*n+j]
					if !closeEnough(g, wv, mag) {
						t.Fatalf("m=%d k=%d n=%d bias=%v: out[%d,%d] = %v, pure Go %v", m, k, n, withBias, i, j, g, wv)
					}
					total++
					if g == wv {
						exact++
					}
				}
			}
		}
	}
	t.Logf("%d shapes × bias on/off: %d of %d outputs bit-identical to pure Go", len(shapes), exact, total)
}

// TestMatMulFallsBack checks that setAccelerated(false) really runs pure Go
// (and that turning the kernels back on works).
func TestMatMulFallsBack(t *testing.T) {
	needKernels(t)
	defer setAccelerated(true)
	if setAccelerated(false) {
		t.Fatal("setAccelerated(false) reported the kernels on")
	}
	r := rand.New(rand.NewPCG(9, 10))
	const m, k, n = 5, 7, 9
	a, w, bias := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n)
	got, want := make([]float32, m*n), make([]float32, m*n)
	MatMul(got, a, w, bias, m, k, n)
	matMulGo(want, a, w, bias, m, k, n)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("out[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// encoderShapes are the encoder's dense layers: k×n for m = 25 tokens (one
// sentence) and m = 767 (the benchmark's batch of 32 sentences).
var encoderShapes = [][2]int{{256, 768}, {512, 1536}, {1536, 512}, {512, 512}}

// BenchmarkGEMM times MatMul, pure Go and SIMD (when attached), on the
// encoder's shapes, in GFLOP/s.
func BenchmarkGEMM(b *testing.B) {
	r := rand.New(rand.NewPCG(11, 12))
	defer setAccelerated(true)
	for _, m := range []int{25, 767} {
		for _, kn := range encoderShapes {
			k, n := kn[0], kn[1]
			a, w, bias, out := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), make([]float32, m*n)
			for _, path := range []string{"go", "simd"} {
				b.Run(fmt.Sprintf("m=%d/k=%d/n=%d/%s", m, k, n, path), func(b *testing.B) {
					if setAccelerated(path == "simd") != (path == "simd") {
						b.Skip("no SIMD kernels attached")
					}
					for b.Loop() {
						MatMul(out, a, w, bias, m, k, n)
					}
					b.ReportMetric(2*float64(m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// TestLayerNormKernelMatchesGo compares the SIMD layer norm with
// layerNormGo, rows of odd and even widths, off-centre so that the mean
// matters, in place and not.
func TestLayerNormKernelMatchesGo(t *testing.T) {
	needKernels(t)
	r := rand.New(rand.NewPCG(13, 14))
	for _, m := range []int{1, 2, 3, 7, 25} {
		for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 31, 33, 256, 512, 768} {
			x, xOK := span(r, m*n, true)
			for i := range x {
				x[i] = 3 + 2*x[i]
			}
			scale, _ := span(r, n, true)
			bias, _ := span(r, n, true)
			want := make([]float32, m*n)
			layerNormGo(want, x, scale, bias, m, n, 1e-6)
			got, outOK := span(r, m*n, true)
			LayerNorm(got, x, scale, bias, m, n, 1e-6)
			if !outOK() || !xOK() {
				t.Fatalf("m=%d n=%d: wrote outside out", m, n)
			}
			inPlace := append([]float32(nil), x...)
			LayerNorm(inPlace, inPlace, scale, bias, m, n, 1e-6)
			for i := 0; i < m; i++ {
				var mean float64
				for _, v := range x[i*n : (i+1)*n] {
					mean += float64(v) / float64(n)
				}
				for j := 0; j < n; j++ {
					// What rounding error scales with: |scale|·(|x|+|mean|)/std + |bias|,
					// with 1/std read off the result.
					wv, xv := want[i*n+j], x[i*n+j]
					inv := 1.0
					if d := float64(xv) - mean; math.Abs(d) > 1e-3 && scale[j] != 0 {
						inv = math.Abs((float64(wv) - float64(bias[j])) / (float64(scale[j]) * d))
					}
					mag := float32(math.Abs(float64(scale[j]))*inv*(math.Abs(float64(xv))+math.Abs(mean)) + math.Abs(float64(bias[j])))
					for _, g := range []float32{got[i*n+j], inPlace[i*n+j]} {
						if !closeEnough(g, wv, mag) {
							t.Fatalf("m=%d n=%d: out[%d,%d] = %v, pure Go %v", m, n, i, j, g, wv)
						}
					}
				}
			}
		}
	}
}

// TestAttentionKernelMatchesGo compares the SIMD attention with
// attentionGo on sequence lengths and head widths with and without a
// remainder past a multiple of 4 (the encoder's are 32 and 64).
func TestAttentionKernelMatchesGo(t *testing.T) {
	needKernels(t)
	r := rand.New(rand.NewPCG(15, 16))
	for _, wh := range [][2]int{{256, 8}, {512, 8}, {12, 3}, {10, 2}, {7, 7}, {6, 1}, {9, 1}} {
		width, heads := wh[0], wh[1]
		for _, n := range []int{1, 2, 3, 5, 7, 8, 9, 13, 17, 25, 31, 33, 128} {
			scale := float32(1 / math.Sqrt(float64(width/heads)))
			qkv, qkvOK := span(r, n*3*width, true)
			for i := range qkv {
				qkv[i] *= 4 // peakier softmax
			}
			want, scratch := make([]float32, n*width), make([]float32, n)
			attentionGo(want, qkv, scratch, n, width, heads, scale)
			got, outOK := span(r, n*width, true)
			scores, scoresOK := span(r, n, false)
			Attention(got, qkv, scores, n, width, heads, scale)
			if !outOK() || !qkvOK() || !scoresOK() {
				t.Fatalf("n=%d width=%d heads=%d: wrote outside ctx or scores", n, width, heads)
			}
			for i := range want {
				// Values are in [-4, 4] and the weights sum to 1.
				if !closeEnough(got[i], want[i], 4) {
					t.Fatalf("n=%d width=%d heads=%d: ctx[%d] = %v, pure Go %v", n, width, heads, i, got[i], want[i])
				}
			}
		}
	}
}

// TestKernelExp checks the kernel's exp through a softmax of two: a
// sequence of two tokens whose scores differ by d gives weights
// 1/(1+e^-d) and e^-d/(1+e^-d), so the output mixes the two values.
func TestKernelExp(t *testing.T) {
	needKernels(t)
	for _, d := range []float64{0, 1e-7, 0.1, 0.5, 0.7, 1, 2, 5, 10, 20, 40, 80, 87, 88, 100, 104, 110, 200, 1e4} {
		// One head of width 1: q = 1, keys d and 0, values 1 and 0, so
		// ctx[0] = 1/(1+e^-d).
		qkv := []float32{1, float32(d), 1, 1, 0, 0}
		ctx, scores := make([]float32, 2), make([]float32, 2)
		Attention(ctx, qkv, scores, 2, 1, 1, 1)
		want := 1 / (1 + math.Exp(-float64(float32(d))))
		if math.Abs(float64(ctx[0])-want) > 3e-7*want { // a few float32 roundings
			t.Errorf("d=%v: softmax weight %v, want %v", d, ctx[0], want)
		}
	}
}

// BenchmarkKernels times LayerNorm and Attention, pure Go and SIMD (when
// attached), at the encoder's sizes for the 32-sentence batch (767 tokens,
// widths 512, attention per 25-token sentence with 8 heads of 64).
func BenchmarkKernels(b *testing.B) {
	r := rand.New(rand.NewPCG(17, 18))
	defer setAccelerated(true)
	const m, n = 767, 512
	x, scale, bias, out := randSlice(r, m*n), randSlice(r, n), randSlice(r, n), make([]float32, m*n)
	const T, width, heads = 25, 512, 8
	qkv, ctx, scores := randSlice(r, T*3*width), make([]float32, T*width), make([]float32, T)
	for _, path := range []string{"go", "simd"} {
		b.Run("LayerNorm/m=767/n=512/"+path, func(b *testing.B) {
			if setAccelerated(path == "simd") != (path == "simd") {
				b.Skip("no SIMD kernels attached")
			}
			for b.Loop() {
				LayerNorm(out, x, scale, bias, m, n, 1e-6)
			}
		})
		b.Run("Attention/n=25/width=512/heads=8/"+path, func(b *testing.B) {
			if setAccelerated(path == "simd") != (path == "simd") {
				b.Skip("no SIMD kernels attached")
			}
			for b.Loop() {
				Attention(ctx, qkv, scores, T, width, heads, 0.125)
			}
		})
	}
}
