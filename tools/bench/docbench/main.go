// Command docbench times finscore end to end on one document: the text of a
// news article in, one L2-normalised embedding per sentence out, through
// finscore/core/embed (tokenizer and encoder of a weight bundle), as a page
// would run it. It is part of `make bench` (tools/bench/run.sh), which runs
// it natively and compiled with GOOS=js GOARCH=wasm under Node, with and
// without the SIMD kernels, next to TensorFlow.js on the same sentences.
//
//	docbench -weights weights/use-lite.fsb -doc tools/bench/testdata/document.txt [-json OUT]
//
// One timed call is: split the document into sentences (one per line, the
// form of testdata/document.txt), tokenize every sentence and encode them
// all in one batch (embed.Embedder.Embed). Before timing, -warmup calls;
// then calls one at a time until both -iters calls and -seconds have passed.
// Tokenization alone is timed too, as a detail. It prints a summary line
// and, with -json, writes the samples, the ids and the embeddings (which
// tools/bench/report.mjs compares with TensorFlow.js's).
//
// A js/wasm build without the purego tag imports finscore's SIMD kernels,
// so run it with tools/wasmexec/go_js_wasm_exec; the "accelerated" field
// says whether they were active.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"finscore/core/bundle"
	"finscore/core/embed"
	"finscore/core/tensor"
)

// result is what -json writes; durations are in milliseconds.
type result struct {
	GOOS        string      `json:"goos"`
	GOARCH      string      `json:"goarch"`
	Accelerated bool        `json:"accelerated"`
	LoadMs      float64     `json:"loadMs"`  // read, parse and decode the bundle, build the tokenizer
	FirstMs     float64     `json:"firstMs"` // the first call, cold workspace
	Sentences   int         `json:"sentences"`
	Tokens      int         `json:"tokens"`
	Samples     []float64   `json:"samples"`    // one timed document each
	TokenizeMs  []float64   `json:"tokenizeMs"` // tokenizing the document's sentences, no encoding
	IDs         [][]int32   `json:"ids"`
	Embeddings  [][]float32 `json:"embeddings"`
}

func main() {
	weights := flag.String("weights", "weights/use-lite.fsb", "weight bundle with tokenizer and encoder")
	doc := flag.String("doc", "tools/bench/testdata/document.txt", "the document, one sentence per line")
	warmup := flag.Int("warmup", 1, "untimed calls first")
	iters := flag.Int("iters", 5, "at least this many timed calls")
	seconds := flag.Float64("seconds", 0, "and at least this much time timing")
	jsonOut := flag.String("json", "", "write the samples, ids and embeddings here as JSON")
	flag.Parse()
	if flag.NArg() > 0 || *warmup < 0 || *iters < 1 || *seconds < 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*weights, *doc, *warmup, *iters, *seconds, *jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, "docbench:", err)
		os.Exit(1)
	}
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// sentences splits a document of one sentence per line.
func sentences(text string) []string {
	var out []string
	for line := range strings.Lines(text) {
		if s := strings.TrimSpace(line); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func run(weightsFile, docFile string, warmup, iters int, seconds float64, jsonOut string) error {
	text, err := os.ReadFile(docFile)
	if err != nil {
		return err
	}
	t0 := time.Now()
	b, err := bundle.ReadFile(weightsFile)
	if err != nil {
		return err
	}
	e, err := embed.FromBundle(b)
	if err != nil {
		return fmt.Errorf("%s: %w", weightsFile, err)
	}
	r := result{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Accelerated: tensor.Accelerated(), LoadMs: ms(time.Since(t0))}

	document := string(text)
	call := func() ([][]int32, [][]float32, error) { return e.Embed(sentences(document)) }

	t := time.Now()
	ids, embs, err := call()
	if err != nil {
		return err
	}
	r.FirstMs = ms(time.Since(t))
	if len(ids) == 0 {
		return errors.New(docFile + ": no sentences")
	}
	r.Sentences, r.IDs, r.Embeddings = len(ids), ids, embs
	for _, s := range ids {
		r.Tokens += len(s)
	}
	for range warmup {
		if _, _, err := call(); err != nil {
			return err
		}
	}
	start := time.Now()
	for len(r.Samples) < iters || time.Since(start).Seconds() < seconds {
		t := time.Now()
		if _, _, err := call(); err != nil {
			return err
		}
		r.Samples = append(r.Samples, ms(time.Since(t)))
	}
	for range max(iters, 5) {
		t := time.Now()
		for _, s := range sentences(document) {
			if _, err := e.Tokenizer.Encode(s); err != nil {
				return err
			}
		}
		r.TokenizeMs = append(r.TokenizeMs, ms(time.Since(t)))
	}

	fmt.Printf("docbench %s/%s accelerated=%t: %d sentences, %d tokens; load %.0f ms, first %.1f ms, "+
		"median %.1f ms per document (%d calls), tokenize %.2f ms\n",
		r.GOOS, r.GOARCH, r.Accelerated, r.Sentences, r.Tokens, r.LoadMs, r.FirstMs,
		median(r.Samples), len(r.Samples), median(r.TokenizeMs))
	if jsonOut == "" {
		return nil
	}
	out, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return os.WriteFile(jsonOut, append(out, '\n'), 0o644)
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
