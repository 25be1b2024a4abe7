//go:build js && wasm

// Command wasm is finscore's engine for the browser (GOOS=js GOARCH=wasm).
// It installs one object, globalThis.finscore, whose every function returns
// a Promise that resolves to a plain object or rejects with an Error whose
// message says what was wrong and whose code says what kind of error it is:
// "input" (the arguments), "model" (load's bundle) or "engine" (no model
// loaded, an internal error). No call can panic across the boundary, and no
// argument can stop the engine: arguments are read through guards (see
// jsread.go), so a throwing getter or a revoked Proxy is an input error.
//
//	finscore.version()                 → "finscore <version> (go1.x, SIMD kernels on|off)"
//	finscore.load(bytes: Uint8Array)   → {name, source, license, labels, categories}
//	finscore.score(text, {explain, onProgress}) → the report of finscore score (see README)
//	finscore.embed(texts: string[])    → {ids: number[][], embeddings: number[][]}
//	finscore.scorePart(text, part, parts, {explain, onProgress}) → Uint8Array
//	finscore.assemble(text, [Uint8Array, ...]) → the report, from every part in order
//
// scorePart and assemble share one text between engines: each scores a
// run of its sentences (package parts encodes them), and one assembles the
// report score would make.
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
