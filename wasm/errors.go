//go:build js && wasm

package main

import (
	"errors"
	"fmt"

	"finscore/core/scorer"
	"finscore/core/tokenize"
)

// The codes a rejected call's Error carries as err.code, so that callers
// branch on data, never on the wording of a message.
const (
	// CodeInput: the arguments were wrong (type, range, size, encoding, or
	// parts that do not belong together); the call can be made right.
	CodeInput = "input"
	// CodeModel: load was given a bundle that is not a usable model.
	CodeModel = "model"
	// CodeEngine: anything else: no model loaded yet, or an internal error.
	CodeEngine = "engine"
)

// codedError is an error with the code JavaScript reads.
type codedError struct {
	code string
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// withCode marks err with code (nil stays nil).
func withCode(code string, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

// inputErrorf is an input error with a formatted message.
func inputErrorf(format string, args ...any) error {
	return withCode(CodeInput, fmt.Errorf(format, args...))
}

// codeOf is err's code: the one it was marked with, input for the core's
// errors about the caller's text, else engine.
func codeOf(err error) string {
	var c *codedError
	switch {
	case errors.As(err, &c):
		return c.code
	case errors.Is(err, scorer.ErrTooLarge), errors.Is(err, scorer.ErrInvalidUTF8), errors.Is(err, tokenize.ErrInvalidUTF8):
		return CodeInput
	}
	return CodeEngine
}
