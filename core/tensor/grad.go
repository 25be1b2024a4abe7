package tensor

// Kernels for backward passes (core/train). Shapes follow MatMul: a is
// [m×k], w is [k×n], out and its gradient are [m×n].

// MatMulTransB sets da[m×k] = dout[m×n] · wᵀ, the gradient of MatMul with
// respect to its input a.
func MatMulTransB(da, dout, w []float32, m, k, n int) {
	if avx2On {
		matMulTransBAVX2(da, dout, w, m, k, n)
		return
	}
	matMulTransBGo(da, dout, w, m, k, n)
}

func matMulTransBGo(da, dout, w []float32, m, k, n int) {
	da = da[:m*k]
	for i := 0; i < m; i++ {
		d := dout[i*n : (i+1)*n]
		row := da[i*k : (i+1)*k]
		for p := range row {
			row[p] = Dot(d, w[p*n:(p+1)*n])
		}
	}
}

// AddMatMulTransA adds aᵀ · dout to dw[k×n], the gradient of MatMul with
// respect to its weights, and the column sums of dout to dbias[n] (dbias may
// be nil).
func AddMatMulTransA(dw, dbias, a, dout []float32, m, k, n int) {
	if avx2On {
		addMatMulTransAAVX2(dw, dbias, a, dout, m, k, n)
		return
	}
	addMatMulTransAGo(dw, dbias, a, dout, m, k, n)
}

func addMatMulTransAGo(dw, dbias, a, dout []float32, m, k, n int) {
	dw = dw[:k*n]
	for i := 0; i < m; i++ {
		d := dout[i*n : (i+1)*n]
		for p, x := range a[i*k : (i+1)*k] {
			if x != 0 {
				Axpy(dw[p*n:(p+1)*n], x, d)
			}
		}
		if dbias != nil {
			Add(dbias[:n], d)
		}
	}
}

// LayerNormBackward adds to dx[m×n] the gradient of LayerNorm given the
// gradient dout of its output, the input x, and scale; it adds the
// gradients of scale and bias to dscale and dbias.
func LayerNormBackward(dx, dscale, dbias, dout, x, scale []float32, m, n int, eps float32) {
	for i := 0; i < m; i++ {
		xr, dr, dxr := x[i*n:(i+1)*n], dout[i*n:(i+1)*n], dx[i*n:(i+1)*n]
		mean, rstd := rowStats(xr, eps)
		// With xhat = (x-mean)·rstd and g = dout·scale:
		// dx = rstd · (g - mean(g) - xhat·mean(g·xhat)).
		var gMean, gxMean float32
		for j, v := range xr {
			xhat := (v - mean) * rstd
			g := dr[j] * scale[j]
			gMean += g
			gxMean += g * xhat
			dscale[j] += dr[j] * xhat
			dbias[j] += dr[j]
		}
		gMean /= float32(n)
		gxMean /= float32(n)
		for j, v := range xr {
			xhat := (v - mean) * rstd
			dxr[j] += rstd * (dr[j]*scale[j] - gMean - xhat*gxMean)
		}
	}
}

// SoftmaxBackward sets dx = p ⊙ (dp − Σ dp⊙p) for a softmax output p.
func SoftmaxBackward(dx, dp, p []float32) {
	s := Dot(dp, p)
	for i := range dx {
		dx[i] = p[i] * (dp[i] - s)
	}
}
