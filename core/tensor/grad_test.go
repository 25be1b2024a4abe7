package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// checkGrad compares analytic gradients of f (a scalar function of x) with
// central finite differences at every element of x.
func checkGrad(t *testing.T, name string, x, analytic []float32, f func() float64) {
	t.Helper()
	const h = 1e-2
	for i := range x {
		orig := x[i]
		x[i] = orig + h
		up := f()
		x[i] = orig - h
		down := f()
		x[i] = orig
		numeric := (up - down) / (2 * h)
		if d := math.Abs(numeric - float64(analytic[i])); d > 1e-3*math.Max(1, math.Abs(numeric)) {
			t.Errorf("%s[%d]: analytic %v, numeric %v", name, i, analytic[i], numeric)
		}
	}
}

// project returns Σ out⊙r, a scalar whose gradient with respect to out is r.
func project(out, r []float32) float64 {
	var s float64
	for i := range out {
		s += float64(out[i]) * float64(r[i])
	}
	return s
}

func TestMatMulBackward(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 9))
	const m, k, n = 3, 5, 4
	a, w, b, r := randSlice(rnd, m*k), randSlice(rnd, k*n), randSlice(rnd, n), randSlice(rnd, m*n)
	out := make([]float32, m*n)
	f := func() float64 { MatMul(out, a, w, b, m, k, n); return project(out, r) }
	da, dw, db := make([]float32, m*k), make([]float32, k*n), make([]float32, n)
	MatMulTransB(da, r, w, m, k, n)
	AddMatMulTransA(dw, db, a, r, m, k, n)
	checkGrad(t, "a", a, da, f)
	checkGrad(t, "w", w, dw, f)
	checkGrad(t, "bias", b, db, f)
}

func TestLayerNormBackward(t *testing.T) {
	rnd := rand.New(rand.NewPCG(8, 8))
	const m, n = 2, 6
	x, scale, bias, r := randSlice(rnd, m*n), randSlice(rnd, n), randSlice(rnd, n), randSlice(rnd, m*n)
	out := make([]float32, m*n)
	f := func() float64 { LayerNorm(out, x, scale, bias, m, n, 1e-6); return project(out, r) }
	dx, ds, db := make([]float32, m*n), make([]float32, n), make([]float32, n)
	LayerNormBackward(dx, ds, db, r, x, scale, m, n, 1e-6)
	checkGrad(t, "x", x, dx, f)
	checkGrad(t, "scale", scale, ds, f)
	checkGrad(t, "bias", bias, db, f)
}

func TestSoftmaxBackward(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	x, r := randSlice(rnd, 5), randSlice(rnd, 5)
	p := make([]float32, 5)
	f := func() float64 { copy(p, x); Softmax(p); return project(p, r) }
	f()
	dx := make([]float32, 5)
	SoftmaxBackward(dx, r, p)
	checkGrad(t, "x", x, dx, f)
}
