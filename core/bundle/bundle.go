package bundle

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"sync"

	"github.com/x448/float16"
)

const (
	// Magic is the first eight bytes of every bundle.
	Magic = "\x89FSB\r\n\x1a\n"
	// Version is the format version this package reads and writes.
	Version = 1
	// Alignment is the alignment, in bytes, of the payload and of every tensor
	// in it, measured from the start of the file.
	Alignment = 64
)

// MaxSize is the largest bundle Read accepts and Write produces, in bytes.
// The largest file this project writes is a training checkpoint of about
// 112 MB (the float32 parameters of USE-Lite with its heads, both Adam
// moments and the best parameters so far); 512 MiB leaves four times that.
// A float16 bundle decodes to twice its size in float32, so a larger one
// could not be loaded in a browser tab anyway. ReadFile refuses a larger
// file before reading it.
const MaxSize = 512 << 20

// Limits on fields, checked by both Read and Write. Read checks each against
// the header before it allocates or parses what the field describes.
const (
	headerLen   = 32 // magic, version, M, N, T, P
	checksumLen = 4  // one CRC-32C
	// maxManifestLen bounds the JSON manifest, which is parsed whole
	// (tens of milliseconds a megabyte natively, more in WebAssembly).
	// The tokenizer's vocabulary fills most of it: the shipped one is
	// 8,000 pieces in 226 KB, 28 bytes a piece. The most the encoder accepts, 65,536
	// pieces, is 1.8 MiB at that density; 8 MiB leaves room for pieces
	// four times as long, and for the heads and training notes.
	maxManifestLen = 8 << 20
	// maxTensors bounds the tensor count N: each tensor costs a table
	// entry, a Tensor and a map slot. USE-Lite with its heads has 36
	// tensors and a training checkpoint four copies of them; 4,096 leaves
	// room for a model many times deeper.
	maxTensors    = 4096
	maxNameLen    = 256
	maxRank       = 8
	maxDim        = math.MaxInt32                          // fits an int on every platform
	minEntryLen   = 2 + 1 + 1 + 1 + 4 + 8 + 8              // name length, 1-byte name, dtype, rank, one dim, offset, length
	entryFixedLen = 2 + 1 + 1 + 8 + 8                      // an entry without its name and dims
	maxEntryLen   = entryFixedLen + maxNameLen + 4*maxRank // the longest name and the highest rank
	maxTableLen   = maxTensors * maxEntryLen               // the table T of maxTensors of the longest entries
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors returned by Read wrap one of these, so callers can tell the kinds
// apart with errors.Is. The messages add what was wrong and where.
var (
	ErrTruncated = errors.New("truncated")             // the input ends before what its header describes
	ErrMagic     = errors.New("not a finscore bundle") // the input does not start with Magic
	ErrVersion   = errors.New("unsupported version")   // the format version is not Version
	ErrManifest  = errors.New("invalid manifest")      // bad manifest length, JSON, or content
	ErrTable     = errors.New("invalid tensor table")  // bad count, name, dtype, shape, offset or length
	ErrPayload   = errors.New("invalid payload")       // nonzero padding, or a NaN or infinite element
	ErrChecksum  = errors.New("checksum mismatch")     // a CRC-32C does not match the bytes it covers
	ErrTrailing  = errors.New("trailing data")         // bytes follow the payload checksum
	ErrTooLarge  = errors.New("too large")             // the input is larger than MaxSize
)

// formatErr returns an error wrapping kind, formatted as "bundle: kind: detail".
func formatErr(kind error, format string, args ...any) error {
	return fmt.Errorf("bundle: %w: %s", kind, fmt.Sprintf(format, args...))
}

// DType is the storage type of a tensor's elements.
type DType uint8

const (
	Float16 DType = 1 // IEEE half, little-endian; via github.com/x448/float16
	Float32 DType = 2 // IEEE single, little-endian
)

// String returns "float16" or "float32", or "dtype(n)" for an unknown value.
func (d DType) String() string {
	switch d {
	case Float16:
		return "float16"
	case Float32:
		return "float32"
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// Size returns the number of bytes one element of d occupies, or 0 if d is
// not a known DType.
func (d DType) Size() int {
	switch d {
	case Float16:
		return 2
	case Float32:
		return 4
	}
	return 0
}

// ParseDType parses "float16" or "f16", and "float32" or "f32".
func ParseDType(s string) (DType, error) {
	switch s {
	case "float16", "f16":
		return Float16, nil
	case "float32", "f32":
		return Float32, nil
	}
	return 0, fmt.Errorf("bundle: unknown dtype %q (want float16, f16, float32 or f32)", s)
}

// Manifest is the JSON header. Sub-objects are decoded by the packages that own them.
type Manifest struct {
	Name      string                     `json:"name"`                // e.g. "use-lite"
	Source    string                     `json:"source,omitempty"`    // provenance of the weights
	License   string                     `json:"license,omitempty"`   // license of the weights
	Model     json.RawMessage            `json:"model,omitempty"`     // decoded by core/encoder (its Config)
	Tokenizer json.RawMessage            `json:"tokenizer,omitempty"` // decoded by core/tokenize (vocabulary with scores)
	Extra     map[string]json.RawMessage `json:"extra,omitempty"`     // later: heads, labels, taxonomy
}

// TensorData is one tensor to write: values are given as float32 and stored in DType.
type TensorData struct {
	Name   string    // unique, non-empty UTF-8, at most 256 bytes
	Shape  []int     // 1 to 8 positive dims, outermost first
	DType  DType     // how the values are stored
	Values []float32 // product(Shape) finite values, row-major
}

// Tensor is one tensor of a bundle read by Read. Its elements stay encoded in
// the input until decoded with DecodeInto or Float32s.
type Tensor struct {
	Name  string // unique within the bundle
	Shape []int  // outermost first
	DType DType  // how the elements are stored

	offset int64  // absolute file offset of raw, for messages and tests
	raw    []byte // len(raw) == Len() * DType.Size(), aliases Read's input
}

// Len returns the number of elements, the product of Shape.
func (t *Tensor) Len() int {
	if size := t.DType.Size(); size > 0 {
		return len(t.raw) / size
	}
	return 0
}

// DecodeInto decodes the elements into dst, which must have exactly Len()
// elements. Float16 elements convert to float32 exactly.
func (t *Tensor) DecodeInto(dst []float32) error {
	if len(dst) != t.Len() {
		return fmt.Errorf("bundle: tensor %q has %d elements, destination has %d", t.Name, t.Len(), len(dst))
	}
	switch t.DType {
	case Float16:
		table := float16Table()
		raw := t.raw[:2*len(dst)]
		for i := range dst {
			dst[i] = table[binary.LittleEndian.Uint16(raw[2*i:])]
		}
	case Float32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.raw[4*i:]))
		}
	default:
		return fmt.Errorf("bundle: tensor %q has unknown dtype %v", t.Name, t.DType)
	}
	return nil
}

// float16Table maps every float16 bit pattern to its float32 value, as
// github.com/x448/float16 converts it. Loading a model converts millions of
// weights; a lookup is several times faster than the conversion's branches,
// most of all in WebAssembly. Built on first use (256 KiB).
var float16Table = sync.OnceValue(func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for h := range t {
		t[h] = float16.Frombits(uint16(h)).Float32()
	}
	return &t
})

// Float32s returns the elements decoded into a new slice.
func (t *Tensor) Float32s() []float32 {
	dst := make([]float32, t.Len())
	_ = t.DecodeInto(dst) // cannot fail: dst has the right length, and Len is 0 for an unknown dtype
	return dst
}

// Bundle is a parsed bundle. Its tensors refer to the slice given to Read,
// which must not be modified while the Bundle is in use.
type Bundle struct {
	Manifest Manifest // the decoded JSON manifest

	tensors []*Tensor // in file order
	byName  map[string]*Tensor
}

// Tensor returns the tensor with the given name, and whether it exists.
func (b *Bundle) Tensor(name string) (*Tensor, bool) {
	t, ok := b.byName[name]
	return t, ok
}

// Tensors returns all tensors in file order.
func (b *Bundle) Tensors() []*Tensor {
	return slices.Clone(b.tensors)
}

// Float32s returns the named tensor decoded to float32, checking its shape equals want (if want is non-empty).
// Errors: `bundle: missing required tensor "x"`, `bundle: tensor "x" has shape [a b], want [c d]`.
func (b *Bundle) Float32s(name string, want ...int) ([]float32, error) {
	t, ok := b.byName[name]
	if !ok {
		return nil, fmt.Errorf("bundle: missing required tensor %q", name)
	}
	if len(want) > 0 && !slices.Equal(t.Shape, want) {
		return nil, fmt.Errorf("bundle: tensor %q has shape %v, want %v", name, t.Shape, want)
	}
	return t.Float32s(), nil
}

// alignUp rounds n up to a multiple of Alignment. n must be far from overflow.
func alignUp(n uint64) uint64 {
	return (n + Alignment - 1) &^ (Alignment - 1)
}
