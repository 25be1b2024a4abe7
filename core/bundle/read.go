package bundle

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
	"unicode/utf8"

	"github.com/x448/float16"
)

var le = binary.LittleEndian

// Read parses and validates a bundle: its header, both checksums, tensor
// table, padding and manifest, and that every element is finite. Any
// problem is reported as an error wrapping one of the Err values, naming the
// byte offset and, where there is one, the tensor. Read never panics.
//
// Read checks the cheap things first: the header's sizes and counts against
// the input's length and the limits, then both checksums, and only then
// parses the table and the manifest (see the package documentation).
//
// Read does not copy the tensors' elements: the returned Bundle refers to
// data, which must not be modified while the Bundle is in use.
func Read(data []byte) (*Bundle, error) {
	s, err := readHeader(data, uint64(len(data)))
	if err != nil {
		return nil, err
	}

	// Checksums, before anything is parsed: damage reads as damage, not as
	// whatever the damaged bytes happen to look like.
	if err := checkSum("header", data, 0, s.tableEnd); err != nil {
		return nil, err
	}
	if err := checkSum("payload", data, s.payloadStart, s.payloadEnd); err != nil {
		return nil, err
	}

	// Table, padding and manifest.
	tensors, err := parseTable(data[s.manifestEnd:s.tableEnd], s.count, s.manifestEnd, data[s.payloadStart:s.payloadEnd], s.payloadStart)
	if err != nil {
		return nil, err
	}
	for i := s.tableEnd + checksumLen; i < s.payloadStart; i++ {
		if data[i] != 0 {
			return nil, formatErr(ErrPayload, "padding byte at %d is 0x%02x, want 0", i, data[i])
		}
	}
	m, err := parseManifest(data[headerLen:s.manifestEnd])
	if err != nil {
		return nil, err
	}

	// Elements.
	b := &Bundle{Manifest: m, tensors: tensors, byName: make(map[string]*Tensor, len(tensors))}
	for _, t := range tensors {
		if err := checkFinite(t); err != nil {
			return nil, err
		}
		b.byName[t.Name] = t
	}
	return b, nil
}

// sections holds what a checked header says: the tensor count and the
// sections' boundaries as file offsets.
type sections struct {
	count                                           int
	manifestEnd, tableEnd, payloadStart, payloadEnd uint64
}

// readHeader checks the fixed header at the start of head against the
// limits and against size, the length of the whole input, of which head is
// the first min(size, headerLen) bytes or more. It allocates nothing.
func readHeader(head []byte, size uint64) (sections, error) {
	var s sections
	if size == 0 {
		return s, formatErr(ErrTruncated, "empty input")
	}
	if n := min(len(head), len(Magic)); string(head[:n]) != Magic[:n] {
		return s, formatErr(ErrMagic, "input starts with %q, want %q", head[:n], Magic)
	}
	if size > MaxSize {
		return s, formatErr(ErrTooLarge, "input is %d bytes, more than the limit of %d", size, MaxSize)
	}
	if size < headerLen || len(head) < headerLen {
		return s, formatErr(ErrTruncated, "input is %d bytes, the header alone is %d", size, headerLen)
	}
	if v := le.Uint32(head[8:]); v != Version {
		return s, formatErr(ErrVersion, "format version %d (at byte 8), this package reads version %d", v, Version)
	}
	manifestLen := uint64(le.Uint32(head[12:]))
	count := uint64(le.Uint32(head[16:]))
	tableLen := uint64(le.Uint32(head[20:]))
	payloadLen := le.Uint64(head[24:])
	if manifestLen < 2 || manifestLen > maxManifestLen {
		return s, formatErr(ErrManifest, "manifest length %d (at byte 12) out of range [2, %d]", manifestLen, maxManifestLen)
	}
	if count > maxTensors {
		return s, formatErr(ErrTable, "tensor count %d (at byte 16) is more than the limit of %d", count, maxTensors)
	}
	if tableLen > maxTableLen {
		return s, formatErr(ErrTable, "tensor table length %d (at byte 20) is more than %d, the most %d entries need", tableLen, maxTableLen, maxTensors)
	}

	// Section boundaries, checked against the input's size. The lengths before
	// the payload are below 2³², so these sums cannot overflow; the payload
	// length is compared with the room left before it is added.
	s.count = int(count)
	s.manifestEnd = headerLen + manifestLen
	s.tableEnd = s.manifestEnd + tableLen
	headerSumEnd := s.tableEnd + checksumLen
	s.payloadStart = alignUp(headerSumEnd)
	for _, b := range []struct {
		name string
		end  uint64
	}{
		{"manifest", s.manifestEnd},
		{"tensor table", s.tableEnd},
		{"header checksum", headerSumEnd},
		{"padding before the payload", s.payloadStart},
	} {
		if size < b.end {
			return s, formatErr(ErrTruncated, "input is %d bytes, but the %s ends at byte %d", size, b.name, b.end)
		}
	}
	if payloadLen > size-s.payloadStart {
		return s, formatErr(ErrTruncated, "input is %d bytes, but the payload starts at byte %d and is %d bytes (at byte 24)", size, s.payloadStart, payloadLen)
	}
	s.payloadEnd = s.payloadStart + payloadLen
	end := s.payloadEnd + checksumLen
	if size < end {
		return s, formatErr(ErrTruncated, "input is %d bytes, but the payload checksum ends at byte %d", size, end)
	}
	if size > end {
		return s, formatErr(ErrTrailing, "input is %d bytes, but the payload checksum ends at byte %d", size, end)
	}
	if count > tableLen/minEntryLen {
		return s, formatErr(ErrTable, "tensor count %d (at byte 16) cannot fit in a %d-byte table; an entry is at least %d bytes", count, tableLen, minEntryLen)
	}
	return s, nil
}

// parseManifest decodes the manifest, which starts at byte headerLen.
func parseManifest(raw []byte) (Manifest, error) {
	var m Manifest
	if !utf8.Valid(raw) {
		return m, formatErr(ErrManifest, "bytes [%d, %d) are not valid UTF-8", headerLen, headerLen+len(raw))
	}
	err := json.Unmarshal(raw, &m)
	if syn := (*json.SyntaxError)(nil); errors.As(err, &syn) {
		return m, formatErr(ErrManifest, "not valid JSON: %v (near byte %d)", syn, headerLen+syn.Offset)
	}
	if trimmed := bytes.TrimLeft(raw, " \t\r\n"); len(trimmed) == 0 || trimmed[0] != '{' {
		return m, formatErr(ErrManifest, "not a JSON object (bytes [%d, %d))", headerLen, headerLen+len(raw))
	}
	if err != nil {
		return m, formatErr(ErrManifest, "%v", err)
	}
	if m.Name == "" {
		return m, formatErr(ErrManifest, `missing or empty "name"`)
	}
	return m, nil
}

// parseTable decodes count entries from table, which starts at file offset
// base, and points each tensor at its bytes in payload, which starts at file
// offset payloadStart.
func parseTable(table []byte, count int, base uint64, payload []byte, payloadStart uint64) ([]*Tensor, error) {
	payloadLen := uint64(len(payload))
	tensors := make([]*Tensor, 0, count) // count ≤ len(table)/minEntryLen
	index := make(map[string]int, count)
	pos := 0
	next := func(n int) []byte {
		if n > len(table)-pos {
			return nil
		}
		b := table[pos : pos+n]
		pos += n
		return b
	}
	var prevEnd uint64
	var prevName string
	for i := range count {
		at := base + uint64(pos)
		short := func(what string) error {
			return formatErr(ErrTable, "entry %d at byte %d: the table ends at byte %d, before the entry's %s", i, at, base+uint64(len(table)), what)
		}
		b := next(2)
		if b == nil {
			return nil, short("name length")
		}
		nameLen := int(le.Uint16(b))
		if nameLen < 1 || nameLen > maxNameLen {
			return nil, formatErr(ErrTable, "entry %d at byte %d: name length %d out of range [1, %d]", i, at, nameLen, maxNameLen)
		}
		if b = next(nameLen); b == nil {
			return nil, short("name")
		}
		if !utf8.Valid(b) {
			return nil, formatErr(ErrTable, "entry %d at byte %d: name %q is not valid UTF-8", i, at, b)
		}
		name := string(b)
		if j, dup := index[name]; dup {
			return nil, formatErr(ErrTable, "entry %d at byte %d: duplicate tensor name %q (also entry %d)", i, at, name, j)
		}
		index[name] = i

		// From here on, errors name the tensor.
		bad := func(format string, args ...any) error {
			return formatErr(ErrTable, "tensor %q (entry %d at byte %d): %s", name, i, at, fmt.Sprintf(format, args...))
		}
		if b = next(2); b == nil {
			return nil, short("dtype and rank")
		}
		dtype, rank := DType(b[0]), int(b[1])
		if dtype.Size() == 0 {
			return nil, bad("unknown dtype %d", b[0])
		}
		if rank < 1 || rank > maxRank {
			return nil, bad("rank %d out of range [1, %d]", rank, maxRank)
		}
		if b = next(4 * rank); b == nil {
			return nil, short("dims")
		}
		shape := make([]int, rank)
		elems, overflow := uint64(1), false
		for k := range shape {
			d := le.Uint32(b[4*k:])
			if d < 1 || d > maxDim {
				return nil, bad("dim %d is %d, want 1 to %d", k, d, maxDim)
			}
			shape[k] = int(d)
			hi, lo := bits.Mul64(elems, uint64(d))
			overflow = overflow || hi != 0
			elems = lo
		}
		if b = next(16); b == nil {
			return nil, short("offset and length")
		}
		off, length := le.Uint64(b), le.Uint64(b[8:])
		hi, want := bits.Mul64(elems, uint64(dtype.Size()))
		if overflow || hi != 0 {
			return nil, bad("shape %v overflows: more than 2⁶⁴ bytes of %v", shape, dtype)
		}
		if length != want {
			return nil, bad("byte length %d, want %d for shape %v of %v", length, want, shape, dtype)
		}
		if off%Alignment != 0 {
			return nil, bad("payload offset %d is not a multiple of %d", off, Alignment)
		}
		if off > payloadLen || length > payloadLen-off {
			return nil, bad("%d bytes at payload offset %d run past the end of the %d-byte payload", length, off, payloadLen)
		}
		if off < prevEnd {
			return nil, bad("payload offset %d overlaps tensor %q, which ends at payload offset %d", off, prevName, prevEnd)
		}
		prevEnd, prevName = off+length, name
		tensors = append(tensors, &Tensor{
			Name:   name,
			Shape:  shape,
			DType:  dtype,
			offset: int64(payloadStart + off),
			raw:    payload[off : off+length],
		})
	}
	if pos != len(table) {
		return nil, formatErr(ErrTable, "table is %d bytes (at byte 20), but its %d entries end after %d, at byte %d", len(table), count, pos, base+uint64(pos))
	}
	return tensors, nil
}

// checkSum compares the CRC-32C of data[start:end] with the one stored at end.
// The caller has checked that data holds 4 bytes past end.
func checkSum(what string, data []byte, start, end uint64) error {
	stored := le.Uint32(data[end:])
	if sum := crc32.Checksum(data[start:end], castagnoli); sum != stored {
		return formatErr(ErrChecksum, "%s checksum at byte %d is 0x%08x, but bytes [%d, %d) sum to 0x%08x", what, end, stored, start, end, sum)
	}
	return nil
}

// checkFinite reports the first NaN or infinite element of t.
func checkFinite(t *Tensor) error {
	if t.DType == Float16 && allFiniteFloat16(t.raw) {
		return nil // the common case, checked fast; otherwise find the element
	}
	size := t.DType.Size()
	for i := 0; i+size <= len(t.raw); i += size {
		var v float32
		switch t.DType {
		case Float16:
			h := float16.Frombits(le.Uint16(t.raw[i:]))
			if h.IsFinite() {
				continue
			}
			v = h.Float32()
		case Float32:
			v = math.Float32frombits(le.Uint32(t.raw[i:]))
			if !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) {
				continue
			}
		}
		return formatErr(ErrPayload, "tensor %q element %d (at byte %d) is %v", t.Name, i/size, t.offset+int64(i), v)
	}
	return nil
}

// allFiniteFloat16 tells whether no float16 in raw has an all-ones exponent
// (infinity or NaN). It tests four values at a time: a lane of x&exp equals
// exp exactly when that value's exponent is all ones, and the XOR turns such
// a lane into zero, which the usual has-a-zero-lane test finds.
func allFiniteFloat16(raw []byte) bool {
	const (
		exp  = 0x7C007C007C007C00
		ones = 0x0001000100010001
		high = 0x8000800080008000
	)
	i := 0
	for ; i+8 <= len(raw); i += 8 {
		z := le.Uint64(raw[i:])&exp ^ exp
		if (z-ones)&^z&high != 0 {
			return false
		}
	}
	for ; i+2 <= len(raw); i += 2 {
		if le.Uint16(raw[i:])&0x7C00 == 0x7C00 {
			return false
		}
	}
	return true
}
