package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/x448/float16"
)

var negZero = float32(math.Copysign(0, -1))

var update = flag.Bool("update", false, "rewrite testdata/small.fsb")

// sample returns a small manifest and three tensors with names of equal length
// (so one can be renamed to another in place), one of rank 3.
func sample() (Manifest, []TensorData) {
	m := Manifest{
		Name:      "test",
		Source:    "bundle_test.go",
		License:   "MIT",
		Model:     json.RawMessage(`{"dim":4,"layers":2}`),
		Tokenizer: json.RawMessage(`{"vocab":[["a",-1.5],["b",-2]]}`),
		Extra:     map[string]json.RawMessage{"labels": json.RawMessage(`["neg","neu","pos"]`)},
	}
	c := make([]float32, 24)
	for i := range c {
		c[i] = float32(i) - 11.5
	}
	return m, []TensorData{
		{Name: "a.w", Shape: []int{2, 3}, DType: Float16, Values: []float32{0, 1, -2.5, 65504, 1.0 / 3, 1e-7}},
		{Name: "b.w", Shape: []int{4}, DType: Float32, Values: []float32{1.0 / 3, negZero, math.MaxFloat32, math.SmallestNonzeroFloat32}},
		{Name: "c.w", Shape: []int{2, 3, 4}, DType: Float16, Values: c},
	}
}

func write(t testing.TB, m Manifest, tensors []TensorData) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, m, tensors); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// layout locates the sections and table fields of a valid bundle.
type layout struct {
	manifestEnd, tableEnd, payloadStart, payloadEnd int
	entries                                         []entry
}

// entry holds the file offsets of one table entry's fields.
type entry struct{ start, name, dtype, rank, dims, off, length int }

func locate(t testing.TB, b []byte) layout {
	t.Helper()
	var l layout
	l.manifestEnd = headerLen + int(le.Uint32(b[12:]))
	l.tableEnd = l.manifestEnd + int(le.Uint32(b[20:]))
	l.payloadStart = int(alignUp(uint64(l.tableEnd + checksumLen)))
	l.payloadEnd = l.payloadStart + int(le.Uint64(b[24:]))
	for pos := l.manifestEnd; pos < l.tableEnd; {
		var e entry
		e.start, e.name = pos, pos+2
		e.dtype = e.name + int(le.Uint16(b[pos:]))
		e.rank = e.dtype + 1
		e.dims = e.rank + 1
		e.off = e.dims + 4*int(b[e.rank])
		e.length = e.off + 8
		pos = e.length + 8
		l.entries = append(l.entries, e)
	}
	return l
}

// reseal recomputes both checksums of data, as far as its header allows,
// so that tests and the fuzzer can reach the checks that follow them.
// It never panics and does not modify data.
func reseal(data []byte) ([]byte, bool) {
	if len(data) < headerLen {
		return nil, false
	}
	b := bytes.Clone(data)
	size := uint64(len(b))
	tableEnd := headerLen + uint64(le.Uint32(b[12:])) + uint64(le.Uint32(b[20:]))
	if tableEnd+checksumLen > size {
		return nil, false
	}
	le.PutUint32(b[tableEnd:], crc32.Checksum(b[:tableEnd], castagnoli))
	start, p := alignUp(tableEnd+checksumLen), le.Uint64(b[24:])
	if start <= size && p <= size-start && size-start-p >= checksumLen {
		le.PutUint32(b[start+p:], crc32.Checksum(b[start:start+p], castagnoli))
	}
	return b, true
}

func TestDType(t *testing.T) {
	tests := []struct {
		in      string
		want    DType
		str     string
		size    int
		wantErr bool
	}{
		{"float16", Float16, "float16", 2, false},
		{"f16", Float16, "float16", 2, false},
		{"float32", Float32, "float32", 4, false},
		{"f32", Float32, "float32", 4, false},
		{"F32", 0, "", 0, true},
		{"float64", 0, "", 0, true},
		{"", 0, "", 0, true},
	}
	for _, tt := range tests {
		d, err := ParseDType(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseDType(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), tt.in) {
				t.Errorf("ParseDType(%q) error %q does not quote the input", tt.in, err)
			}
			continue
		}
		if d != tt.want || d.String() != tt.str || d.Size() != tt.size {
			t.Errorf("ParseDType(%q) = %v (%q, size %d), want %v (%q, size %d)", tt.in, d, d.String(), d.Size(), tt.want, tt.str, tt.size)
		}
	}
	if got := DType(9).String(); got != "dtype(9)" {
		t.Errorf("DType(9).String() = %q", got)
	}
}

func TestRoundTrip(t *testing.T) {
	m, all := sample()
	big := make([]float32, 3*7*5000) // more than the writer's 64 KiB buffer
	for i := range big {
		big[i] = float32(i%2001-1000) / 7
	}
	tests := []struct {
		name    string
		tensors []TensorData
	}{
		{"no tensors", nil},
		{"float32", all[1:2]},
		{"float16", []TensorData{all[0], all[2]}},
		{"mixed", all},
		{"float16 rounding", []TensorData{{Name: "r", Shape: []int{6}, DType: Float16,
			Values: []float32{65519, -65519, 1e-8, 5.9604645e-08, 0.1, 2049}}}},
		{"large", []TensorData{
			{Name: "big16", Shape: []int{3, 7, 5000}, DType: Float16, Values: big},
			all[1],
			{Name: "big32", Shape: []int{5000, 21}, DType: Float32, Values: big},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := write(t, m, tt.tensors)
			b, err := Read(data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !reflect.DeepEqual(b.Manifest, m) {
				t.Errorf("manifest = %+v, want %+v", b.Manifest, m)
			}
			got := b.Tensors()
			if len(got) != len(tt.tensors) {
				t.Fatalf("read %d tensors, wrote %d", len(got), len(tt.tensors))
			}
			for i, want := range tt.tensors {
				g := got[i]
				if g.Name != want.Name || g.DType != want.DType || !slices.Equal(g.Shape, want.Shape) || g.Len() != len(want.Values) {
					t.Errorf("tensor %d = %q %v %v len %d, want %q %v %v len %d", i, g.Name, g.DType, g.Shape, g.Len(), want.Name, want.DType, want.Shape, len(want.Values))
				}
				if g.offset%Alignment != 0 {
					t.Errorf("tensor %q at file offset %d, not a multiple of %d", g.Name, g.offset, Alignment)
				}
				if byName, ok := b.Tensor(want.Name); !ok || byName != g {
					t.Errorf("Tensor(%q) = %v, %v; want the %d-th tensor", want.Name, byName, ok, i)
				}
				values := g.Float32s()
				for j, v := range want.Values {
					if want.DType == Float16 {
						v = float16.Fromfloat32(v).Float32()
					}
					if math.Float32bits(values[j]) != math.Float32bits(v) {
						t.Errorf("tensor %q value %d = %v, want %v", want.Name, j, values[j], v)
					}
				}
			}
			if again := write(t, m, tt.tensors); !bytes.Equal(again, data) {
				t.Errorf("writing the same input twice gave different bytes")
			}
		})
	}
}

// TestGolden pins the byte format: a change to it must be deliberate
// (and, if incompatible, come with a new Version).
func TestGolden(t *testing.T) {
	m, tensors := sample()
	data := write(t, m, tensors)
	path := filepath.Join("testdata", "small.fsb")
	if *update {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("Write output differs from %s; if the format changed on purpose, run go test -update", path)
	}
	if _, err := Read(want); err != nil {
		t.Errorf("Read(%s): %v", path, err)
	}
}

func TestReadCorrupt(t *testing.T) {
	m, tensors := sample()
	valid := write(t, m, tensors)
	l := locate(t, valid)
	if len(l.entries) != 3 {
		t.Fatalf("located %d table entries, want 3", len(l.entries))
	}
	if l.payloadStart == l.tableEnd+checksumLen {
		t.Fatalf("sample bundle has no padding before the payload; change the sample")
	}
	e0, e1, e2 := l.entries[0], l.entries[1], l.entries[2]
	payloadB := l.payloadStart + int(le.Uint64(valid[e1.off:])) // first byte of "b.w"
	nameValue := bytes.Index(valid, []byte(`"name":"test"`)) + len(`"name":"`)

	put16 := func(at int, v uint16) func([]byte) []byte {
		return func(b []byte) []byte { le.PutUint16(b[at:], v); return b }
	}
	put32 := func(at int, v uint32) func([]byte) []byte {
		return func(b []byte) []byte { le.PutUint32(b[at:], v); return b }
	}
	put64 := func(at int, v uint64) func([]byte) []byte {
		return func(b []byte) []byte { le.PutUint64(b[at:], v); return b }
	}
	set := func(at int, v byte) func([]byte) []byte {
		return func(b []byte) []byte { b[at] = v; return b }
	}
	flip := func(at int) func([]byte) []byte {
		return func(b []byte) []byte { b[at] ^= 0x01; return b }
	}
	// manifest replaces the manifest, padded with spaces to its length.
	manifest := func(s string) func([]byte) []byte {
		return func(b []byte) []byte {
			n := copy(b[headerLen:l.manifestEnd], s)
			copy(b[headerLen+n:l.manifestEnd], bytes.Repeat([]byte(" "), l.manifestEnd))
			return b
		}
	}
	sealed := func(f func([]byte) []byte) func([]byte) []byte {
		return func(b []byte) []byte {
			b, ok := reseal(f(b))
			if !ok {
				t.Fatal("reseal failed")
			}
			return b
		}
	}

	tests := []struct {
		name    string
		corrupt func([]byte) []byte
		kind    error
		msg     string // the error must contain this
	}{
		// Header.
		{"empty", func(b []byte) []byte { return b[:0] }, ErrTruncated, "empty input"},
		{"bad magic", set(1, 'X'), ErrMagic, `starts with "\x89XSB`},
		{"short non-bundle", func([]byte) []byte { return []byte("{}") }, ErrMagic, `"{}"`},
		{"unknown version", put32(8, 7), ErrVersion, "format version 7 (at byte 8), this package reads version 1"},
		{"manifest length zero", put32(12, 0), ErrManifest, "manifest length 0 (at byte 12) out of range"},
		{"manifest length huge", put32(12, 1<<30), ErrManifest, "manifest length 1073741824 (at byte 12) out of range"},
		{"manifest length over limit", put32(12, maxManifestLen+1), ErrManifest, "manifest length 8388609 (at byte 12) out of range [2, 8388608]"},
		{"count absurd", put32(16, math.MaxUint32), ErrTable, "tensor count 4294967295 (at byte 16) is more than the limit of 4096"},
		{"count over limit", put32(16, maxTensors+1), ErrTable, "tensor count 4097 (at byte 16) is more than the limit of 4096"},
		{"table length over limit", put32(20, maxTableLen+1), ErrTable, "tensor table length 1261569 (at byte 20) is more than 1261568, the most 4096 entries need"},

		// Sizes against the input.
		{"manifest past end", put32(12, uint32(len(valid))), ErrTruncated, "manifest ends at byte"},
		{"table past end", put32(20, uint32(len(valid))), ErrTruncated, "tensor table ends at byte"},
		{"payload past end", put64(24, uint64(len(valid))), ErrTruncated, "payload starts at byte"},
		{"payload length max", put64(24, math.MaxUint64), ErrTruncated, "18446744073709551615"},
		{"trailing garbage", func(b []byte) []byte { return append(b, 0) }, ErrTrailing, "input is " + strconv.Itoa(len(valid)+1) + " bytes, but the payload checksum ends at byte " + strconv.Itoa(len(valid))},
		{"payload length short", put64(24, uint64(l.payloadEnd-l.payloadStart-1)), ErrTrailing, "payload checksum ends at byte " + strconv.Itoa(len(valid)-1)},

		// Manifest.
		{"manifest not JSON", sealed(manifest(`{"name":`)), ErrManifest, "not valid JSON"},
		{"manifest array", sealed(manifest(`["name"]`)), ErrManifest, "not a JSON object"},
		{"manifest null", sealed(manifest(`null`)), ErrManifest, "not a JSON object"},
		{"manifest no name", sealed(manifest(`{"source":"x"}`)), ErrManifest, `missing or empty "name"`},
		{"manifest empty name", sealed(manifest(`{"name":""}`)), ErrManifest, `missing or empty "name"`},
		{"manifest name not string", sealed(manifest(`{"name":1}`)), ErrManifest, "name"},
		{"manifest not UTF-8", sealed(set(nameValue, 0xff)), ErrManifest, "not valid UTF-8"},

		// Tensor table.
		{"count cannot fit", sealed(put32(16, uint32((l.tableEnd-l.manifestEnd)/minEntryLen+1))), ErrTable, "(at byte 16) cannot fit in a " + strconv.Itoa(l.tableEnd-l.manifestEnd) + "-byte table"},
		{"count too small", sealed(put32(16, 2)), ErrTable, "but its 2 entries end after"},
		{"table one byte short", sealed(put32(20, uint32(l.tableEnd-l.manifestEnd-1))), ErrTable, "entry 2 at byte " + strconv.Itoa(e2.start) + ": the table ends at byte " + strconv.Itoa(l.tableEnd-1) + ", before the entry's offset and length"},
		{"name length zero", sealed(put16(e1.start, 0)), ErrTable, "entry 1 at byte " + strconv.Itoa(e1.start) + ": name length 0 out of range"},
		{"name too long", sealed(put16(e1.start, 300)), ErrTable, "name length 300 out of range"},
		{"name not UTF-8", sealed(set(e1.name, 0xff)), ErrTable, `name "\xff.w" is not valid UTF-8`},
		{"duplicate name", sealed(set(e1.name, 'a')), ErrTable, `entry 1 at byte ` + strconv.Itoa(e1.start) + `: duplicate tensor name "a.w" (also entry 0)`},
		{"unknown dtype", sealed(set(e0.dtype, 9)), ErrTable, `tensor "a.w" (entry 0 at byte ` + strconv.Itoa(e0.start) + `): unknown dtype 9`},
		{"dtype zero", sealed(set(e0.dtype, 0)), ErrTable, "unknown dtype 0"},
		{"rank zero", sealed(set(e0.rank, 0)), ErrTable, `tensor "a.w" (entry 0 at byte ` + strconv.Itoa(e0.start) + `): rank 0 out of range`},
		{"rank huge", sealed(set(e0.rank, 200)), ErrTable, "rank 200 out of range"},
		{"rank past table", sealed(set(e2.rank, 8)), ErrTable, "entry 2 at byte " + strconv.Itoa(e2.start) + ": the table ends at byte " + strconv.Itoa(l.tableEnd) + ", before the entry's dims"},
		{"dim zero", sealed(put32(e0.dims, 0)), ErrTable, `tensor "a.w" (entry 0 at byte ` + strconv.Itoa(e0.start) + `): dim 0 is 0`},
		{"dim negative as int32", sealed(put32(e0.dims+4, 0xfffffffe)), ErrTable, "dim 1 is 4294967294"},
		{"dims overflow", sealed(func(b []byte) []byte {
			for k := range 3 {
				le.PutUint32(b[e2.dims+4*k:], math.MaxInt32)
			}
			return b
		}), ErrTable, `tensor "c.w" (entry 2 at byte ` + strconv.Itoa(e2.start) + `): shape [2147483647 2147483647 2147483647] overflows`},
		{"byte length mismatch", sealed(put64(e1.length, 12)), ErrTable, `tensor "b.w" (entry 1 at byte ` + strconv.Itoa(e1.start) + `): byte length 12, want 16 for shape [4] of float32`},
		{"shape mismatch", sealed(put32(e1.dims, 5)), ErrTable, "byte length 16, want 20 for shape [5]"},
		{"offset misaligned", sealed(put64(e1.off, 65)), ErrTable, `tensor "b.w" (entry 1 at byte ` + strconv.Itoa(e1.start) + `): payload offset 65 is not a multiple of 64`},
		{"offset out of range", sealed(put64(e2.off, 1<<20)), ErrTable, "48 bytes at payload offset 1048576 run past the end of the"},
		{"offset huge", sealed(put64(e2.off, 1<<63)), ErrTable, "run past the end of the"},
		{"overlap", sealed(put64(e1.off, 0)), ErrTable, `tensor "b.w" (entry 1 at byte ` + strconv.Itoa(e1.start) + `): payload offset 0 overlaps tensor "a.w", which ends at payload offset 12`},

		// Padding and payload.
		{"nonzero padding", set(l.payloadStart-1, 7), ErrPayload, "padding byte at " + strconv.Itoa(l.payloadStart-1) + " is 0x07"},
		{"float16 NaN", sealed(put16(l.payloadStart+2, 0x7e00)), ErrPayload, `tensor "a.w" element 1 (at byte ` + strconv.Itoa(l.payloadStart+2) + `) is NaN`},
		{"float16 -Inf", sealed(put16(l.payloadStart, 0xfc00)), ErrPayload, `tensor "a.w" element 0 (at byte ` + strconv.Itoa(l.payloadStart) + `) is -Inf`},
		{"float32 +Inf", sealed(put32(payloadB+12, 0x7f800000)), ErrPayload, `tensor "b.w" element 3 (at byte ` + strconv.Itoa(payloadB+12) + `) is +Inf`},

		// Checksums.
		{"manifest byte changed", set(nameValue, 'b'), ErrChecksum, "header checksum at byte " + strconv.Itoa(l.tableEnd)},
		{"header checksum changed", flip(l.tableEnd), ErrChecksum, "header checksum"},
		{"manifest byte breaks the JSON", set(headerLen, '['), ErrChecksum, "header checksum at byte " + strconv.Itoa(l.tableEnd)},
		{"manifest byte not UTF-8", set(nameValue, 0xff), ErrChecksum, "header checksum"},
		{"count changed", put32(16, 2), ErrChecksum, "header checksum"},
		{"table byte changed", set(e1.name, 'a'), ErrChecksum, "header checksum"},
		{"table offset changed", put64(e1.off, 65), ErrChecksum, "header checksum"},
		{"payload byte changed", flip(l.payloadStart), ErrChecksum, "payload checksum at byte " + strconv.Itoa(l.payloadEnd)},
		{"payload gap changed", set(payloadB-1, 1), ErrChecksum, "payload checksum"},
		{"payload checksum changed", flip(len(valid) - 1), ErrChecksum, "payload checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.corrupt(bytes.Clone(valid))
			b, err := Read(data)
			if err == nil {
				t.Fatalf("Read succeeded, want error %q (bundle %+v)", tt.msg, b.Manifest)
			}
			t.Log(err)
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %q is not %q", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "bundle: ") {
				t.Errorf("error %q does not start with %q", err, "bundle: ")
			}
		})
	}
}

func TestReadTruncated(t *testing.T) {
	m, tensors := sample()
	valid := write(t, m, tensors)
	for n := range len(valid) {
		_, err := Read(valid[:n])
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("Read of the first %d of %d bytes: error %v, want %v", n, len(valid), err, ErrTruncated)
		}
	}
	l := locate(t, valid)
	for _, tt := range []struct {
		n   int
		msg string
	}{
		{4, "input is 4 bytes, the header alone is 32"},
		{headerLen, "manifest ends at byte"},
		{l.manifestEnd + 1, "tensor table ends at byte"},
		{l.tableEnd + 2, "header checksum ends at byte"},
		{l.payloadStart - 1, "padding before the payload ends at byte"},
		{l.payloadStart + 1, "payload starts at byte"},
		{len(valid) - 1, "payload checksum ends at byte"},
	} {
		_, err := Read(valid[:tt.n])
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Read of the first %d bytes: error %v, want it to contain %q", tt.n, err, tt.msg)
		}
	}
}

func TestWriteRejects(t *testing.T) {
	m, good := sample()
	f32 := func(name string, shape []int, values ...float32) TensorData {
		return TensorData{Name: name, Shape: shape, DType: Float32, Values: values}
	}
	f16 := func(name string, shape []int, values ...float32) TensorData {
		return TensorData{Name: name, Shape: shape, DType: Float16, Values: values}
	}
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	tests := []struct {
		name     string
		manifest Manifest
		tensors  []TensorData
		msg      string
	}{
		{"no manifest name", Manifest{}, nil, `manifest "name" is empty`},
		{"bad raw JSON", Manifest{Name: "x", Model: json.RawMessage(`{`)}, nil, "encoding manifest"},
		{"empty name", m, []TensorData{f32("", []int{1}, 1)}, "empty name"},
		{"name too long", m, []TensorData{f32(strings.Repeat("x", 257), []int{1}, 1)}, "is 257 bytes"},
		{"name not UTF-8", m, []TensorData{f32("a\xff", []int{1}, 1)}, `"a\xff" is not valid UTF-8`},
		{"duplicate names", m, []TensorData{good[0], good[1], good[0]}, `duplicate tensor name "a.w"`},
		{"unknown dtype", m, []TensorData{{Name: "x", Shape: []int{1}, DType: 3, Values: []float32{1}}}, `tensor "x" has unknown dtype dtype(3)`},
		{"rank 0", m, []TensorData{f32("x", nil)}, `tensor "x" has rank 0`},
		{"rank 9", m, []TensorData{f32("x", []int{1, 1, 1, 1, 1, 1, 1, 1, 1}, 1)}, `tensor "x" has rank 9`},
		{"dim zero", m, []TensorData{f32("x", []int{2, 0})}, `tensor "x" has dim 1 = 0`},
		{"dim negative", m, []TensorData{f32("x", []int{-1}, 1)}, `tensor "x" has dim 0 = -1`},
		{"dim huge", m, []TensorData{f32("x", []int{1 << 31}, 1)}, "dim 0 = 2147483648"},
		{"too few values", m, []TensorData{f32("x", []int{2, 2}, 1, 2, 3)}, `tensor "x" has shape [2 2] but 3 values`},
		{"too many values", m, []TensorData{f32("x", []int{2}, 1, 2, 3)}, `tensor "x" has shape [2] but 3 values`},
		{"shape product overflows", m, []TensorData{f32("x", []int{math.MaxInt32, math.MaxInt32, math.MaxInt32}, 1)}, "but 1 values"},
		{"NaN", m, []TensorData{f32("x", []int{3}, 1, nan, 2)}, `tensor "x" value 1 is NaN`},
		{"+Inf", m, []TensorData{f32("x", []int{1}, inf)}, `tensor "x" value 0 is +Inf`},
		{"-Inf float16", m, []TensorData{f16("x", []int{1}, -inf)}, `tensor "x" value 0 is -Inf`},
		{"float16 overflow", m, []TensorData{f16("h", []int{3}, 1, 2, 70000)}, `tensor "h" value 2 (70000) overflows float16`},
		{"float16 overflow after rounding", m, []TensorData{f16("h", []int{1}, -65520)}, `tensor "h" value 0 (-65520) overflows float16`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tt.manifest, tt.tensors)
			if err == nil {
				t.Fatalf("Write succeeded, want error %q", tt.msg)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

// failWriter fails once more than n bytes have been written.
type failWriter struct{ n int }

var errWrite = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		return 0, errWrite
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	m, tensors := sample()
	size := len(write(t, m, tensors))
	for _, n := range []int{0, 100, size - 10, size - 1} {
		if err := Write(&failWriter{n}, m, tensors); !errors.Is(err, errWrite) {
			t.Errorf("Write failing after %d of %d bytes: error %v, want %v", n, size, err, errWrite)
		}
	}
}

func TestFloat32s(t *testing.T) {
	m, tensors := sample()
	b, err := Read(write(t, m, tensors))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want []int
		err  string
	}{
		{"a.w", nil, ""},
		{"a.w", []int{2, 3}, ""},
		{"a.w", []int{3, 2}, `bundle: tensor "a.w" has shape [2 3], want [3 2]`},
		{"a.w", []int{6}, `bundle: tensor "a.w" has shape [2 3], want [6]`},
		{"x", nil, `bundle: missing required tensor "x"`},
	}
	for _, tt := range tests {
		values, err := b.Float32s(tt.name, tt.want...)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("Float32s(%q, %v): %v", tt.name, tt.want, err)
		case tt.err == "" && len(values) != 6:
			t.Errorf("Float32s(%q, %v) returned %d values, want 6", tt.name, tt.want, len(values))
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("Float32s(%q, %v) error = %v, want %q", tt.name, tt.want, err, tt.err)
		}
	}
	a, _ := b.Tensor("a.w")
	if err := a.DecodeInto(make([]float32, 5)); err == nil || !strings.Contains(err.Error(), `tensor "a.w" has 6 elements, destination has 5`) {
		t.Errorf("DecodeInto with a short slice: error %v", err)
	}
	var zero Tensor
	if zero.Len() != 0 || len(zero.Float32s()) != 0 {
		t.Errorf("zero Tensor: Len %d, Float32s %v", zero.Len(), zero.Float32s())
	}
}

func FuzzRead(f *testing.F) {
	m, tensors := sample()
	valid := write(f, m, tensors)
	l := locate(f, valid)
	f.Add(valid)
	f.Add(write(f, Manifest{Name: "x"}, nil))
	f.Add(write(f, Manifest{Name: "y"}, tensors[1:2]))
	f.Add(valid[:len(valid)-1])
	f.Add(valid[:l.payloadStart])
	f.Add([]byte(Magic))
	f.Add([]byte{})
	for _, at := range []int{8, 12, 16, 20, 24, l.entries[1].start, l.entries[1].rank, l.entries[1].dims, l.entries[2].off, l.payloadStart} {
		b := bytes.Clone(valid)
		b[at] ^= 0x80
		f.Add(b)
	}
	for at, v := range map[int]uint32{12: maxManifestLen + 1, 16: maxTensors + 1, 20: maxTableLen + 1} {
		b := bytes.Clone(valid)
		le.PutUint32(b[at:], v)
		f.Add(b)
	}
	broken := bytes.Clone(valid)
	broken[headerLen] = '[' // the manifest's JSON, under a checksum that no longer matches
	f.Add(broken)
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, data)
		headerFirst(t, data)
		if sealed, ok := reseal(data); ok {
			roundTrip(t, sealed)
		}
	})
}

// headerFirst checks that when the header alone, as ReadFile reads it
// before the rest, is refused, Read refuses the whole input the same way.
func headerFirst(t *testing.T, data []byte) {
	_, headErr := readHeader(data[:min(len(data), headerLen)], uint64(len(data)))
	if headErr == nil {
		return
	}
	if _, err := Read(data); err == nil || err.Error() != headErr.Error() {
		t.Fatalf("the header alone gives %v, the whole input %v", headErr, err)
	}
}

// roundTrip checks that if Read accepts data, every tensor decodes and
// writing the result back gives a bundle with the same content.
func roundTrip(t *testing.T, data []byte) {
	b, err := Read(data)
	if err != nil {
		return
	}
	var out []TensorData
	for _, tensor := range b.Tensors() {
		out = append(out, TensorData{Name: tensor.Name, Shape: tensor.Shape, DType: tensor.DType, Values: tensor.Float32s()})
	}
	var buf bytes.Buffer
	if err := Write(&buf, b.Manifest, out); err != nil {
		t.Fatalf("Read accepted a bundle that Write rejects: %v", err)
	}
	b2, err := Read(buf.Bytes())
	if err != nil {
		t.Fatalf("Read of rewritten bundle: %v", err)
	}
	j1, _ := json.Marshal(b.Manifest)
	j2, _ := json.Marshal(b2.Manifest)
	if !bytes.Equal(j1, j2) {
		t.Fatalf("manifest changed: %s, then %s", j1, j2)
	}
	t1, t2 := b.Tensors(), b2.Tensors()
	if len(t1) != len(t2) {
		t.Fatalf("%d tensors, then %d", len(t1), len(t2))
	}
	for i := range t1 {
		if t1[i].Name != t2[i].Name || t1[i].DType != t2[i].DType || !slices.Equal(t1[i].Shape, t2[i].Shape) || !bytes.Equal(t1[i].raw, t2[i].raw) {
			t.Fatalf("tensor %d changed: %q %v %v, then %q %v %v", i, t1[i].Name, t1[i].DType, t1[i].Shape, t2[i].Name, t2[i].DType, t2[i].Shape)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	values := make([]float32, 1<<20)
	for i := range values {
		values[i] = float32(i%1000) / 1000
	}
	data := write(b, Manifest{Name: "bench"}, []TensorData{
		{Name: "f16", Shape: []int{1024, 1024}, DType: Float16, Values: values},
		{Name: "f32", Shape: []int{1024, 1024}, DType: Float32, Values: values},
	})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Read(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFloat16TableMatchesConversion(t *testing.T) {
	table := float16Table()
	for h := range 1 << 16 {
		want := float16.Frombits(uint16(h)).Float32()
		if math.Float32bits(table[h]) != math.Float32bits(want) {
			t.Fatalf("0x%04x: table %v, conversion %v", h, table[h], want)
		}
	}
}

func TestAllFiniteFloat16(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := rng.IntN(40)
		raw := make([]byte, 2*n)
		for i := 0; i < n; i++ {
			h := uint16(rng.Uint32())
			if rng.IntN(3) > 0 {
				h &^= 0x4000 // mostly finite
			}
			if trial%7 == 0 {
				h = []uint16{0x7C00, 0xFC00, 0x7E00, 0x7BFF, 0x0000, 0x8000, 0x0400, 0x7C01}[rng.IntN(8)]
			}
			le.PutUint16(raw[2*i:], h)
		}
		want := true
		for i := 0; i < n; i++ {
			if !float16.Frombits(le.Uint16(raw[2*i:])).IsFinite() {
				want = false
			}
		}
		if got := allFiniteFloat16(raw); got != want {
			t.Fatalf("trial %d: allFiniteFloat16(% x) = %v, want %v", trial, raw, got, want)
		}
	}
}
