//go:build !purego

#include "textflag.h"

// func rmspropAVX(w, grad, v *float32, n int, lr, rho, oneMinusRho, eps float32)
//
// For j < n (a multiple of 8), in float32, each operation rounded as the
// Go loop in rmsprop.go rounds it (no fused multiply-add):
//   v[j] = rho*v[j] + (1-rho)*(g[j]*g[j])
//   w[j] = w[j] - (lr*g[j]) / sqrt(v[j] + eps)
TEXT ·rmspropAVX(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ v+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS lr+32(FP), Y0
	VBROADCASTSS rho+36(FP), Y1
	VBROADCASTSS oneMinusRho+40(FP), Y2
	VBROADCASTSS eps+44(FP), Y3
	SHRQ $3, CX
	JZ   done

loop:
	VMOVUPS (SI), Y4       // g
	VMULPS  Y4, Y4, Y5     // g*g
	VMULPS  Y2, Y5, Y5     // (1-rho)*g*g
	VMOVUPS (DX), Y6       // v
	VMULPS  Y1, Y6, Y6     // rho*v
	VADDPS  Y5, Y6, Y6     // v'
	VMOVUPS Y6, (DX)
	VADDPS  Y3, Y6, Y7     // v' + eps
	VSQRTPS Y7, Y7
	VMULPS  Y0, Y4, Y8     // lr*g
	VDIVPS  Y7, Y8, Y8     // inc
	VMOVUPS (DI), Y9
	VSUBPS  Y8, Y9, Y9     // w - inc
	VMOVUPS Y9, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET
