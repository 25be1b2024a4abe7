//go:build !purego

#include "textflag.h"

// AVX2 + FMA kernels for gemm_amd64.go. Go (Plan 9) operand order: the
// destination is last, so VFMADD231PS b, a, acc computes acc += a·b.
// Every pointer these functions receive has been bounds-checked in Go.

// STEP does one step p of the 6×16 micro-kernel: it loads the 16 floats
// of packed B at offset BOFF(DX) into Y12:Y13, broadcasts the 6 floats of
// packed A at offset AOFF(SI) one by one, and adds their products to the
// accumulators Y0..Y11 (row r in Y(2r), Y(2r+1)).
#define STEP(AOFF, BOFF) \
	VMOVUPS      BOFF(DX), Y12;          \
	VMOVUPS      (BOFF+32)(DX), Y13;     \
	VBROADCASTSS AOFF(SI), Y14;          \
	VFMADD231PS  Y12, Y14, Y0;           \
	VFMADD231PS  Y13, Y14, Y1;           \
	VBROADCASTSS (AOFF+4)(SI), Y15;      \
	VFMADD231PS  Y12, Y15, Y2;           \
	VFMADD231PS  Y13, Y15, Y3;           \
	VBROADCASTSS (AOFF+8)(SI), Y14;      \
	VFMADD231PS  Y12, Y14, Y4;           \
	VFMADD231PS  Y13, Y14, Y5;           \
	VBROADCASTSS (AOFF+12)(SI), Y15;     \
	VFMADD231PS  Y12, Y15, Y6;           \
	VFMADD231PS  Y13, Y15, Y7;           \
	VBROADCASTSS (AOFF+16)(SI), Y14;     \
	VFMADD231PS  Y12, Y14, Y8;           \
	VFMADD231PS  Y13, Y14, Y9;           \
	VBROADCASTSS (AOFF+20)(SI), Y15;     \
	VFMADD231PS  Y12, Y15, Y10;          \
	VFMADD231PS  Y13, Y15, Y11

// func avxKernel6x16(kc int, a, b, c *float32, ldc int)
//
// C[6×16] += A·B, where A is a packed sliver (kc steps of 6 floats: the
// column p of six rows), B a packed panel (kc steps of 16 floats: the row p
// of sixteen columns) and C a tile of six rows of 16 floats, ldc floats
// apart. C is loaded into the accumulators first, so each output sums its
// products in order of p, as the pure-Go loops do.
TEXT ·avxKernel6x16(SB), NOSPLIT, $0-40
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), DI
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8             // ldc in bytes
	LEAQ (DI)(R8*2), R9
	ADDQ R8, R9             // R9 = row 3 of C

	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS (DI)(R8*1), Y2
	VMOVUPS 32(DI)(R8*1), Y3
	VMOVUPS (DI)(R8*2), Y4
	VMOVUPS 32(DI)(R8*2), Y5
	VMOVUPS (R9), Y6
	VMOVUPS 32(R9), Y7
	VMOVUPS (R9)(R8*1), Y8
	VMOVUPS 32(R9)(R8*1), Y9
	VMOVUPS (R9)(R8*2), Y10
	VMOVUPS 32(R9)(R8*2), Y11

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail

loop4:
	STEP(0, 0)
	STEP(24, 64)
	STEP(48, 128)
	STEP(72, 192)
	ADDQ $96, SI
	ADDQ $256, DX
	DECQ BX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   done

loop1:
	STEP(0, 0)
	ADDQ $24, SI
	ADDQ $64, DX
	DECQ CX
	JNZ  loop1

done:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, (DI)(R8*1)
	VMOVUPS Y3, 32(DI)(R8*1)
	VMOVUPS Y4, (DI)(R8*2)
	VMOVUPS Y5, 32(DI)(R8*2)
	VMOVUPS Y6, (R9)
	VMOVUPS Y7, 32(R9)
	VMOVUPS Y8, (R9)(R8*1)
	VMOVUPS Y9, 32(R9)(R8*1)
	VMOVUPS Y10, (R9)(R8*2)
	VMOVUPS Y11, 32(R9)(R8*2)
	VZEROUPPER
	RET

// func avxAddTo(dst, src *float32, n int)
//
// dst[i] += src[i] for i < n.
TEXT ·avxAddTo(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

add32:
	CMPQ    CX, $32
	JLT     add8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VADDPS  (SI), Y0, Y0
	VADDPS  32(SI), Y1, Y1
	VADDPS  64(SI), Y2, Y2
	VADDPS  96(SI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     add32

add8:
	CMPQ    CX, $8
	JLT     add1
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     add8

add1:
	TESTQ  CX, CX
	JLE    addDone
	VMOVSS (DI), X0
	VADDSS (SI), X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, DI
	ADDQ   $4, SI
	DECQ   CX
	JMP    add1

addDone:
	VZEROUPPER
	RET

// func avxCPUID(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·avxCPUID(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func avxXGETBV() (eax, edx uint32)
//
// XCR0, the register in which the OS says which register state it saves
// on context switches. Only valid when CPUID reports OSXSAVE.
TEXT ·avxXGETBV(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// func avxPackB16(dst, src *float32, ldb, kc int)
//
// dst[p*16+j] = src[p*ldb+j] for p < kc, j < 16: sixteen columns of kc
// rows of a row-major matrix, as a contiguous panel.
TEXT ·avxPackB16(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), R8
	SHLQ $2, R8
	MOVQ kc+24(FP), CX
	TESTQ CX, CX
	JLE  packDone

packLoop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    R8, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     packLoop

packDone:
	VZEROUPPER
	RET

// TRANSPOSE8 transposes the 8×8 block whose rows start at R0 and R0+ldb,
// R0+2·ldb, R0+3·ldb (R8 = ldb, R9 = 3·ldb in bytes) and R1, ..., R1+3·ldb,
// storing its column q at DOFF+q*64(DI): eight columns of half a panel.
// Rows r0..r7 in Y0..Y7; VUNPCKL/HPS interleave pairs of rows
// (r0[0] r1[0] r0[1] r1[1] | r0[4] r1[4] r0[5] r1[5], ...), VSHUFPS gathers
// four rows' elements (r0..r3[0] | r0..r3[4], ...) and VPERM2F128 joins
// the 128-bit halves of rows 0..3 and 4..7 into whole columns.
#define TRANSPOSE8(R0, R1, DOFF) \
	VMOVUPS    (R0), Y0;                  \
	VMOVUPS    (R0)(R8*1), Y1;            \
	VMOVUPS    (R0)(R8*2), Y2;            \
	VMOVUPS    (R0)(R9*1), Y3;            \
	VMOVUPS    (R1), Y4;                  \
	VMOVUPS    (R1)(R8*1), Y5;            \
	VMOVUPS    (R1)(R8*2), Y6;            \
	VMOVUPS    (R1)(R9*1), Y7;            \
	VUNPCKLPS  Y1, Y0, Y8;                \
	VUNPCKHPS  Y1, Y0, Y9;                \
	VUNPCKLPS  Y3, Y2, Y10;               \
	VUNPCKHPS  Y3, Y2, Y11;               \
	VUNPCKLPS  Y5, Y4, Y12;               \
	VUNPCKHPS  Y5, Y4, Y13;               \
	VUNPCKLPS  Y7, Y6, Y14;               \
	VUNPCKHPS  Y7, Y6, Y15;               \
	VSHUFPS    $0x44, Y10, Y8, Y0;        \
	VSHUFPS    $0xEE, Y10, Y8, Y1;        \
	VSHUFPS    $0x44, Y11, Y9, Y2;        \
	VSHUFPS    $0xEE, Y11, Y9, Y3;        \
	VSHUFPS    $0x44, Y14, Y12, Y4;       \
	VSHUFPS    $0xEE, Y14, Y12, Y5;       \
	VSHUFPS    $0x44, Y15, Y13, Y6;       \
	VSHUFPS    $0xEE, Y15, Y13, Y7;       \
	VPERM2F128 $0x20, Y4, Y0, Y8;         \
	VPERM2F128 $0x20, Y5, Y1, Y9;         \
	VPERM2F128 $0x20, Y6, Y2, Y10;        \
	VPERM2F128 $0x20, Y7, Y3, Y11;        \
	VPERM2F128 $0x31, Y4, Y0, Y12;        \
	VPERM2F128 $0x31, Y5, Y1, Y13;        \
	VPERM2F128 $0x31, Y6, Y2, Y14;        \
	VPERM2F128 $0x31, Y7, Y3, Y15;        \
	VMOVUPS    Y8, (DOFF+0*64)(DI);       \
	VMOVUPS    Y9, (DOFF+1*64)(DI);       \
	VMOVUPS    Y10, (DOFF+2*64)(DI);      \
	VMOVUPS    Y11, (DOFF+3*64)(DI);      \
	VMOVUPS    Y12, (DOFF+4*64)(DI);      \
	VMOVUPS    Y13, (DOFF+5*64)(DI);      \
	VMOVUPS    Y14, (DOFF+6*64)(DI);      \
	VMOVUPS    Y15, (DOFF+7*64)(DI)

// func avxPackBT16(dst, src *float32, ldb, kc int)
//
// dst[p*16+j] = src[j*ldb+p] for p < kc, j < 16, kc a multiple of 8: the
// transpose of sixteen rows of kc floats, as a contiguous panel.
TEXT ·avxPackBT16(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), R8
	SHLQ $2, R8              // ldb in bytes
	MOVQ kc+24(FP), CX
	SHRQ $3, CX              // blocks of 8 columns
	JZ   transDone
	LEAQ (R8)(R8*2), R9      // 3·ldb
	LEAQ (SI)(R8*4), R10     // row 4
	LEAQ (R10)(R8*4), R11    // row 8
	LEAQ (R11)(R8*4), R12    // row 12

transLoop:
	TRANSPOSE8(SI, R10, 0)   // rows 0..7 into columns 0..7 of the panel
	TRANSPOSE8(R11, R12, 32) // rows 8..15 into columns 8..15
	ADDQ $32, SI
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $512, DI
	DECQ CX
	JNZ  transLoop

transDone:
	VZEROUPPER
	RET
