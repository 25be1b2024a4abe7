//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"syscall/js"

	"github.com/hack-pad/safejs"
)

// method is one function of the API: it reads its arguments and returns
// its result (see result) or an error (see codeOf).
type method func(args []safejs.Value) (any, error)

// promised wraps fn so that it runs on its own goroutine and answers with a
// Promise: resolved with fn's result, rejected with an Error whose message
// says what was wrong and whose code says what kind of error it is.
func promised(r *reader, fn method) func(safejs.Value, []safejs.Value) any {
	return func(_ safejs.Value, args []safejs.Value) any {
		promiseCtor, err := safejs.Global().Get("Promise")
		if err != nil {
			return nil
		}
		executor, err := safejs.FuncOf(func(_ safejs.Value, pa []safejs.Value) any {
			resolve, reject := pa[0], pa[1]
			go func() {
				v, err := call(fn, args)
				if err != nil {
					rejectWith(r, reject, err)
					return
				}
				if _, err := resolve.Invoke(v); err != nil {
					rejectWith(r, reject, withCode(CodeEngine, fmt.Errorf("the result could not be returned: %s", r.thrown(err))))
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

// call runs fn and turns its result into a JavaScript value. A panic
// becomes an engine error; its stack goes to the console, not into the
// message.
func call(fn method, args []safejs.Value) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "finscore: internal error: %v\n%s", r, debug.Stack())
			err = withCode(CodeEngine, fmt.Errorf("internal error: %v", r))
		}
	}()
	out, err := fn(args)
	if err != nil {
		return nil, err
	}
	return result(out)
}

// result converts a method's result: strings, numbers, booleans and
// JavaScript values as they are, bytes as a Uint8Array, anything else
// through JSON into plain objects.
func result(v any) (any, error) {
	switch v := v.(type) {
	case string, float64, int, bool, nil, safejs.Value:
		return v, nil
	case []byte:
		u8, err := safejs.Global().Get("Uint8Array")
		if err != nil {
			return nil, err
		}
		arr, err := u8.New(len(v))
		if err != nil {
			return nil, err
		}
		_, err = safejs.CopyBytesToJS(arr, v)
		return arr, err
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

// rejectWith rejects with an Error carrying err's message and code. A
// JavaScript exception inside err is described through the reader (its
// Error method would read the thrown value's message unguarded).
func rejectWith(r *reader, reject safejs.Value, err error) {
	msg := err.Error
	var jsErr js.Error
	if errors.As(err, &jsErr) {
		msg = func() string { return r.thrown(err) }
	}
	errCtor, gerr := safejs.Global().Get("Error")
	if gerr != nil {
		return
	}
	e, gerr := errCtor.New(msg())
	if gerr != nil {
		return
	}
	_ = e.Set("code", codeOf(err))
	_, _ = reject.Invoke(e)
}
