;; kernels.wat: finscore's hot float32 kernels in WebAssembly SIMD128.
;;
;; Go compiled to wasm emits no SIMD; this small module does the arithmetic
;; that dominates the encoder. It imports the Go instance's linear memory, so
;; Go passes addresses (the i32 of &slice[0]) and sizes and nothing is copied.
;; Go checks every length before it calls (see accel_wasm.go): these
;; functions trust their arguments.
;;
;; Plain SIMD128 only (f32x4.mul then f32x4.add, no relaxed-simd fused
;; multiply-add), so every result is rounded exactly as the pure-Go kernels
;; round it under wasm: same products, same sums, same order.
;;
;; Assembled by tools/wasmkernels (make kernels) into kernels.wasm, which is
;; not committed. The host (web/kernel-host.mjs) instantiates it with
;; {env: {mem: <the Go instance's memory>}}.

(module
  (import "env" "mem" (memory 1))

  ;; ---------------------------------------------------------------------
  ;; gemm: out[m×n] = a[m×k] · w[k×n] + bias[n]
  ;;
  ;; All row-major and contiguous; w has k rows of n, as TensorFlow stores
  ;; dense kernels. bias = 0 means no bias. m, n ≥ 1, k ≥ 0. scratch is
  ;; work space from Go: 64 + 4·KC·8 + 4·KC·4·ceil(m/4) bytes (gemmKernel in
  ;; accel_wasm.go), KC = 512.
  ;;
  ;; The work is cut into tiles of 4 rows × 8 columns held in eight v128
  ;; accumulators (tile4x8): per step p along k, the tile's 8 floats of w
  ;; are two v128 loads, each row's a[i,p] is one v128.load32_splat, and
  ;; every accumulator takes one f32x4.mul and one f32x4.add. Twelve of
  ;; V8's fifteen allocatable xmm registers on x64; more rows or columns,
  ;; or unrolling the p loop, made TurboFan spill and ran slower.
  ;;
  ;; Loops, outermost first: slices of k, KC deep; then panels of 8
  ;; columns; then groups of 4 rows. For each slice of k, a is packed once:
  ;; each group of 4 rows interleaved, [group][p][4], so a tile reads its
  ;; four a values at one pointer and fixed offsets. For each panel, the
  ;; KC × 8 floats of w are packed contiguously (16 KB, in L1 while every
  ;; row group passes over it): read in place, w's rows are n floats apart,
  ;; a stride of 2 to 6 KB that maps the whole panel onto a few L1 sets. A
  ;; later slice of k adds to what the earlier ones left in out.
  ;;
  ;; Remainders: when fewer than 4 rows are left, the missing rows repeat
  ;; the last row (same inputs, same arithmetic: the same values are stored
  ;; twice to the same place). When n is not a multiple of 8, one more
  ;; panel ends at column n and recomputes the columns it shares with the
  ;; one before, from k = 0, to the same values. n < 8 goes to gemm_narrow.
  ;; ---------------------------------------------------------------------
  (func $gemm (export "gemm")
    (param $out i32) (param $a i32) (param $w i32) (param $bias i32)
    (param $m i32) (param $k i32) (param $n i32) (param $scratch i32)
    (local $n8 i32)
    (if (i32.or (i32.le_s (local.get $m) (i32.const 0)) (i32.le_s (local.get $n) (i32.const 0)))
      (then (return)))
    (if (i32.lt_s (local.get $n) (i32.const 8))
      (then
        (call $gemm_narrow (local.get $out) (local.get $a) (local.get $w) (local.get $bias)
          (local.get $m) (local.get $k) (local.get $n))
        (return)))
    (local.set $n8 (i32.and (local.get $n) (i32.const -8)))
    (call $gemm_columns (local.get $out) (local.get $a) (local.get $w) (local.get $bias)
      (local.get $m) (local.get $k) (local.get $n) (local.get $scratch) (i32.const 0) (local.get $n8))
    ;; The last n mod 8 columns: one more tile, ending at column n. Run on
    ;; its own from k = 0, it recomputes the columns it shares with the tile
    ;; before it from scratch, to the same values.
    (if (i32.lt_s (local.get $n8) (local.get $n))
      (then
        (call $gemm_columns (local.get $out) (local.get $a) (local.get $w) (local.get $bias)
          (local.get $m) (local.get $k) (local.get $n) (local.get $scratch)
          (i32.sub (local.get $n) (i32.const 8)) (i32.sub (local.get $n) (i32.const 7)))))
  )

  ;; gemm_columns: the gemm for the tiles of 8 columns that start at
  ;; j0, j0+8, ... < j1 (each ending by n).
  (func $gemm_columns
    (param $out i32) (param $a i32) (param $w i32) (param $bias i32)
    (param $m i32) (param $k i32) (param $n i32) (param $scratch i32)
    (param $j0 i32) (param $j1 i32)
    (local $j i32) (local $jb i32) (local $i i32) (local $last i32)
    (local $ldo i32) (local $ldw i32)
    (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $biasj i32) (local $k0 i32) (local $kc i32) (local $panel i32) (local $apack i32)
    (local $p i32) (local $src i32) (local $dst i32) (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32)
    (local.set $ldo (i32.shl (local.get $n) (i32.const 2)))
    (local.set $ldw (local.get $ldo))
    (local.set $last (i32.sub (local.get $m) (i32.const 1)))
    (local.set $panel (i32.and (i32.add (local.get $scratch) (i32.const 63)) (i32.const -64)))
    (local.set $apack (i32.add (local.get $panel) (i32.const 16384)))
    (local.set $k0 (i32.const 0))
    (loop $depth
      ;; kc: this slice's depth, at most KC = 512 (gemmKC in accel_wasm.go)
      (local.set $kc (select (i32.const 512) (i32.sub (local.get $k) (local.get $k0))
        (i32.lt_s (i32.const 512) (i32.sub (local.get $k) (local.get $k0)))))
      ;; pack a[:, k0..k0+kc] as groups of 4 rows interleaved: [group][kc][4]
      (local.set $dst (local.get $apack))
      (local.set $i (i32.const 0))
      (loop $groups
        (local.set $r1 (select (i32.add (local.get $i) (i32.const 1)) (local.get $last) (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $m))))
        (local.set $r2 (select (i32.add (local.get $i) (i32.const 2)) (local.get $last) (i32.lt_s (i32.add (local.get $i) (i32.const 2)) (local.get $m))))
        (local.set $r3 (select (i32.add (local.get $i) (i32.const 3)) (local.get $last) (i32.lt_s (i32.add (local.get $i) (i32.const 3)) (local.get $m))))
        (local.set $s0 (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $k0)) (i32.const 2))))
        (local.set $s1 (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $r1) (local.get $k)) (local.get $k0)) (i32.const 2))))
        (local.set $s2 (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $r2) (local.get $k)) (local.get $k0)) (i32.const 2))))
        (local.set $s3 (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $r3) (local.get $k)) (local.get $k0)) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $gd (loop $gl
          (br_if $gd (i32.ge_s (local.get $p) (local.get $kc)))
          (f32.store offset=0 (local.get $dst) (f32.load (local.get $s0)))
          (f32.store offset=4 (local.get $dst) (f32.load (local.get $s1)))
          (f32.store offset=8 (local.get $dst) (f32.load (local.get $s2)))
          (f32.store offset=12 (local.get $dst) (f32.load (local.get $s3)))
          (local.set $s0 (i32.add (local.get $s0) (i32.const 4)))
          (local.set $s1 (i32.add (local.get $s1) (i32.const 4)))
          (local.set $s2 (i32.add (local.get $s2) (i32.const 4)))
          (local.set $s3 (i32.add (local.get $s3) (i32.const 4)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $gl)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $groups (i32.lt_s (local.get $i) (local.get $m))))
      (local.set $j (local.get $j0))
      (loop $columns
        (local.set $jb (local.get $j))
        (local.set $biasj (select (i32.add (local.get $bias) (i32.shl (local.get $jb) (i32.const 2))) (i32.const 0) (local.get $bias)))
        (local.set $src (i32.add (local.get $w)
          (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $n)) (local.get $jb)) (i32.const 2))))
        (local.set $dst (local.get $panel))
        (local.set $p (i32.const 0))
        (block $packed
          (loop $pack
            (br_if $packed (i32.ge_s (local.get $p) (local.get $kc)))
            (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $src)))
            (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
            (local.set $src (i32.add (local.get $src) (local.get $ldw)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $pack)))
        (local.set $i (i32.const 0))
        (local.set $src (local.get $apack))
        (loop $rows
          (local.set $r1 (select (i32.add (local.get $i) (i32.const 1)) (local.get $last) (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $m))))
          (local.set $r2 (select (i32.add (local.get $i) (i32.const 2)) (local.get $last) (i32.lt_s (i32.add (local.get $i) (i32.const 2)) (local.get $m))))
          (local.set $r3 (select (i32.add (local.get $i) (i32.const 3)) (local.get $last) (i32.lt_s (i32.add (local.get $i) (i32.const 3)) (local.get $m))))
          (call $tile4x8
            (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $ldo))) (i32.shl (local.get $jb) (i32.const 2)))
            (i32.add (i32.add (local.get $out) (i32.mul (local.get $r1) (local.get $ldo))) (i32.shl (local.get $jb) (i32.const 2)))
            (i32.add (i32.add (local.get $out) (i32.mul (local.get $r2) (local.get $ldo))) (i32.shl (local.get $jb) (i32.const 2)))
            (i32.add (i32.add (local.get $out) (i32.mul (local.get $r3) (local.get $ldo))) (i32.shl (local.get $jb) (i32.const 2)))
            (local.get $src) (local.get $panel) (local.get $biasj) (local.get $k0) (local.get $kc))
          (local.set $src (i32.add (local.get $src) (i32.shl (local.get $kc) (i32.const 4))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $rows (i32.lt_s (local.get $i) (local.get $m))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br_if $columns (i32.lt_s (local.get $j) (local.get $j1))))
      (local.set $k0 (i32.add (local.get $k0) (local.get $kc)))
      (br_if $depth (i32.lt_s (local.get $k0) (local.get $k))))
  )

  ;; tile4x8: four output rows o0..o3 (8 columns each) from a packed group
  ;; of a (ap: kc steps of 4 floats) and a packed panel of w (wp: kc steps
  ;; of 8 floats). The accumulators start from the output when k0 > 0 (a
  ;; later slice of k), else from the bias, else from zero.
  (func $tile4x8
    (param $o0 i32) (param $o1 i32) (param $o2 i32) (param $o3 i32)
    (param $ap i32) (param $wp i32) (param $bias i32) (param $k0 i32) (param $kc i32)
    (local $c00 v128) (local $c01 v128)
    (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128)
    (local $c30 v128) (local $c31 v128)
    (local $w0 v128) (local $w1 v128) (local $x v128)
    (local $end i32)
    (if (local.get $k0)
      (then
        (local.set $c00 (v128.load offset=0 (local.get $o0)))
        (local.set $c01 (v128.load offset=16 (local.get $o0)))
        (local.set $c10 (v128.load offset=0 (local.get $o1)))
        (local.set $c11 (v128.load offset=16 (local.get $o1)))
        (local.set $c20 (v128.load offset=0 (local.get $o2)))
        (local.set $c21 (v128.load offset=16 (local.get $o2)))
        (local.set $c30 (v128.load offset=0 (local.get $o3)))
        (local.set $c31 (v128.load offset=16 (local.get $o3))))
      (else
        (if (local.get $bias)
          (then
            (local.set $c00 (v128.load offset=0 (local.get $bias)))
            (local.set $c01 (v128.load offset=16 (local.get $bias)))
            (local.set $c10 (local.get $c00)) (local.set $c11 (local.get $c01))
            (local.set $c20 (local.get $c00)) (local.set $c21 (local.get $c01))
            (local.set $c30 (local.get $c00)) (local.set $c31 (local.get $c01))))))
    (if (i32.gt_s (local.get $kc) (i32.const 0))
      (then
        (local.set $end (i32.add (local.get $ap) (i32.shl (local.get $kc) (i32.const 4))))
        (loop $p
          (local.set $w0 (v128.load offset=0 (local.get $wp)))
          (local.set $w1 (v128.load offset=16 (local.get $wp)))
          (local.set $x (v128.load32_splat offset=0 (local.get $ap)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $x (v128.load32_splat offset=4 (local.get $ap)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $x (v128.load32_splat offset=8 (local.get $ap)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $x (v128.load32_splat offset=12 (local.get $ap)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $w0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $w1))))
          (local.set $ap (i32.add (local.get $ap) (i32.const 16)))
          (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
          (br_if $p (i32.lt_u (local.get $ap) (local.get $end))))))
    (v128.store offset=0 (local.get $o0) (local.get $c00))
    (v128.store offset=16 (local.get $o0) (local.get $c01))
    (v128.store offset=0 (local.get $o1) (local.get $c10))
    (v128.store offset=16 (local.get $o1) (local.get $c11))
    (v128.store offset=0 (local.get $o2) (local.get $c20))
    (v128.store offset=16 (local.get $o2) (local.get $c21))
    (v128.store offset=0 (local.get $o3) (local.get $c30))
    (v128.store offset=16 (local.get $o3) (local.get $c31))
  )

  ;; gemm_narrow: gemm for n < 8: tiles of 4 rows × 4 columns read w in
  ;; place (a panel this narrow is not worth packing), the last tile moved
  ;; left to end at n; n < 4 goes to gemm_scalar.
  (func $gemm_narrow
    (param $out i32) (param $a i32) (param $w i32) (param $bias i32)
    (param $m i32) (param $k i32) (param $n i32)
    (local $j i32) (local $jb i32) (local $i i32) (local $last i32)
    (local $lda i32) (local $ldo i32)
    (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (if (i32.lt_s (local.get $n) (i32.const 4))
      (then
        (call $gemm_scalar (local.get $out) (local.get $a) (local.get $w) (local.get $bias)
          (local.get $m) (local.get $k) (local.get $n))
        (return)))
    (local.set $lda (i32.shl (local.get $k) (i32.const 2)))
    (local.set $ldo (i32.shl (local.get $n) (i32.const 2)))
    (local.set $last (i32.sub (local.get $m) (i32.const 1)))
    (local.set $j (i32.const 0))
    (loop $columns
      (local.set $jb (select
        (local.get $j)
        (i32.sub (local.get $n) (i32.const 4))
        (i32.le_s (i32.add (local.get $j) (i32.const 4)) (local.get $n))))
      (local.set $i (i32.const 0))
      (loop $rows
        (local.set $r1 (select (i32.add (local.get $i) (i32.const 1)) (local.get $last)
          (i32.lt_s (i32.add (local.get $i) (i32.const 1)) (local.get $m))))
        (local.set $r2 (select (i32.add (local.get $i) (i32.const 2)) (local.get $last)
          (i32.lt_s (i32.add (local.get $i) (i32.const 2)) (local.get $m))))
        (local.set $r3 (select (i32.add (local.get $i) (i32.const 3)) (local.get $last)
          (i32.lt_s (i32.add (local.get $i) (i32.const 3)) (local.get $m))))
        (call $tile4x4
          (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $ldo))) (i32.shl (local.get $jb) (i32.const 2)))
          (i32.add (i32.add (local.get $out) (i32.mul (local.get $r1) (local.get $ldo))) (i32.shl (local.get $jb) (i32.const 2)))
          (i32.add (i32.add (local.get $out) (i32.mul (local.get $r2) (local.get $ldo))) (i32.shl (local.get $jb) (i32.const 2)))
          (i32.add (i32.add (local.get $out) (i32.mul (local.get $r3) (local.get $ldo))) (i32.shl (local.get $jb) (i32.const 2)))
          (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda)))
          (i32.add (local.get $a) (i32.mul (local.get $r1) (local.get $lda)))
          (i32.add (local.get $a) (i32.mul (local.get $r2) (local.get $lda)))
          (i32.add (local.get $a) (i32.mul (local.get $r3) (local.get $lda)))
          (i32.add (local.get $w) (i32.shl (local.get $jb) (i32.const 2)))
          (select (i32.add (local.get $bias) (i32.shl (local.get $jb) (i32.const 2))) (i32.const 0) (local.get $bias))
          (local.get $k) (local.get $ldo))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $rows (i32.lt_s (local.get $i) (local.get $m))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br_if $columns (i32.lt_s (local.get $j) (local.get $n))))
  )

  ;; tile4x4: as tile4x8 with 4 columns.
  (func $tile4x4
    (param $o0 i32) (param $o1 i32) (param $o2 i32) (param $o3 i32)
    (param $a0 i32) (param $a1 i32) (param $a2 i32) (param $a3 i32)
    (param $wp i32) (param $bias i32) (param $k i32) (param $ldw i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $w0 v128)
    (local $end i32)
    (if (local.get $bias)
      (then
        (local.set $c0 (v128.load (local.get $bias)))
        (local.set $c1 (local.get $c0))
        (local.set $c2 (local.get $c0))
        (local.set $c3 (local.get $c0))))
    (if (i32.gt_s (local.get $k) (i32.const 0))
      (then
        (local.set $end (i32.add (local.get $a0) (i32.shl (local.get $k) (i32.const 2))))
        (loop $p
          (local.set $w0 (v128.load (local.get $wp)))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat (local.get $a0)) (local.get $w0))))
          (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (v128.load32_splat (local.get $a1)) (local.get $w0))))
          (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (v128.load32_splat (local.get $a2)) (local.get $w0))))
          (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (v128.load32_splat (local.get $a3)) (local.get $w0))))
          (local.set $a0 (i32.add (local.get $a0) (i32.const 4)))
          (local.set $a1 (i32.add (local.get $a1) (i32.const 4)))
          (local.set $a2 (i32.add (local.get $a2) (i32.const 4)))
          (local.set $a3 (i32.add (local.get $a3) (i32.const 4)))
          (local.set $wp (i32.add (local.get $wp) (local.get $ldw)))
          (br_if $p (i32.lt_u (local.get $a0) (local.get $end))))))
    (v128.store (local.get $o0) (local.get $c0))
    (v128.store (local.get $o1) (local.get $c1))
    (v128.store (local.get $o2) (local.get $c2))
    (v128.store (local.get $o3) (local.get $c3))
  )

  ;; gemm_scalar: gemm for n < 4, one output at a time.
  (func $gemm_scalar
    (param $out i32) (param $a i32) (param $w i32) (param $bias i32)
    (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $p i32)
    (local $s f32) (local $ap i32) (local $wp i32)
    (loop $rows
      (local.set $j (i32.const 0))
      (loop $columns
        (local.set $s (f32.const 0))
        (if (local.get $bias)
          (then (local.set $s (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $ap (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2))))
        (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p (i32.const 0))
        (block $done
          (loop $dot
            (br_if $done (i32.ge_s (local.get $p) (local.get $k)))
            (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $ap)) (f32.load (local.get $wp)))))
            (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
            (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $n) (i32.const 2))))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $dot)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2)))
          (local.get $s))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $columns (i32.lt_s (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $i) (local.get $m))))
  )
;; ---------------------------------------------------------------------
  ;; layernorm: each of the m rows of x (width n) into out:
  ;; (x - mean) / sqrt(var + eps) * scale + bias, population variance.
  ;; out may be x. The sums run in four lanes (then added pairwise), so
  ;; they round differently from pure Go's sequential sums, well within
  ;; the tests' 1e-5.
  ;; ---------------------------------------------------------------------
  (func $layernorm (export "layernorm")
    (param $out i32) (param $x i32) (param $scale i32) (param $bias i32)
    (param $m i32) (param $n i32) (param $eps f32)
    (local $i i32) (local $j i32) (local $n4 i32) (local $row i32) (local $orow i32)
    (local $acc v128) (local $v v128) (local $meanv v128) (local $gain v128)
    (local $sum f32) (local $mean f32) (local $var f32) (local $inv f32) (local $d f32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $i) (local.get $m)))
        (local.set $row (i32.add (local.get $x) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2))))
        (local.set $orow (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2))))
        ;; mean
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $s4 (loop $sum4
          (br_if $s4 (i32.ge_s (local.get $j) (local.get $n4)))
          (local.set $acc (f32x4.add (local.get $acc)
            (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $sum4)))
        (local.set $sum (call $hsum (local.get $acc)))
        (block $s1 (loop $sum1
          (br_if $s1 (i32.ge_s (local.get $j) (local.get $n)))
          (local.set $sum (f32.add (local.get $sum)
            (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $sum1)))
        (local.set $mean (f32.div (local.get $sum) (f32.convert_i32_s (local.get $n))))
        (local.set $meanv (f32x4.splat (local.get $mean)))
        ;; variance
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $q4 (loop $sq4
          (br_if $q4 (i32.ge_s (local.get $j) (local.get $n4)))
          (local.set $v (f32x4.sub
            (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
            (local.get $meanv)))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $v) (local.get $v))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $sq4)))
        (local.set $var (call $hsum (local.get $acc)))
        (block $q1 (loop $sq1
          (br_if $q1 (i32.ge_s (local.get $j) (local.get $n)))
          (local.set $d (f32.sub
            (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
            (local.get $mean)))
          (local.set $var (f32.add (local.get $var) (f32.mul (local.get $d) (local.get $d))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $sq1)))
        ;; inv = 1/sqrt(var/n + eps), in float64 as pure Go does
        (local.set $inv (f32.demote_f64 (f64.div (f64.const 1)
          (f64.sqrt (f64.promote_f32
            (f32.add (f32.div (local.get $var) (f32.convert_i32_s (local.get $n))) (local.get $eps)))))))
        ;; out = scale*inv*(x-mean) + bias
        (local.set $gain (f32x4.splat (local.get $inv)))
        (local.set $j (i32.const 0))
        (block $o4 (loop $out4
          (br_if $o4 (i32.ge_s (local.get $j) (local.get $n4)))
          (v128.store (i32.add (local.get $orow) (i32.shl (local.get $j) (i32.const 2)))
            (f32x4.add
              (f32x4.mul
                (f32x4.mul (v128.load (i32.add (local.get $scale) (i32.shl (local.get $j) (i32.const 2)))) (local.get $gain))
                (f32x4.sub (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))) (local.get $meanv)))
              (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $out4)))
        (block $o1 (loop $out1
          (br_if $o1 (i32.ge_s (local.get $j) (local.get $n)))
          (f32.store (i32.add (local.get $orow) (i32.shl (local.get $j) (i32.const 2)))
            (f32.add
              (f32.mul
                (f32.mul (f32.load (i32.add (local.get $scale) (i32.shl (local.get $j) (i32.const 2)))) (local.get $inv))
                (f32.sub (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))) (local.get $mean)))
              (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $out1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
  )

  ;; hsum: (lane0 + lane1) + (lane2 + lane3).
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v))))
  )

  ;; ---------------------------------------------------------------------
  ;; attention: multi-head scaled dot-product attention over one sequence
  ;; of n tokens. qkv holds n rows of 3·width floats (queries, keys, values
  ;; side by side), ctx gets n rows of width; each of the heads attends
  ;; with its own hd = width/heads slice. scores is scratch for n floats.
  ;;
  ;;   ctx[i, h] = Σ_j softmax_j(scale · q[i,h]·k[j,h]) · v[j,h]
  ;;
  ;; Rounds as pure Go does (four-lane dot products added pairwise, the
  ;; weighted sum of values in key order), except that exp is computed
  ;; here, in float64, to within ~1e-12 relative.
  ;; ---------------------------------------------------------------------
  (func $attention (export "attention")
    (param $ctx i32) (param $qkv i32) (param $scores i32)
    (param $n i32) (param $width i32) (param $heads i32) (param $scale f32)
    (local $hd i32) (local $stride i32) (local $h i32) (local $i i32) (local $j i32)
    (local $q i32) (local $kp i32) (local $vp i32) (local $o i32) (local $d i32) (local $hd4 i32)
    (local $acc v128) (local $pv v128)
    (local $dot f32) (local $mx f32) (local $e f32) (local $sum f32) (local $inv f32) (local $p f32)
    (if (i32.or (i32.le_s (local.get $n) (i32.const 0)) (i32.le_s (local.get $heads) (i32.const 0)))
      (then (return)))
    (local.set $hd (i32.div_s (local.get $width) (local.get $heads)))
    (local.set $hd4 (i32.and (local.get $hd) (i32.const -4)))
    (local.set $stride (i32.mul (local.get $width) (i32.const 12))) ;; 3·width floats, in bytes
    (local.set $h (i32.const 0))
    (loop $head
      (local.set $i (i32.const 0))
      (loop $query
        (local.set $q (i32.add (local.get $qkv)
          (i32.add (i32.mul (local.get $i) (local.get $stride)) (i32.shl (i32.mul (local.get $h) (local.get $hd)) (i32.const 2)))))
        ;; scores[j] = scale · q·k_j, and their maximum
        (local.set $j (i32.const 0))
        (loop $key
          (local.set $kp (i32.add (i32.add (local.get $qkv) (i32.shl (local.get $width) (i32.const 2)))
            (i32.add (i32.mul (local.get $j) (local.get $stride)) (i32.shl (i32.mul (local.get $h) (local.get $hd)) (i32.const 2)))))
          (local.set $acc (v128.const i32x4 0 0 0 0))
          (local.set $d (i32.const 0))
          (block $d4 (loop $dot4
            (br_if $d4 (i32.ge_s (local.get $d) (local.get $hd4)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
              (v128.load (i32.add (local.get $q) (i32.shl (local.get $d) (i32.const 2))))
              (v128.load (i32.add (local.get $kp) (i32.shl (local.get $d) (i32.const 2)))))))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $dot4)))
          ;; pure Go adds a tail into its first lane before the pairwise sum
          (block $d1 (loop $dot1
            (br_if $d1 (i32.ge_s (local.get $d) (local.get $hd)))
            (local.set $acc (f32x4.replace_lane 0 (local.get $acc) (f32.add (f32x4.extract_lane 0 (local.get $acc))
              (f32.mul
                (f32.load (i32.add (local.get $q) (i32.shl (local.get $d) (i32.const 2))))
                (f32.load (i32.add (local.get $kp) (i32.shl (local.get $d) (i32.const 2))))))))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $dot1)))
          (local.set $dot (f32.mul (local.get $scale) (call $hsum (local.get $acc))))
          (f32.store (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2))) (local.get $dot))
          (if (i32.eqz (local.get $j))
            (then (local.set $mx (local.get $dot)))
            (else (if (f32.gt (local.get $dot) (local.get $mx)) (then (local.set $mx (local.get $dot))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $key (i32.lt_s (local.get $j) (local.get $n))))
        ;; softmax
        (local.set $sum (f32.const 0))
        (local.set $j (i32.const 0))
        (loop $exp
          (local.set $e (f32.demote_f64 (call $exp (f64.promote_f32 (f32.sub
            (f32.load (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2))))
            (local.get $mx))))))
          (f32.store (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2))) (local.get $e))
          (local.set $sum (f32.add (local.get $sum) (local.get $e)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $exp (i32.lt_s (local.get $j) (local.get $n))))
        (local.set $inv (f32.div (f32.const 1) (local.get $sum)))
        ;; ctx[i, h] = Σ_j p_j · v_j
        (local.set $o (i32.add (local.get $ctx)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $width)) (i32.mul (local.get $h) (local.get $hd))) (i32.const 2))))
        (local.set $d (i32.const 0))
        (block $z4 (loop $zero4
          (br_if $z4 (i32.ge_s (local.get $d) (local.get $hd4)))
          (v128.store (i32.add (local.get $o) (i32.shl (local.get $d) (i32.const 2))) (v128.const i32x4 0 0 0 0))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (br $zero4)))
        (block $z1 (loop $zero1
          (br_if $z1 (i32.ge_s (local.get $d) (local.get $hd)))
          (f32.store (i32.add (local.get $o) (i32.shl (local.get $d) (i32.const 2))) (f32.const 0))
          (local.set $d (i32.add (local.get $d) (i32.const 1)))
          (br $zero1)))
        (local.set $j (i32.const 0))
        (loop $value
          (local.set $p (f32.mul
            (f32.load (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2))))
            (local.get $inv)))
          (local.set $pv (f32x4.splat (local.get $p)))
          (local.set $vp (i32.add (i32.add (local.get $qkv) (i32.shl (local.get $width) (i32.const 3)))
            (i32.add (i32.mul (local.get $j) (local.get $stride)) (i32.shl (i32.mul (local.get $h) (local.get $hd)) (i32.const 2)))))
          (local.set $d (i32.const 0))
          (block $a4 (loop $axpy4
            (br_if $a4 (i32.ge_s (local.get $d) (local.get $hd4)))
            (v128.store (i32.add (local.get $o) (i32.shl (local.get $d) (i32.const 2)))
              (f32x4.add
                (v128.load (i32.add (local.get $o) (i32.shl (local.get $d) (i32.const 2))))
                (f32x4.mul (local.get $pv) (v128.load (i32.add (local.get $vp) (i32.shl (local.get $d) (i32.const 2)))))))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $axpy4)))
          (block $a1 (loop $axpy1
            (br_if $a1 (i32.ge_s (local.get $d) (local.get $hd)))
            (f32.store (i32.add (local.get $o) (i32.shl (local.get $d) (i32.const 2)))
              (f32.add
                (f32.load (i32.add (local.get $o) (i32.shl (local.get $d) (i32.const 2))))
                (f32.mul (local.get $p) (f32.load (i32.add (local.get $vp) (i32.shl (local.get $d) (i32.const 2)))))))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $axpy1)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $value (i32.lt_s (local.get $j) (local.get $n))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $query (i32.lt_s (local.get $i) (local.get $n))))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br_if $head (i32.lt_s (local.get $h) (local.get $heads))))
  )

  ;; exp: e^x in float64 (softmax needs x ≤ 0): x = k·ln2 + r with
  ;; |r| ≤ ln2/2, e^r by its Taylor series to r^12/12! (relative error below
  ;; 1e-13 there), times 2^k built from its bits. Below -746 the result
  ;; rounds to 0 even in float64, above 709 it is +Inf; NaN stays NaN (and
  ;; nothing traps).
  (func $exp (param $x f64) (result f64)
    (local $k f64) (local $r f64) (local $p f64)
    (if (f64.ne (local.get $x) (local.get $x)) (then (return (local.get $x))))
    (if (f64.lt (local.get $x) (f64.const -746)) (then (return (f64.const 0))))
    (if (f64.gt (local.get $x) (f64.const 709)) (then (return (f64.const inf))))
    (local.set $k (f64.nearest (f64.mul (local.get $x) (f64.const 1.4426950408889634))))
    (local.set $r (f64.sub
      (f64.sub (local.get $x) (f64.mul (local.get $k) (f64.const 0x1.62e42fee00000p-1)))
      (f64.mul (local.get $k) (f64.const 0x1.a39ef35793c76p-33))))
    (local.set $p (f64.add (f64.const 1) (f64.mul (local.get $r)
      (f64.add (f64.const 1) (f64.mul (local.get $r)
      (f64.add (f64.const 0.5) (f64.mul (local.get $r)
      (f64.add (f64.const 0x1.5555555555555p-3) (f64.mul (local.get $r)        ;; 1/3!
      (f64.add (f64.const 0x1.5555555555555p-5) (f64.mul (local.get $r)        ;; 1/4!
      (f64.add (f64.const 0x1.1111111111111p-7) (f64.mul (local.get $r)        ;; 1/5!
      (f64.add (f64.const 0x1.6c16c16c16c17p-10) (f64.mul (local.get $r)       ;; 1/6!
      (f64.add (f64.const 0x1.a01a01a01a01ap-13) (f64.mul (local.get $r)       ;; 1/7!
      (f64.add (f64.const 0x1.a01a01a01a01ap-16) (f64.mul (local.get $r)       ;; 1/8!
      (f64.add (f64.const 0x1.71de3a556c734p-19) (f64.mul (local.get $r)       ;; 1/9!
      (f64.add (f64.const 0x1.27e4fb7789f5cp-22) (f64.mul (local.get $r)       ;; 1/10!
      (f64.add (f64.const 0x1.ae64567f544e4p-26) (f64.mul (local.get $r)       ;; 1/11!
      (f64.const 0x1.1eed8eff8d898p-29))))))))))))))))))))))))))                 ;; 1/12!
    ;; k ≥ -1077 here; 2^k for k < -1022 is taken in two steps (subnormal)
    (if (f64.lt (local.get $k) (f64.const -1000))
      (then
        (local.set $p (f64.mul (local.get $p) (f64.const 0x1p-100)))
        (local.set $k (f64.add (local.get $k) (f64.const 100)))))
    (f64.mul (local.get $p)
      (f64.reinterpret_i64 (i64.shl (i64.add (i64.trunc_f64_s (local.get $k)) (i64.const 1023)) (i64.const 52))))
  )
)
