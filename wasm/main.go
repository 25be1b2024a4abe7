//go:build js && wasm

// Command wasm is finscore's engine for the browser (GOOS=js GOARCH=wasm).
// It installs one object, globalThis.finscore, whose every function returns
// a Promise that resolves to a plain object or rejects with an Error whose
// message says what was wrong; no call can panic across the boundary.
//
//	finscore.version()                 → "finscore <version> (go1.x, SIMD kernels on|off)"
//	finscore.load(bytes: Uint8Array)   → {name, source, license, labels, categories}
//	finscore.score(text, {explain})    → the report of finscore score (see README)
//	finscore.embed(texts: string[])    → {ids: number[][], embeddings: number[][]}
//
// Calls run one at a time, in the order made.
package main

import (
	"github.com/hack-pad/safejs"
)

func main() {
	api, err := newAPI()
	if err != nil {
		panic("finscore: cannot install the JavaScript API: " + err.Error())
	}
	if err := safejs.Global().Set("finscore", api); err != nil {
		panic("finscore: cannot set globalThis.finscore: " + err.Error())
	}
	if ready, err := safejs.Global().Get("onFinscoreReady"); err == nil && ready.Type() == safejs.TypeFunction {
		_, _ = ready.Invoke()
	}
	select {} // serve calls until the page goes away
}
