//go:build !purego

package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// The AVX2 kernels are checked against two references: the package's
// pure-Go kernels (matMulGo, MatMulTransB, AddMatMulTransA) and a float64
// computation in this file, which stays pure Go however those are wired.

func needAVX2(t testing.TB) {
	t.Helper()
	if !haveAVX2FMA() {
		t.Skip("this CPU or OS does not run AVX2 and FMA")
	}
}

// avxTestSizes are the small sizes every dimension runs through: below,
// at and above the micro-tile's 6 rows and 16 columns and their multiples.
var avxTestSizes = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100}

// avxTestShapes are {m, k, n}: every combination of avxTestSizes, then the
// training shapes for one short sentence and for a batch (m = 131 spans
// two blocks of MC = 72 rows), then shapes that cross the other blocking
// sizes (KC = 256 deep, NC = 1536 columns) with odd remainders.
func avxTestShapes() [][3]int {
	var shapes [][3]int
	for _, m := range avxTestSizes {
		for _, k := range avxTestSizes {
			for _, n := range avxTestSizes {
				shapes = append(shapes, [3]int{m, k, n})
			}
		}
	}
	for _, m := range []int{25, 131} {
		for _, kn := range avxTrainShapes {
			shapes = append(shapes, [3]int{m, kn[0], kn[1]})
		}
	}
	return append(shapes,
		[3]int{73, 257, 1537}, [3]int{145, 513, 31}, [3]int{7, 19, 1605},
		[3]int{3, 1605, 19}, [3]int{1605, 7, 17}, [3]int{1, 1, 1601},
	)
}

// avxTrainShapes are the {k, n} of the model's dense layers (as MatMul
// sees them; the backward kernels see the same matrices) and of the
// three-class head.
var avxTrainShapes = [][2]int{{256, 768}, {512, 1536}, {1536, 512}, {256, 512}, {512, 512}, {512, 3}}

// avxClose reports whether got is within 1e-5 of want relative to mag, the
// sum of the magnitudes of the terms added up (rounding error scales with
// it; |want| alone can be near zero by cancellation).
func avxClose(got float32, want float64, mag float64) bool {
	return math.Abs(float64(got)-want) <= 1e-5*math.Max(mag, 1e-30)
}

func avxSame(x, y []float32) bool {
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return len(x) == len(y)
}

func TestMatMulAVX2(t *testing.T) {
	needAVX2(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, sh := range avxTestShapes() {
		m, k, n := sh[0], sh[1], sh[2]
		a, aOK := span(r, m*k, true)
		w, wOK := span(r, k*n, true)
		bias, bOK := span(r, n, true)
		a0, w0, bias0 := append([]float32(nil), a...), append([]float32(nil), w...), append([]float32(nil), bias...)
		// In float64: the sums of a·w and of |a·w|.
		sum, abs := make([]float64, m*n), make([]float64, m*n)
		for i := 0; i < m; i++ {
			for p := 0; p < k; p++ {
				x := float64(a[i*k+p])
				for j := 0; j < n; j++ {
					y := x * float64(w[p*n+j])
					sum[i*n+j] += y
					abs[i*n+j] += math.Abs(y)
				}
			}
		}
		for _, withBias := range []bool{true, false} {
			b := bias
			if !withBias {
				b = nil
			}
			want := make([]float32, m*n)
			matMulGo(want, a, w, b, m, k, n)
			got, outOK := span(r, m*n, true) // garbage, to be overwritten
			matMulAVX2(got, a, w, b, m, k, n)
			if !outOK() || !aOK() || !wOK() || !bOK() || !avxSame(a, a0) || !avxSame(w, w0) || !avxSame(bias, bias0) {
				t.Fatalf("m=%d k=%d n=%d bias=%v: wrote outside out", m, k, n, withBias)
			}
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					exact, mag := sum[i*n+j], abs[i*n+j]
					if b != nil {
						exact += float64(b[j])
						mag += math.Abs(float64(b[j]))
					}
					g := got[i*n+j]
					if !avxClose(g, exact, mag) || !avxClose(g, float64(want[i*n+j]), mag) {
						t.Fatalf("m=%d k=%d n=%d bias=%v: out[%d,%d] = %v, pure Go %v, exact %v",
							m, k, n, withBias, i, j, g, want[i*n+j], exact)
					}
				}
			}
		}
	}
}

func TestMatMulTransBAVX2(t *testing.T) {
	needAVX2(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, sh := range avxTestShapes() {
		m, k, n := sh[0], sh[1], sh[2]
		dout, dOK := span(r, m*n, true)
		w, wOK := span(r, k*n, true)
		dout0, w0 := append([]float32(nil), dout...), append([]float32(nil), w...)
		want := make([]float32, m*k)
		matMulTransBGo(want, dout, w, m, k, n)
		got, daOK := span(r, m*k, true) // garbage, to be overwritten
		matMulTransBAVX2(got, dout, w, m, k, n)
		if !daOK() || !dOK() || !wOK() || !avxSame(dout, dout0) || !avxSame(w, w0) {
			t.Fatalf("m=%d k=%d n=%d: wrote outside da", m, k, n)
		}
		for i := 0; i < m; i++ {
			for p := 0; p < k; p++ {
				var exact, mag float64
				for j := 0; j < n; j++ {
					x := float64(dout[i*n+j]) * float64(w[p*n+j])
					exact += x
					mag += math.Abs(x)
				}
				g := got[i*k+p]
				if !avxClose(g, exact, mag) || !avxClose(g, float64(want[i*k+p]), mag) {
					t.Fatalf("m=%d k=%d n=%d: da[%d,%d] = %v, pure Go %v, exact %v", m, k, n, i, p, g, want[i*k+p], exact)
				}
			}
		}
	}
}

func TestAddMatMulTransAAVX2(t *testing.T) {
	needAVX2(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, sh := range avxTestShapes() {
		m, k, n := sh[0], sh[1], sh[2]
		a, aOK := span(r, m*k, true)
		dout, dOK := span(r, m*n, true)
		// Some exact zeros in a, which the pure-Go loop skips.
		for i := 0; i < len(a); i += 7 {
			a[i] = 0
		}
		a0, dout0 := append([]float32(nil), a...), append([]float32(nil), dout...)
		dw0, dbias0 := randSlice(r, k*n), randSlice(r, n) // what is accumulated into
		// In float64: dw0 + aᵀ·dout, and the sums of the magnitudes.
		sum, abs := make([]float64, k*n), make([]float64, k*n)
		for i, v := range dw0 {
			sum[i], abs[i] = float64(v), math.Abs(float64(v))
		}
		for i := 0; i < m; i++ {
			for p := 0; p < k; p++ {
				x := float64(a[i*k+p])
				for j := 0; j < n; j++ {
					y := x * float64(dout[i*n+j])
					sum[p*n+j] += y
					abs[p*n+j] += math.Abs(y)
				}
			}
		}
		wantW, wantB := append([]float32(nil), dw0...), append([]float32(nil), dbias0...)
		addMatMulTransAGo(wantW, wantB, a, dout, m, k, n)
		for _, withBias := range []bool{true, false} {
			gotW, wOK := span(r, k*n, false)
			gotB, bOK := span(r, n, false)
			copy(gotW, dw0)
			copy(gotB, dbias0)
			var gb []float32
			if withBias {
				gb = gotB
			}
			addMatMulTransAAVX2(gotW, gb, a, dout, m, k, n)
			if !wOK() || !bOK() || !aOK() || !dOK() || !avxSame(a, a0) || !avxSame(dout, dout0) {
				t.Fatalf("m=%d k=%d n=%d bias=%v: wrote outside dw, dbias", m, k, n, withBias)
			}
			for p := 0; p < k; p++ {
				for j := 0; j < n; j++ {
					exact, mag := sum[p*n+j], abs[p*n+j]
					g := gotW[p*n+j]
					if !avxClose(g, exact, mag) || !avxClose(g, float64(wantW[p*n+j]), mag) {
						t.Fatalf("m=%d k=%d n=%d bias=%v: dw[%d,%d] = %v, pure Go %v, exact %v",
							m, k, n, withBias, p, j, g, wantW[p*n+j], exact)
					}
				}
			}
			if !withBias {
				if !avxSame(gotB, dbias0) {
					t.Fatalf("m=%d k=%d n=%d: dbias changed though not passed", m, k, n)
				}
				continue
			}
			// The column sums add in the same order as pure Go: bit-identical.
			if !avxSame(gotB, wantB) {
				t.Fatalf("m=%d k=%d n=%d: dbias = %v, pure Go %v", m, k, n, gotB, wantB)
			}
		}
	}
}

// TestAVX2DegenerateSizes checks zero sizes: MatMul with k = 0 is the bias,
// MatMulTransB with n = 0 is zero, and nothing is touched when m or n is 0.
func TestAVX2DegenerateSizes(t *testing.T) {
	needAVX2(t)
	out := []float32{9, 9, 9, 9, 9, 9}
	matMulAVX2(out, nil, nil, []float32{1, 2, 3}, 2, 0, 3)
	if !avxSame(out, []float32{1, 2, 3, 1, 2, 3}) {
		t.Errorf("k=0 with bias: %v", out)
	}
	matMulAVX2(out, nil, nil, nil, 2, 0, 3)
	if !avxSame(out, make([]float32, 6)) {
		t.Errorf("k=0 without bias: %v", out)
	}
	da := []float32{9, 9}
	matMulTransBAVX2(da, nil, nil, 1, 2, 0)
	if !avxSame(da, []float32{0, 0}) {
		t.Errorf("MatMulTransB n=0: %v", da)
	}
	dw, db := []float32{1, 2}, []float32{3}
	addMatMulTransAAVX2(dw, db, nil, nil, 0, 2, 1)
	addMatMulTransAAVX2(dw, db, []float32{5, 6}, nil, 1, 2, 0)
	if !avxSame(dw, []float32{1, 2}) || !avxSame(db, []float32{3}) {
		t.Errorf("AddMatMulTransA m=0 or n=0 changed dw %v, dbias %v", dw, db)
	}
}

// TestAVX2PanicsOnShortSlices checks that each kernel refuses, like the
// pure-Go code, slices one element too short, rather than reading or
// writing past them.
func TestAVX2PanicsOnShortSlices(t *testing.T) {
	needAVX2(t)
	const m, k, n = 7, 9, 17
	f := func(size int) []float32 { return make([]float32, size) }
	cases := []struct {
		name string
		call func(short int) // short: which argument is one element short
		args int
	}{
		{"matMulAVX2", func(s int) {
			sz := []int{m * n, m * k, k * n, n}
			sz[s]--
			matMulAVX2(f(sz[0]), f(sz[1]), f(sz[2]), f(sz[3]), m, k, n)
		}, 4},
		{"matMulTransBAVX2", func(s int) {
			sz := []int{m * k, m * n, k * n}
			sz[s]--
			matMulTransBAVX2(f(sz[0]), f(sz[1]), f(sz[2]), m, k, n)
		}, 3},
		{"addMatMulTransAAVX2", func(s int) {
			sz := []int{k * n, n, m * k, m * n}
			sz[s]--
			addMatMulTransAAVX2(f(sz[0]), f(sz[1]), f(sz[2]), f(sz[3]), m, k, n)
		}, 4},
	}
	for _, c := range cases {
		for s := 0; s < c.args; s++ {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s with argument %d one element short did not panic", c.name, s)
					}
				}()
				c.call(s)
			}()
		}
	}
}

// TestAVX2Concurrent runs the kernels from several goroutines at once:
// each call must take its own packing space.
func TestAVX2Concurrent(t *testing.T) {
	needAVX2(t)
	const m, k, n = 77, 300, 161
	r := rand.New(rand.NewPCG(7, 8))
	a, w, bias, dout := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), randSlice(r, m*n)
	want, wantDA, wantDW := make([]float32, m*n), make([]float32, m*k), make([]float32, k*n)
	matMulAVX2(want, a, w, bias, m, k, n)
	matMulTransBAVX2(wantDA, dout, w, m, k, n)
	addMatMulTransAAVX2(wantDW, nil, a, dout, m, k, n)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, da, dw := make([]float32, m*n), make([]float32, m*k), make([]float32, k*n)
			for range 20 {
				matMulAVX2(out, a, w, bias, m, k, n)
				matMulTransBAVX2(da, dout, w, m, k, n)
				clear(dw)
				addMatMulTransAAVX2(dw, nil, a, dout, m, k, n)
				if !avxSame(out, want) || !avxSame(da, wantDA) || !avxSame(dw, wantDW) {
					t.Error("concurrent calls disagree with a lone call")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestAVX2DoesNotAllocate checks that, once warm, the kernels reuse their
// packing space.
func TestAVX2DoesNotAllocate(t *testing.T) {
	needAVX2(t)
	const m, k, n = 50, 300, 70
	r := rand.New(rand.NewPCG(11, 12))
	a, w, bias, dout := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), randSlice(r, m*n)
	out, da, dw, db := make([]float32, m*n), make([]float32, m*k), make([]float32, k*n), make([]float32, n)
	allocs := testing.AllocsPerRun(20, func() {
		matMulAVX2(out, a, w, bias, m, k, n)
		matMulTransBAVX2(da, dout, w, m, k, n)
		addMatMulTransAAVX2(dw, db, a, dout, m, k, n)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run of the three kernels, want 0", allocs)
	}
}

// BenchmarkAVX2 times the three matrix products, pure Go and AVX2, on the
// training shapes, in GFLOP/s (one goroutine).
func BenchmarkAVX2(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, m := range []int{25, 200, 800} {
		for _, kn := range avxTrainShapes {
			k, n := kn[0], kn[1]
			a, w, bias, out := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), make([]float32, m*n)
			dout, da, dw, db := randSlice(r, m*n), make([]float32, m*k), make([]float32, k*n), make([]float32, n)
			kernels := []struct {
				name    string
				go_, av func()
			}{
				{"MatMul",
					func() { matMulGo(out, a, w, bias, m, k, n) },
					func() { matMulAVX2(out, a, w, bias, m, k, n) }},
				{"MatMulTransB",
					func() { matMulTransBGo(da, dout, w, m, k, n) },
					func() { matMulTransBAVX2(da, dout, w, m, k, n) }},
				{"AddMatMulTransA",
					func() { addMatMulTransAGo(dw, db, a, dout, m, k, n) },
					func() { addMatMulTransAAVX2(dw, db, a, dout, m, k, n) }},
			}
			for _, kern := range kernels {
				for _, path := range []string{"go", "avx2"} {
					b.Run(fmt.Sprintf("%s/m=%d/k=%d/n=%d/%s", kern.name, m, k, n, path), func(b *testing.B) {
						f := kern.go_
						if path == "avx2" {
							needAVX2(b)
							f = kern.av
						}
						for b.Loop() {
							f()
						}
						b.ReportMetric(2*float64(m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					})
				}
			}
		}
	}
}

// BenchmarkAVX2Parallel runs the AVX2 kernels from GOMAXPROCS goroutines at
// once, as core/train's workers do, and reports their total GFLOP/s.
func BenchmarkAVX2Parallel(b *testing.B) {
	needAVX2(b)
	const m = 400 // about one worker's share of a 32-sentence batch
	r := rand.New(rand.NewPCG(13, 14))
	for _, kn := range avxTrainShapes[:3] {
		k, n := kn[0], kn[1]
		a, w, bias, dout := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, n), randSlice(r, m*n)
		b.Run(fmt.Sprintf("all3/m=%d/k=%d/n=%d", m, k, n), func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				out, da, dw, db := make([]float32, m*n), make([]float32, m*k), make([]float32, k*n), make([]float32, n)
				for pb.Next() {
					matMulAVX2(out, a, w, bias, m, k, n)
					matMulTransBAVX2(da, dout, w, m, k, n)
					addMatMulTransAAVX2(dw, db, a, dout, m, k, n)
				}
			})
			b.ReportMetric(3*2*float64(m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
