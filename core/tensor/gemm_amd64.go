//go:build !purego

package tensor

import "unsafe"

// AVX2 + FMA matrix products for amd64: MatMul, MatMulTransB and
// AddMatMulTransA on one register-blocked micro-kernel (gemm_amd64.s).
//
// All three are C += A·B for some C[M×N], A[M×K], B[K×N] whose elements
// sit in the caller's slices at some strides (see avxGEMM). The loops are
// those of BLIS (Van Zee & van de Geijn, 2015) with its Haswell blocking:
//
//	for each block of KC rows of B (pc):
//	  pack B[pc:pc+KC, :] into panels of 16 columns  (KC×16 floats each, L1-sized)
//	  for each block of MC rows of A (ic):
//	    pack A[ic:ic+MC, pc:pc+KC] into slivers of 6 rows (KC×6 floats each)
//	    for each panel (jr), for each sliver (ir):
//	      C[6×16 tile] += sliver · panel                 (avxKernel6x16)
//
// The micro-kernel keeps the 6×16 tile of C in 12 YMM registers and, for
// each p, loads 16 floats of B and broadcasts 6 of A: 12 FMAs per 8 loads.
// Packing turns every operand layout (transposed or not) into the one the
// micro-kernel reads, makes its reads contiguous (no cache-set conflicts
// from large power-of-two strides), and pads partial slivers and panels
// with zeros so that edge tiles need no special kernel: they are computed
// in a 6×16 scratch tile and copied to C. Slivers of A are packed in Go
// (A is the smaller operand); whole panels of B, the bulk of the packing,
// in assembly (a plain copy, or 8×8 AVX transposes for MatMulTransB).
//
// Memory safety: the assembly touches only the packed buffers (sized by
// construction), and the tiles of C and blocks of B whose first and last
// elements have been bounds-checked in Go just before the call (every
// element in between then lies inside the same slice).
//
// Every function here needs AVX2 and FMA: call them only when
// haveAVX2FMA() is true.

// Blocking sizes. avxMC is a multiple of avxMR and avxNC of avxNR.
const (
	avxMR = 6    // rows of the micro-tile
	avxNR = 16   // columns of the micro-tile: two YMM registers
	avxKC = 256  // depth of a packed block: a B panel is avxKC×16 floats = 16 KiB
	avxMC = 72   // rows of A packed at once: 72×256 floats = 72 KiB
	avxNC = 1536 // columns of B packed at once: 256×1536 floats = 1.5 MiB
)

// avxKernel6x16 adds A·B to the 6×16 tile of C at c (rows ldc floats
// apart), for A a packed sliver (kc steps of 6 floats) and B a packed
// panel (kc steps of 16 floats). Implemented in gemm_amd64.s.
//
//go:noescape
func avxKernel6x16(kc int, a, b, c *float32, ldc int)

// avxPackB16 sets dst[p*16+j] = src[p*ldb+j] for p < kc, j < 16, and
// avxPackBT16 sets dst[p*16+j] = src[j*ldb+p] for p < kc (a multiple of
// 8), j < 16. Implemented in gemm_amd64.s.
//
//go:noescape
func avxPackB16(dst, src *float32, ldb, kc int)

//go:noescape
func avxPackBT16(dst, src *float32, ldb, kc int)

// avxAddTo adds src[:n] to dst[:n]. Implemented in gemm_amd64.s.
//
//go:noescape
func avxAddTo(dst, src *float32, n int)

// avxCPUID and avxXGETBV run those instructions (gemm_amd64.s).
func avxCPUID(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func avxXGETBV() (eax, edx uint32)

// avx2FMA records whether this CPU and OS run AVX2 and FMA code.
var avx2FMA = detectAVX2FMA()

// haveAVX2FMA reports whether the AVX2 kernels (matMulAVX2,
// matMulTransBAVX2, addMatMulTransAAVX2) can run here: the CPU has AVX,
// AVX2 and FMA, and the OS saves the YMM registers on context switches.
// It is cheap (the check runs once, at start-up).
func haveAVX2FMA() bool { return avx2FMA }

func detectAVX2FMA() bool {
	maxLeaf, _, _, _ := avxCPUID(0, 0)
	if maxLeaf < 7 {
		return false
	}
	const (
		fma     = 1 << 12 // CPUID.1:ECX
		osxsave = 1 << 27
		avx     = 1 << 28
		avx2    = 1 << 5 // CPUID.(7,0):EBX
		xcr0SSE = 1 << 1 // XCR0: the OS saves XMM state...
		xcr0AVX = 1 << 2 // ...and the upper halves of the YMM registers
	)
	_, _, ecx1, _ := avxCPUID(1, 0)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := avxXGETBV(); xcr0&(xcr0SSE|xcr0AVX) != xcr0SSE|xcr0AVX {
		return false
	}
	_, ebx7, _, _ := avxCPUID(7, 0)
	return ebx7&avx2 != 0
}

// matMulAVX2 is MatMul on AVX2: out[m×n] = a[m×k] · w[k×n] + bias[n]
// (bias may be nil). It panics, as MatMul does, if a slice is too short.
// Each output adds its products to the bias in order of k, like matMulGo,
// but with fused multiply-adds (one rounding per term instead of two).
func matMulAVX2(out, a, w, bias []float32, m, k, n int) {
	out = out[:m*n]
	a = a[:m*k]
	w = w[:k*n]
	if bias != nil {
		bias = bias[:n]
	}
	if m <= 0 || n <= 0 {
		return
	}
	for i := 0; i < m; i++ {
		row := out[i*n : (i+1)*n]
		if bias == nil {
			clear(row)
		} else {
			copy(row, bias)
		}
	}
	if k <= 0 {
		return
	}
	avxGEMM(out, n, a, k, false, w, n, false, m, n, k)
}

// matMulTransBAVX2 is MatMulTransB on AVX2: da[m×k] = dout[m×n] · wᵀ, for
// w stored [k×n]. It overwrites da, and panics if a slice is too short.
func matMulTransBAVX2(da, dout, w []float32, m, k, n int) {
	da = da[:m*k]
	if m <= 0 || k <= 0 {
		return
	}
	dout = dout[:m*n]
	w = w[:k*n]
	clear(da)
	if n <= 0 {
		return
	}
	// C = da [m×k], A = dout [m×n], B(p, j) = w[j*n+p].
	avxGEMM(da, k, dout, n, false, w, n, true, m, k, n)
}

// addMatMulTransAAVX2 is AddMatMulTransA on AVX2: dw[k×n] += aᵀ · dout for
// a [m×k] and dout [m×n], and dbias[n] += the column sums of dout (dbias
// may be nil). It panics if a slice is too short. Unlike the pure-Go loop
// it does not skip zeros of a, so a NaN or infinity in dout reaches dw
// even where a is zero.
func addMatMulTransAAVX2(dw, dbias, a, dout []float32, m, k, n int) {
	dw = dw[:k*n]
	if m <= 0 {
		return
	}
	a = a[:m*k]
	dout = dout[:m*n]
	if dbias != nil {
		dbias = dbias[:n]
	}
	if k > 0 && n > 0 {
		// C = dw [k×n], A(i, p) = a[p*k+i], B = dout [m×n].
		avxGEMM(dw, n, a, k, true, dout, n, false, k, n, m)
	}
	if dbias != nil && n > 0 {
		for i := 0; i < m; i++ {
			d := dout[i*n : (i+1)*n]
			avxAddTo(&dbias[0], &d[0], n) // both are n long
		}
	}
}

// avxScratch is one caller's packing space.
type avxScratch struct {
	a    []float32 // packed block of A: avxMC×avxKC, 64-byte aligned
	b    []float32 // packed block of B: avxKC×avxNC, 64-byte aligned
	tile [avxMR * avxNR]float32
}

// avxScratchFree keeps scratch buffers between calls, so the kernels do not
// allocate in steady state and stay safe to call from several goroutines
// at once (each call takes its own buffer). A channel rather than a
// sync.Pool because a Pool drops its contents at every other GC, and these
// buffers are 1.6 MiB.
var avxScratchFree = make(chan *avxScratch, 8)

func getAVXScratch() *avxScratch {
	select {
	case s := <-avxScratchFree:
		return s
	default:
		return &avxScratch{
			a: alignedFloats(avxMC * avxKC),
			b: alignedFloats(avxKC * avxNC),
		}
	}
}

func putAVXScratch(s *avxScratch) {
	select {
	case avxScratchFree <- s:
	default:
	}
}

// alignedFloats returns n floats starting at a 64-byte boundary, so that
// the micro-kernel's loads of packed B never straddle cache lines.
func alignedFloats(n int) []float32 {
	buf := make([]float32, n+16)
	off := int(uintptr(unsafe.Pointer(&buf[0]))%64) / 4
	if off != 0 {
		off = 16 - off
	}
	return buf[off : off+n : off+n]
}

// avxGEMM adds A·B to C for C[M×N] at c[i*ldc+j], and
//
//	A(i, p) = a[i*lda+p], or a[p*lda+i] if aT,
//	B(p, j) = b[p*ldb+j], or b[j*ldb+p] if bT.
//
// M, N, K ≥ 1 and the slices hold every element named (slice accesses in
// the packing would panic otherwise). Each element of C adds its products
// in order of p.
func avxGEMM(c []float32, ldc int, a []float32, lda int, aT bool, b []float32, ldb int, bT bool, M, N, K int) {
	s := getAVXScratch()
	defer putAVXScratch(s)
	for jc := 0; jc < N; jc += avxNC {
		nc := min(avxNC, N-jc)
		for pc := 0; pc < K; pc += avxKC {
			kc := min(avxKC, K-pc)
			for jr := 0; jr < nc; jr += avxNR {
				panel := s.b[jr*kc : (jr+avxNR)*kc]
				if bT {
					avxPackBT(panel, b, ldb, pc, kc, jc+jr, min(avxNR, nc-jr))
				} else {
					avxPackB(panel, b, ldb, pc, kc, jc+jr, min(avxNR, nc-jr))
				}
			}
			for ic := 0; ic < M; ic += avxMC {
				mc := min(avxMC, M-ic)
				for ir := 0; ir < mc; ir += avxMR {
					sliver := s.a[ir*kc : (ir+avxMR)*kc]
					if aT {
						avxPackAT(sliver, a, lda, ic+ir, min(avxMR, mc-ir), pc, kc)
					} else {
						avxPackA(sliver, a, lda, ic+ir, min(avxMR, mc-ir), pc, kc)
					}
				}
				avxMacroKernel(s, c, ldc, ic, mc, jc, nc, kc)
			}
		}
	}
}

// avxMacroKernel multiplies the packed block of A (rows ic..ic+mc) by the
// packed block of B (columns jc..jc+nc) into C, one 6×16 tile at a time.
func avxMacroKernel(s *avxScratch, c []float32, ldc, ic, mc, jc, nc, kc int) {
	for jr := 0; jr < nc; jr += avxNR {
		nr := min(avxNR, nc-jr)
		panel := s.b[jr*kc : (jr+avxNR)*kc]
		for ir := 0; ir < mc; ir += avxMR {
			mr := min(avxMR, mc-ir)
			sliver := s.a[ir*kc : (ir+avxMR)*kc]
			at := (ic+ir)*ldc + jc + jr // C(ic+ir, jc+jr)
			if mr == avxMR && nr == avxNR {
				// The kernel reads and writes c[at+r*ldc : at+r*ldc+16]
				// for r < 6: all between these two elements.
				_ = c[at+(avxMR-1)*ldc+avxNR-1]
				avxKernel6x16(kc, &sliver[0], &panel[0], &c[at], ldc)
				continue
			}
			t := &s.tile
			for r := 0; r < mr; r++ {
				copy(t[r*avxNR:r*avxNR+nr], c[at+r*ldc:at+r*ldc+nr])
			}
			avxKernel6x16(kc, &sliver[0], &panel[0], &t[0], avxNR)
			for r := 0; r < mr; r++ {
				copy(c[at+r*ldc:at+r*ldc+nr], t[r*avxNR:r*avxNR+nr])
			}
		}
	}
}

// avxPackA packs A(i0+r, p0+p) = a[(i0+r)*lda+p0+p], r < mr ≤ 6, p < kc,
// into dst[p*6+r], with zeros for r ≥ mr.
func avxPackA(dst, a []float32, lda, i0, mr, p0, kc int) {
	dst = dst[:kc*avxMR]
	if mr == avxMR {
		r0 := a[i0*lda+p0:][:kc]
		r1 := a[(i0+1)*lda+p0:][:len(r0)]
		r2 := a[(i0+2)*lda+p0:][:len(r0)]
		r3 := a[(i0+3)*lda+p0:][:len(r0)]
		r4 := a[(i0+4)*lda+p0:][:len(r0)]
		r5 := a[(i0+5)*lda+p0:][:len(r0)]
		for p := range r0 {
			d := (*[avxMR]float32)(dst[p*avxMR:])
			d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
		}
		return
	}
	clear(dst)
	for r := 0; r < mr; r++ {
		for p, v := range a[(i0+r)*lda+p0:][:kc] {
			dst[p*avxMR+r] = v
		}
	}
}

// avxPackAT packs A(i0+r, p0+p) = a[(p0+p)*lda+i0+r], r < mr ≤ 6, p < kc,
// into dst[p*6+r], with zeros for r ≥ mr.
func avxPackAT(dst, a []float32, lda, i0, mr, p0, kc int) {
	dst = dst[:kc*avxMR]
	if mr == avxMR {
		for p := 0; p < kc; p++ {
			src := (*[avxMR]float32)(a[(p0+p)*lda+i0:])
			d := (*[avxMR]float32)(dst[p*avxMR:])
			d[0], d[1], d[2], d[3], d[4], d[5] = src[0], src[1], src[2], src[3], src[4], src[5]
		}
		return
	}
	clear(dst)
	for p := 0; p < kc; p++ {
		copy(dst[p*avxMR:p*avxMR+mr], a[(p0+p)*lda+i0:][:mr])
	}
}

// avxPackB packs B(p0+p, j0+j) = b[(p0+p)*ldb+j0+j], p < kc, j < nr ≤ 16,
// into dst[p*16+j], with zeros for j ≥ nr.
func avxPackB(dst, b []float32, ldb, p0, kc, j0, nr int) {
	dst = dst[:kc*avxNR]
	if nr == avxNR {
		// avxPackB16 reads b[(p0+p)*ldb+j0+j], p < kc, j < 16: all between
		// these two elements.
		_ = b[(p0+kc-1)*ldb+j0+avxNR-1]
		avxPackB16(&dst[0], &b[p0*ldb+j0], ldb, kc)
		return
	}
	clear(dst)
	for p := 0; p < kc; p++ {
		copy(dst[p*avxNR:p*avxNR+nr], b[(p0+p)*ldb+j0:][:nr])
	}
}

// avxPackBT packs B(p0+p, j0+j) = b[(j0+j)*ldb+p0+p], p < kc, j < nr ≤ 16,
// into dst[p*16+j], with zeros for j ≥ nr: a transposition.
func avxPackBT(dst, b []float32, ldb, p0, kc, j0, nr int) {
	dst = dst[:kc*avxNR]
	k8 := 0
	if nr == avxNR {
		// avxPackBT16 reads b[(j0+j)*ldb+p0+p], j < 16, p < k8: all
		// between these two elements.
		if k8 = kc &^ 7; k8 > 0 {
			_ = b[(j0+avxNR-1)*ldb+p0+k8-1]
			avxPackBT16(&dst[0], &b[j0*ldb+p0], ldb, k8)
		}
	} else {
		clear(dst)
	}
	for j := 0; j < nr; j++ {
		for p, v := range b[(j0+j)*ldb+p0+k8:][:kc-k8] {
			dst[(k8+p)*avxNR+j] = v
		}
	}
}
