//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/hack-pad/safejs"

	"finscore/core/scorer"
	"finscore/core/tensor"
	"finscore/wasm/parts"
)

// Version names this build of the engine.
const Version = "0.1.0"

// MaxEmbedTexts bounds one embed call.
const MaxEmbedTexts = 4096

// maxParts bounds the parts one document is cut into.
const maxParts = 64

// maxBundleBytes bounds what load copies into Go memory.
const maxBundleBytes = 64 << 20

// engine is the loaded model; calls are serialised by mu. embed uses the
// scorer's own tokenizer and encoder: one copy of the weights.
type engine struct {
	js     *reader
	mu     sync.Mutex
	scorer *scorer.Scorer
}

// newAPI builds the finscore object with its functions.
func newAPI() (safejs.Value, error) {
	r, err := newReader()
	if err != nil {
		return safejs.Value{}, err
	}
	e := &engine{js: r}
	obj, err := safejs.Global().Get("Object")
	if err != nil {
		return safejs.Value{}, err
	}
	api, err := obj.New()
	if err != nil {
		return safejs.Value{}, err
	}
	for name, fn := range map[string]method{
		"version":   func([]safejs.Value) (any, error) { return versionString(), nil },
		"load":      e.load,
		"score":     e.score,
		"scorePart": e.scorePart,
		"assemble":  e.assemble,
		"embed":     e.embedTexts,
	} {
		f, err := safejs.FuncOf(promised(r, fn))
		if err != nil {
			return safejs.Value{}, err
		}
		if err := api.Set(name, f.Value()); err != nil {
			return safejs.Value{}, err
		}
	}
	return api, nil
}

func versionString() string {
	accel := "off"
	if tensor.Accelerated() {
		accel = "on"
	}
	return fmt.Sprintf("finscore %s (%s, SIMD kernels %s)", Version, runtime.Version(), accel)
}

// loadInfo describes a loaded model.
type loadInfo struct {
	Name       string            `json:"name"`
	Source     string            `json:"source"`
	License    string            `json:"license"`
	Labels     []string          `json:"labels"`
	Categories []scorer.Category `json:"categories"`
}

func (e *engine) load(args []safejs.Value) (any, error) {
	data, err := e.js.bytesArg(args, 0, "bundle", maxBundleBytes)
	if err != nil {
		return nil, err
	}
	s, m, err := scorer.Load(data)
	if err != nil {
		return nil, withCode(CodeModel, err)
	}
	e.mu.Lock()
	e.scorer = s
	e.mu.Unlock()
	return loadInfo{Name: m.Name, Source: m.Source, License: m.License,
		Labels: s.SentimentLabels(), Categories: s.RiskCategories()}, nil
}

var errNotLoaded = withCode(CodeEngine, errors.New("no model loaded: call finscore.load(bundleBytes) first"))

// withScorer runs fn with the loaded model, one call at a time.
func (e *engine) withScorer(fn func(*scorer.Scorer) (any, error)) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.scorer == nil {
		return nil, errNotLoaded
	}
	return fn(e.scorer)
}

// textArg reads args[i], a document of at most scorer.MaxTextBytes.
func textArg(args []safejs.Value, i int) (string, error) {
	return stringArg(args, i, "text", scorer.MaxTextBytes, scorer.ErrTooLarge)
}

func (e *engine) score(args []safejs.Value) (any, error) {
	text, err := textArg(args, 0)
	if err != nil {
		return nil, err
	}
	opt, err := e.scoreOptions(args, 1)
	if err != nil {
		return nil, err
	}
	return e.withScorer(func(s *scorer.Scorer) (any, error) { return s.Score(text, opt) })
}

// scorePart scores part of parts runs of the text's sentences and resolves
// to them encoded (package parts), for assemble.
func (e *engine) scorePart(args []safejs.Value) (any, error) {
	text, err := textArg(args, 0)
	if err != nil {
		return nil, err
	}
	part, err := intArg(args, 1, "part", 0, maxParts-1)
	if err != nil {
		return nil, err
	}
	n, err := intArg(args, 2, "parts", 1, maxParts)
	if err != nil {
		return nil, err
	}
	if part >= n {
		return nil, inputErrorf("part %d of %d does not exist: part must be less than parts", part, n)
	}
	opt, err := e.scoreOptions(args, 3)
	if err != nil {
		return nil, err
	}
	return e.withScorer(func(s *scorer.Scorer) (any, error) {
		sents, err := s.ScorePart(text, part, n, opt)
		if err != nil {
			return nil, err
		}
		return parts.Encode(text, sents)
	})
}

// assemble makes the report of a text from what scorePart resolved to for
// each of its parts, in order.
func (e *engine) assemble(args []safejs.Value) (any, error) {
	text, err := textArg(args, 0)
	if err != nil {
		return nil, err
	}
	n, err := e.js.arrayArg(args, 1, "parts", maxParts)
	if err != nil {
		return nil, err
	}
	data := make([][]byte, n)
	room := parts.MaxBytes
	for i := range data {
		name := fmt.Sprintf("parts[%d]", i)
		v, err := e.js.item(args[1], i, "parts")
		if err != nil {
			return nil, err
		}
		if data[i], err = e.js.bytesArg([]safejs.Value{v}, 0, name, room); err != nil {
			return nil, err
		}
		room -= len(data[i])
	}
	sents, err := parts.Decode(text, data)
	if err != nil {
		return nil, withCode(CodeInput, err)
	}
	return e.withScorer(func(s *scorer.Scorer) (any, error) {
		r, err := s.Assemble(sents)
		// Assemble only checks and sums what it is given: its errors
		// are about the parts.
		return r, withCode(CodeInput, err)
	})
}

// scoreOptions reads the options object of score and scorePart, args[i]:
// {explain: boolean, onProgress: function(done, total)}, both optional.
func (e *engine) scoreOptions(args []safejs.Value, i int) (scorer.Options, error) {
	var opt scorer.Options
	v := arg(args, i)
	if v.IsUndefined() || v.IsNull() {
		return opt, nil
	}
	if typeName(v) != "object" {
		return opt, inputErrorf("options must be an object, got %s", typeName(v))
	}
	explain, err := e.js.get(v, "explain")
	if err != nil {
		return opt, e.js.readError("options.explain", err)
	}
	if !explain.IsUndefined() {
		if typeName(explain) != "boolean" {
			return opt, inputErrorf("options.explain must be a boolean, got %s", typeName(explain))
		}
		opt.Explain, _ = explain.Bool()
	}
	progress, err := e.js.get(v, "onProgress")
	if err != nil {
		return opt, e.js.readError("options.onProgress", err)
	}
	if !progress.IsUndefined() && !progress.IsNull() {
		if typeName(progress) != "function" {
			return opt, inputErrorf("options.onProgress must be a function, got %s", typeName(progress))
		}
		// Progress is advisory: an exception thrown by the callback
		// (caught by Invoke) must not lose the report.
		opt.Progress = func(done, total int) { _, _ = progress.Invoke(done, total) }
	}
	return opt, nil
}

// embedResult is what embed resolves to.
type embedResult struct {
	IDs        [][]int32   `json:"ids"`
	Embeddings [][]float32 `json:"embeddings"`
}

func (e *engine) embedTexts(args []safejs.Value) (any, error) {
	n, err := e.js.arrayArg(args, 0, "texts", MaxEmbedTexts)
	if err != nil {
		return nil, err
	}
	texts := make([]string, n)
	total := 0
	for i := range texts {
		v, err := e.js.item(args[0], i, "texts")
		if err != nil {
			return nil, err
		}
		if typeName(v) != "string" {
			return nil, inputErrorf("texts[%d] must be a string, got %s", i, typeName(v))
		}
		texts[i], _ = v.String()
		total += len(texts[i])
		if total > scorer.MaxTextBytes {
			return nil, inputErrorf("texts are larger than %d bytes in all", scorer.MaxTextBytes)
		}
	}
	return e.withScorer(func(s *scorer.Scorer) (any, error) {
		ids, embs, err := s.Embedder().Embed(texts)
		if err != nil {
			return nil, err
		}
		return embedResult{IDs: ids, Embeddings: embs}, nil
	})
}
