//go:build js && wasm && !purego

package tensor

// kernelsLinked: this build imports the WebAssembly SIMD kernels
// (accel_wasm.go), so its runner must attach them or be told not to.
const kernelsLinked = true
