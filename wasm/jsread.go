//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"syscall/js"

	"github.com/hack-pad/safejs"
)

// Reading the caller's arguments runs the caller's code: getters, Proxy
// traps, valueOf. An exception thrown there must not reach Go's wasm_exec.js
// accessors (Value.Get, Index, Length, InstanceOf, CopyBytesToGo), which do
// not catch it: it unwinds through the Go program and kills it. Only
// wasm_exec.js's call, invoke and construct catch exceptions (safejs turns
// them into errors), so every read of a caller's value here goes through
// Reflect.get, Reflect.apply of a built-in getter, or a constructor, and no
// other accessor ever sees a caller's value. Built-ins are looked up once,
// before any caller's code runs.

// reader reads JavaScript arguments with the built-ins it needs.
type reader struct {
	reflect     safejs.Value // Reflect
	array       safejs.Value // Array
	uint8Array  safejs.Value // Uint8Array
	typedTag    safejs.Value // get %TypedArray%.prototype[Symbol.toStringTag]: the kind of a typed array, else undefined
	typedBuffer safejs.Value // get %TypedArray%.prototype.buffer
	typedOffset safejs.Value // get %TypedArray%.prototype.byteOffset
	typedLength safejs.Value // get %TypedArray%.prototype.length
	bufferBytes safejs.Value // get ArrayBuffer.prototype.byteLength: throws unless given an ArrayBuffer
}

// newReader looks up the built-ins.
func newReader() (*reader, error) {
	g := safejs.Global()
	r := &reader{}
	var err error
	for name, dst := range map[string]*safejs.Value{"Reflect": &r.reflect, "Array": &r.array, "Uint8Array": &r.uint8Array} {
		if *dst, err = g.Get(name); err != nil {
			return nil, err
		}
	}
	typedProto, err := r.call("getPrototypeOf", r.mustGet(r.uint8Array, "prototype"))
	if err != nil {
		return nil, err
	}
	toStringTag := r.mustGet(r.mustGet(g, "Symbol"), "toStringTag")
	arrayBufferProto := r.mustGet(r.mustGet(g, "ArrayBuffer"), "prototype")
	for _, getter := range []struct {
		dst   *safejs.Value
		proto safejs.Value
		key   any
	}{
		{&r.typedTag, typedProto, toStringTag},
		{&r.typedBuffer, typedProto, "buffer"},
		{&r.typedOffset, typedProto, "byteOffset"},
		{&r.typedLength, typedProto, "length"},
		{&r.bufferBytes, arrayBufferProto, "byteLength"},
	} {
		desc, err := r.call("getOwnPropertyDescriptor", getter.proto, getter.key)
		if err != nil {
			return nil, err
		}
		if *getter.dst, err = desc.Get("get"); err != nil {
			return nil, err
		}
		if getter.dst.Type() != safejs.TypeFunction {
			return nil, fmt.Errorf("this JavaScript engine has no getter for %v", getter.key)
		}
	}
	return r, nil
}

// mustGet reads a property of a built-in during newReader; a missing one
// shows as undefined, and the next step fails with an error.
func (r *reader) mustGet(v safejs.Value, key string) safejs.Value {
	p, err := v.Get(key)
	if err != nil {
		return safejs.Undefined()
	}
	return p
}

// call calls Reflect[method](args...): an exception becomes an error.
func (r *reader) call(method string, args ...any) (safejs.Value, error) {
	return r.reflect.Call(method, args...)
}

// get reads obj[key] (key a string or a number), running any getter or
// Proxy trap; an exception becomes an error.
func (r *reader) get(obj safejs.Value, key any) (safejs.Value, error) {
	return r.call("get", obj, key)
}

// apply calls the built-in getter on v; it throws, and so errs, when v is
// not what the getter is for.
func (r *reader) apply(getter, v safejs.Value) (safejs.Value, error) {
	return r.call("apply", getter, v, []any{})
}

// typeName is JavaScript's typeof of v, with null as "null"; unlike
// Value.Type it does not panic on a BigInt.
func typeName(v safejs.Value) (name string) {
	defer func() {
		if recover() != nil {
			name = "bigint" // the only typeof that syscall/js has no Type for
		}
	}()
	return v.Type().String()
}

// thrown describes what a guarded read threw: its message if it is an
// object with a string message (read again through a guard), the string
// if a string was thrown, else its type.
func (r *reader) thrown(err error) string {
	var jsErr js.Error
	if !errors.As(err, &jsErr) {
		return err.Error()
	}
	v := safejs.Safe(jsErr.Value)
	switch typeName(v) {
	case "string":
		s, _ := v.String()
		return clip(s)
	case "object", "function":
		if m, err := r.get(v, "message"); err == nil && typeName(m) == "string" {
			s, _ := m.String()
			return clip(s)
		}
	}
	return article(typeName(v)) + " was thrown"
}

// article puts "a" or "an" before a type name.
func article(name string) string {
	if strings.ContainsRune("aeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// clip shortens a message from the caller's side to a readable length.
func clip(s string) string {
	const most = 200
	if len(s) <= most {
		return s
	}
	return s[:most] + "…"
}

// readError is the error for a read of name that threw.
func (r *reader) readError(name string, err error) error {
	return inputErrorf("%s cannot be read: %s", name, r.thrown(err))
}

// arg returns args[i], or undefined when the call passed fewer.
func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}

// argType names the type of args[i] for an error message: "nothing" when
// the call passed fewer arguments.
func argType(args []safejs.Value, i int) string {
	if len(args) <= i {
		return "nothing"
	}
	return typeName(args[i])
}

// stringArg reads args[i], a string of at most most bytes as UTF-8 (lone
// surrogates become U+FFFD, as Go converts them).
func stringArg(args []safejs.Value, i int, name string, most int, tooLong error) (string, error) {
	if typeName(arg(args, i)) != "string" {
		return "", inputErrorf("%s must be a string, got %s", name, argType(args, i))
	}
	s, err := args[i].String()
	if err != nil {
		return "", err
	}
	if len(s) > most {
		return "", tooLong
	}
	return s, nil
}

// intArg reads args[i], a whole number from lo to hi.
func intArg(args []safejs.Value, i int, name string, lo, hi int) (int, error) {
	if typeName(arg(args, i)) != "number" {
		return 0, inputErrorf("%s must be a number, got %s", name, argType(args, i))
	}
	return wholeNumber(args[i], name, lo, hi)
}

// wholeNumber reads v, a number, as a whole number from lo to hi.
func wholeNumber(v safejs.Value, name string, lo, hi int) (int, error) {
	f, err := v.Float()
	if err != nil {
		return 0, err
	}
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		return 0, inputErrorf("%s must be a whole number from %d to %d, got %v", name, lo, hi, f)
	}
	return int(f), nil
}

// arrayArg reads args[i], an Array of at most most items (a Proxy of an
// Array counts), and returns its length.
func (r *reader) arrayArg(args []safejs.Value, i int, name string, most int) (int, error) {
	v := arg(args, i)
	if t := typeName(v); t != "object" {
		return 0, inputErrorf("%s must be an array, got %s", name, argType(args, i))
	}
	isArray, err := r.array.Call("isArray", v) // throws on a revoked Proxy
	if err != nil {
		return 0, r.readError(name, err)
	}
	if ok, _ := isArray.Bool(); !ok {
		return 0, inputErrorf("%s must be an array, got an object that is not one", name)
	}
	n, err := r.get(v, "length")
	if err != nil {
		return 0, r.readError(name+".length", err)
	}
	if typeName(n) != "number" {
		return 0, inputErrorf("%s.length must be a number, got %s", name, typeName(n))
	}
	return wholeNumber(n, name+".length", 0, most)
}

// item reads v[i] of an array named name.
func (r *reader) item(v safejs.Value, i int, name string) (safejs.Value, error) {
	x, err := r.get(v, i)
	if err != nil {
		return safejs.Value{}, r.readError(fmt.Sprintf("%s[%d]", name, i), err)
	}
	return x, nil
}

// bytesArg copies args[i], a Uint8Array or an ArrayBuffer of at most most
// bytes, into Go memory. It never hands the caller's value to CopyBytesToGo (whose
// instanceof test and subarray call run the caller's prototype chain, and
// throw on a detached buffer): it checks it with the built-in getters and
// copies from a fresh Uint8Array over the same memory, which a detached
// buffer makes fail with an error.
func (r *reader) bytesArg(args []safejs.Value, i int, name string, most int) ([]byte, error) {
	v := arg(args, i)
	kind := "other"
	if typeName(v) == "object" {
		if _, err := r.apply(r.bufferBytes, v); err == nil {
			kind = "ArrayBuffer"
		} else if tag, err := r.apply(r.typedTag, v); err == nil && typeName(tag) == "string" {
			kind, _ = tag.String()
		}
	}
	var view safejs.Value
	var err error
	switch kind {
	case "ArrayBuffer":
		view, err = r.uint8Array.New(v)
	case "Uint8Array":
		view, err = r.viewOf(v)
	default:
		what := argType(args, i)
		if kind != "other" {
			what = kind
		}
		return nil, inputErrorf("%s must be a Uint8Array or ArrayBuffer, got %s", name, what)
	}
	if err != nil {
		return nil, r.readError(name, err)
	}
	// view is a Uint8Array made here: reading it runs none of the caller's code.
	lengthValue, err := r.apply(r.typedLength, view)
	if err != nil {
		return nil, r.readError(name, err)
	}
	n, err := lengthValue.Int()
	if err != nil {
		return nil, err
	}
	if n > most {
		return nil, inputErrorf("%s is %d bytes, more than %d", name, n, most)
	}
	data := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(data, view); err != nil {
		return nil, r.readError(name, err)
	}
	return data, nil
}

// viewOf returns a new Uint8Array over the bytes of the Uint8Array v; it
// fails when v's buffer is detached.
func (r *reader) viewOf(v safejs.Value) (safejs.Value, error) {
	var parts [3]safejs.Value
	for i, getter := range []safejs.Value{r.typedBuffer, r.typedOffset, r.typedLength} {
		var err error
		if parts[i], err = r.apply(getter, v); err != nil {
			return safejs.Value{}, err
		}
	}
	return r.uint8Array.New(parts[0], parts[1], parts[2])
}
