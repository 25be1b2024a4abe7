//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/hack-pad/safejs"

	"finscore/core/scorer"
	"finscore/core/tensor"
)

// Version names this build of the engine.
const Version = "0.1.0"

// MaxEmbedTexts bounds one embed call.
const MaxEmbedTexts = 4096

// engine is the loaded model; calls are serialised by mu. embed uses the
// scorer's own tokenizer and encoder: one copy of the weights.
type engine struct {
	mu     sync.Mutex
	scorer *scorer.Scorer
}

// newAPI builds the finscore object with its functions.
func newAPI() (safejs.Value, error) {
	e := &engine{}
	obj, err := safejs.Global().Get("Object")
	if err != nil {
		return safejs.Value{}, err
	}
	api, err := obj.New()
	if err != nil {
		return safejs.Value{}, err
	}
	for name, fn := range map[string]func([]safejs.Value) (any, error){
		"version":   func([]safejs.Value) (any, error) { return versionString(), nil },
		"load":      e.load,
		"score":     e.score,
		"scorePart": e.scorePart,
		"assemble":  e.assemble,
		"embed":     e.embedTexts,
	} {
		f, err := safejs.FuncOf(promised(name, fn))
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

// promised wraps fn so that it runs on its own goroutine and answers with a
// Promise: resolved with fn's result (strings and numbers as they are, other
// values through JSON), rejected with an Error on an error or a panic.
func promised(name string, fn func([]safejs.Value) (any, error)) func(safejs.Value, []safejs.Value) any {
	return func(_ safejs.Value, args []safejs.Value) any {
		promiseCtor, err := safejs.Global().Get("Promise")
		if err != nil {
			return nil
		}
		var executor safejs.Func
		executor, err = safejs.FuncOf(func(_ safejs.Value, pa []safejs.Value) any {
			resolve, reject := pa[0], pa[1]
			go func() {
				result, err := call(fn, args)
				if err != nil {
					rejectWith(reject, fmt.Sprintf("finscore.%s: %v", name, err))
					return
				}
				if _, err := resolve.Invoke(result); err != nil {
					rejectWith(reject, fmt.Sprintf("finscore.%s: %v", name, err))
				}
			}()
			return nil
		})
		if err != nil {
			return nil
		}
		defer executor.Release()
		p, err := promiseCtor.New(executor.Value())
		if err != nil {
			return nil
		}
		return p
	}
}

// call runs fn, turning a panic into an error and the result into a JS value.
func call(fn func([]safejs.Value) (any, error), args []safejs.Value) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v\n%s", r, debug.Stack())
		}
	}()
	v, err := fn(args)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case string, float64, int, bool, nil:
		return v, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	jsonObj, err := safejs.Global().Get("JSON")
	if err != nil {
		return nil, err
	}
	return jsonObj.Call("parse", string(data))
}

func rejectWith(reject safejs.Value, msg string) {
	errCtor, err := safejs.Global().Get("Error")
	if err != nil {
		return
	}
	e, err := errCtor.New(msg)
	if err != nil {
		return
	}
	_, _ = reject.Invoke(e)
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
	data, err := bytesArg(args, 0, "bundle")
	if err != nil {
		return nil, err
	}
	s, m, err := scorer.Load(data)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.scorer = s
	e.mu.Unlock()
	return loadInfo{Name: m.Name, Source: m.Source, License: m.License,
		Labels: s.SentimentLabels(), Categories: s.RiskCategories()}, nil
}

var errNotLoaded = errors.New("no model loaded: call finscore.load(bundleBytes) first")

// withScorer runs fn with the loaded model, one call at a time.
func (e *engine) withScorer(fn func(*scorer.Scorer) (any, error)) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.scorer == nil {
		return nil, errNotLoaded
	}
	return fn(e.scorer)
}

func (e *engine) score(args []safejs.Value) (any, error) {
	text, err := stringArg(args, 0, "text")
	if err != nil {
		return nil, err
	}
	opt, err := scoreOptions(args, 1)
	if err != nil {
		return nil, err
	}
	return e.withScorer(func(s *scorer.Scorer) (any, error) { return s.Score(text, opt) })
}

// maxParts bounds the parts one document is cut into.
const maxParts = 64

func (e *engine) scorePart(args []safejs.Value) (any, error) {
	text, err := stringArg(args, 0, "text")
	if err != nil {
		return nil, err
	}
	part, err := intArg(args, 1, "part", 0, maxParts-1)
	if err != nil {
		return nil, err
	}
	parts, err := intArg(args, 2, "parts", 1, maxParts)
	if err != nil {
		return nil, err
	}
	opt, err := scoreOptions(args, 3)
	if err != nil {
		return nil, err
	}
	return e.withScorer(func(s *scorer.Scorer) (any, error) { return s.ScorePart(text, part, parts, opt) })
}

func (e *engine) assemble(args []safejs.Value) (any, error) {
	if len(args) == 0 || args[0].Type() != safejs.TypeObject {
		return nil, errors.New("sentences must be an array of sentence scores")
	}
	jsonObj, err := safejs.Global().Get("JSON")
	if err != nil {
		return nil, err
	}
	v, err := jsonObj.Call("stringify", args[0])
	if err != nil {
		return nil, fmt.Errorf("sentences cannot be read: %v", err)
	}
	data, err := v.String()
	if err != nil {
		return nil, err
	}
	if len(data) > 16*scorer.MaxTextBytes {
		return nil, errors.New("sentences are too large")
	}
	var sents []scorer.SentenceScore
	if err := json.Unmarshal([]byte(data), &sents); err != nil {
		return nil, fmt.Errorf("sentences must be an array of sentence scores: %v", err)
	}
	return e.withScorer(func(s *scorer.Scorer) (any, error) { return s.Assemble(sents) })
}

// scoreOptions reads the options object of score and scorePart, args[i]:
// {explain: boolean, onProgress: function(done, total)}, both optional.
func scoreOptions(args []safejs.Value, i int) (scorer.Options, error) {
	var opt scorer.Options
	if len(args) <= i || args[i].IsUndefined() || args[i].IsNull() {
		return opt, nil
	}
	if args[i].Type() != safejs.TypeObject {
		return opt, fmt.Errorf("options must be an object, got %s", args[i].Type())
	}
	if v, err := args[i].Get("explain"); err == nil && !v.IsUndefined() {
		if v.Type() != safejs.TypeBoolean {
			return opt, fmt.Errorf("options.explain must be a boolean, got %s", v.Type())
		}
		opt.Explain, _ = v.Bool()
	}
	if v, err := args[i].Get("onProgress"); err == nil && !v.IsUndefined() && !v.IsNull() {
		if v.Type() != safejs.TypeFunction {
			return opt, fmt.Errorf("options.onProgress must be a function, got %s", v.Type())
		}
		// Progress is advisory: an exception thrown by the callback
		// must not lose the report.
		opt.Progress = func(done, total int) { _, _ = v.Invoke(done, total) }
	}
	return opt, nil
}

// embedResult is what embed resolves to.
type embedResult struct {
	IDs        [][]int32   `json:"ids"`
	Embeddings [][]float32 `json:"embeddings"`
}

func (e *engine) embedTexts(args []safejs.Value) (any, error) {
	if len(args) == 0 || args[0].Type() != safejs.TypeObject {
		return nil, errors.New("texts must be an array of strings")
	}
	n, err := args[0].Length()
	if err != nil {
		return nil, errors.New("texts must be an array of strings")
	}
	if n > MaxEmbedTexts {
		return nil, fmt.Errorf("%d texts is more than the %d one call takes", n, MaxEmbedTexts)
	}
	texts := make([]string, n)
	total := 0
	for i := range texts {
		v, err := args[0].Index(i)
		if err != nil || v.Type() != safejs.TypeString {
			return nil, fmt.Errorf("texts[%d] must be a string", i)
		}
		texts[i], _ = v.String()
		total += len(texts[i])
		if total > scorer.MaxTextBytes {
			return nil, fmt.Errorf("texts are larger than %d bytes in all", scorer.MaxTextBytes)
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

// argType names the type of args[i] for an error message: "nothing" when
// the call passed fewer arguments.
func argType(args []safejs.Value, i int) string {
	if len(args) <= i {
		return "nothing"
	}
	return args[i].Type().String()
}

func intArg(args []safejs.Value, i int, name string, lo, hi int) (int, error) {
	if len(args) <= i || args[i].Type() != safejs.TypeNumber {
		return 0, fmt.Errorf("%s must be a number, got %s", name, argType(args, i))
	}
	f, err := args[i].Float()
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		return 0, fmt.Errorf("%s must be a whole number from %d to %d, got %v", name, lo, hi, f)
	}
	return int(f), nil
}

func stringArg(args []safejs.Value, i int, name string) (string, error) {
	if len(args) <= i || args[i].Type() != safejs.TypeString {
		return "", fmt.Errorf("%s must be a string, got %s", name, argType(args, i))
	}
	s, err := args[i].String()
	if err != nil {
		return "", err
	}
	if len(s) > scorer.MaxTextBytes {
		return "", scorer.ErrTooLarge
	}
	return s, nil
}

// maxBundleBytes bounds what load copies into Go memory.
const maxBundleBytes = 64 << 20

func bytesArg(args []safejs.Value, i int, name string) ([]byte, error) {
	if len(args) <= i {
		return nil, fmt.Errorf("%s must be a Uint8Array or ArrayBuffer, got nothing", name)
	}
	v := args[i]
	if ab, err := safejs.Global().Get("ArrayBuffer"); err == nil {
		if ok, _ := v.InstanceOf(ab); ok {
			u8, err := safejs.Global().Get("Uint8Array")
			if err != nil {
				return nil, err
			}
			if v, err = u8.New(v); err != nil {
				return nil, err
			}
		}
	}
	u8, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return nil, err
	}
	if ok, _ := v.InstanceOf(u8); !ok {
		return nil, fmt.Errorf("%s must be a Uint8Array or ArrayBuffer, got %s", name, v.Type())
	}
	n, err := v.Length()
	if err != nil {
		return nil, err
	}
	if n > maxBundleBytes {
		return nil, fmt.Errorf("%s is %d bytes, more than %d", name, n, maxBundleBytes)
	}
	data := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(data, v); err != nil {
		return nil, err
	}
	return data, nil
}
