//go:build !(js && wasm) || purego

package tensor

// kernelsLinked: this build has no WebAssembly SIMD kernels
// (accel_purego.go).
const kernelsLinked = false
