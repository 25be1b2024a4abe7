package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// TestMatMul compares the blocked kernel with a float64 triple loop on
// shapes that exercise the 4-row blocks and their remainders.
func TestMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sz := range [][3]int{{1, 1, 1}, {1, 7, 3}, {3, 5, 2}, {4, 4, 4}, {5, 9, 13}, {9, 33, 17}, {25, 256, 768}} {
		m, k, n := sz[0], sz[1], sz[2]
		a, w, bias := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n)
		for _, withBias := range []bool{true, false} {
			b := bias
			if !withBias {
				b = nil
			}
			out := randSlice(r, m*n) // garbage to be overwritten
			MatMul(out, a, w, b, m, k, n)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var want float64
					if b != nil {
						want = float64(b[j])
					}
					for p := 0; p < k; p++ {
						want += float64(a[i*k+p]) * float64(w[p*n+j])
					}
					if d := math.Abs(float64(out[i*n+j]) - want); d > 1e-5*float64(k) {
						t.Fatalf("%v bias=%v: out[%d,%d] = %v, want %v", sz, withBias, i, j, out[i*n+j], want)
					}
				}
			}
		}
	}
}

func TestLayerNorm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const m, n = 3, 10
	x, scale, bias := randSlice(r, m*n), randSlice(r, n), randSlice(r, n)
	out := make([]float32, m*n)
	LayerNorm(out, x, scale, bias, m, n, 1e-6)
	for i := 0; i < m; i++ {
		var mean, vr float64
		for _, v := range x[i*n : (i+1)*n] {
			mean += float64(v) / n
		}
		for _, v := range x[i*n : (i+1)*n] {
			vr += (float64(v) - mean) * (float64(v) - mean) / n
		}
		for j := 0; j < n; j++ {
			want := (float64(x[i*n+j])-mean)/math.Sqrt(vr+1e-6)*float64(scale[j]) + float64(bias[j])
			if math.Abs(float64(out[i*n+j])-want) > 1e-5 {
				t.Fatalf("row %d col %d: %v, want %v", i, j, out[i*n+j], want)
			}
		}
	}
	// In place gives the same answer.
	LayerNorm(x, x, scale, bias, m, n, 1e-6)
	for i := range x {
		if x[i] != out[i] {
			t.Fatalf("in-place layer norm differs at %d", i)
		}
	}
}

func TestSoftmax(t *testing.T) {
	x := []float32{1000, 1001, -1e9, 999}
	Softmax(x)
	var sum float32
	for _, v := range x {
		if math.IsNaN(float64(v)) {
			t.Fatal("NaN")
		}
		sum += v
	}
	if math.Abs(float64(sum)-1) > 1e-6 || x[2] != 0 || !(x[1] > x[0] && x[0] > x[3]) {
		t.Errorf("softmax = %v", x)
	}
	Softmax([]float32(nil)) // no panic on empty
}

func TestActivations(t *testing.T) {
	x := []float32{-2, 0, 3}
	ReLU(x)
	if x[0] != 0 || x[2] != 3 {
		t.Errorf("ReLU: %v", x)
	}
	y := []float32{3, 4}
	L2Normalize(y, 1e-12)
	if math.Abs(float64(y[0])-0.6) > 1e-7 || math.Abs(float64(y[1])-0.8) > 1e-7 {
		t.Errorf("L2Normalize: %v", y)
	}
	z := []float32{0, 0}
	L2Normalize(z, 1e-12) // floored: no NaN
	if z[0] != 0 || z[1] != 0 {
		t.Errorf("L2Normalize of zeros: %v", z)
	}
	if d := Dot([]float32{1, 2, 3, 4, 5}, []float32{5, 4, 3, 2, 1}); d != 35 {
		t.Errorf("Dot = %v", d)
	}
}

func BenchmarkMatMul(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	const m, k, n = 32, 512, 1536
	a, w, bias, out := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), make([]float32, m*n)
	for b.Loop() {
		MatMul(out, a, w, bias, m, k, n)
	}
	b.ReportMetric(2*m*k*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestAttentionWeightsMatchesAttention: the training variant computes the
// same context and keeps every softmax row, each a distribution.
func TestAttentionWeightsMatchesAttention(t *testing.T) {
	const n, width, heads = 5, 8, 2
	r := rand.New(rand.NewPCG(9, 9))
	qkv := make([]float32, n*3*width)
	for i := range qkv {
		qkv[i] = float32(r.NormFloat64())
	}
	want := make([]float32, n*width)
	attentionGo(want, qkv, make([]float32, n), n, width, heads, 0.5)
	got := make([]float32, n*width)
	probs := make([]float32, heads*n*n)
	AttentionWeights(got, qkv, probs, n, width, heads, 0.5)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ctx[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	for row := 0; row < heads*n; row++ {
		var sum float32
		for _, p := range probs[row*n : (row+1)*n] {
			sum += p
		}
		if math.Abs(float64(sum-1)) > 1e-5 {
			t.Errorf("row %d sums to %v", row, sum)
		}
	}
}
