package bundle

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"unicode/utf8"

	"github.com/x448/float16"
)

// Write encodes a bundle. It validates before writing anything: non-empty unique names, positive dims,
// len(Values) == product(Shape), and values that are finite and representable in DType (a float32 value
// whose float16 conversion overflows to ±Inf is an error naming the tensor and index; NaN/Inf input is an error).
//
// Float16 values are rounded to the nearest half, ties to even. Tensors are
// stored in the order given. The same input always gives the same bytes.
func Write(w io.Writer, m Manifest, tensors []TensorData) error {
	if m.Name == "" {
		return fmt.Errorf(`bundle: manifest "name" is empty`)
	}
	manifest, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("bundle: encoding manifest: %w", err)
	}
	if len(manifest) > maxManifestLen {
		return fmt.Errorf("bundle: manifest is %d bytes of JSON, more than the limit of %d", len(manifest), maxManifestLen)
	}

	if len(tensors) > maxTensors {
		return fmt.Errorf("bundle: %d tensors, more than the limit of %d", len(tensors), maxTensors)
	}

	// Validate every tensor and lay out the table and the payload.
	var table []byte
	offsets := make([]uint64, len(tensors))
	seen := make(map[string]bool, len(tensors))
	var payloadLen uint64
	for i, t := range tensors {
		if err := validate(t, seen); err != nil {
			return err
		}
		off := alignUp(payloadLen)
		n := uint64(len(t.Values)) * uint64(t.DType.Size())
		table = le.AppendUint16(table, uint16(len(t.Name)))
		table = append(table, t.Name...)
		table = append(table, byte(t.DType), byte(len(t.Shape)))
		for _, d := range t.Shape {
			table = le.AppendUint32(table, uint32(d))
		}
		table = le.AppendUint64(table, off)
		table = le.AppendUint64(table, n)
		offsets[i] = off
		payloadLen = off + n
	}
	// The table is at most maxTableLen long: each entry's name and rank
	// were checked. The payload's length was summed without overflow:
	// each tensor's values are a slice in memory.
	if size := alignUp(headerLen+uint64(len(manifest)+len(table)+checksumLen)) + payloadLen + checksumLen; size > MaxSize {
		return fmt.Errorf("bundle: the bundle would be %d bytes, more than the limit of %d", size, MaxSize)
	}

	// Header, manifest, table, header checksum and padding.
	head := make([]byte, 0, headerLen+len(manifest)+len(table)+checksumLen+Alignment)
	head = append(head, Magic...)
	head = le.AppendUint32(head, Version)
	head = le.AppendUint32(head, uint32(len(manifest)))
	head = le.AppendUint32(head, uint32(len(tensors))) // ≤ len(table)/minEntryLen
	head = le.AppendUint32(head, uint32(len(table)))
	head = le.AppendUint64(head, payloadLen)
	head = append(head, manifest...)
	head = append(head, table...)
	head = le.AppendUint32(head, crc32.Checksum(head, castagnoli))
	for len(head)%Alignment != 0 {
		head = append(head, 0)
	}
	if _, err := w.Write(head); err != nil {
		return err
	}

	// Payload and its checksum.
	p := payloadWriter{w: w, buf: make([]byte, 0, 64<<10)}
	for i, t := range tensors {
		for p.n < offsets[i] {
			p.put(0)
		}
		switch t.DType {
		case Float16:
			for _, v := range t.Values {
				p.put16(float16.Fromfloat32(v).Bits())
			}
		case Float32:
			for _, v := range t.Values {
				p.put32(math.Float32bits(v))
			}
		}
	}
	p.flush()
	if p.err != nil {
		return p.err
	}
	_, err = w.Write(le.AppendUint32(nil, p.crc))
	return err
}

// validate checks one tensor for Write, and records its name in seen.
func validate(t TensorData, seen map[string]bool) error {
	switch {
	case t.Name == "":
		return fmt.Errorf("bundle: tensor with shape %v has an empty name", t.Shape)
	case len(t.Name) > maxNameLen:
		return fmt.Errorf("bundle: tensor name %.20q... is %d bytes, more than the limit of %d", t.Name, len(t.Name), maxNameLen)
	case !utf8.ValidString(t.Name):
		return fmt.Errorf("bundle: tensor name %q is not valid UTF-8", t.Name)
	case seen[t.Name]:
		return fmt.Errorf("bundle: duplicate tensor name %q", t.Name)
	case t.DType.Size() == 0:
		return fmt.Errorf("bundle: tensor %q has unknown dtype %v", t.Name, t.DType)
	case len(t.Shape) < 1 || len(t.Shape) > maxRank:
		return fmt.Errorf("bundle: tensor %q has rank %d, want 1 to %d", t.Name, len(t.Shape), maxRank)
	}
	seen[t.Name] = true
	for k, d := range t.Shape {
		if d < 1 || d > maxDim {
			return fmt.Errorf("bundle: tensor %q has dim %d = %d in shape %v, want 1 to %d", t.Name, k, d, t.Shape, maxDim)
		}
	}
	n := 1
	for _, d := range t.Shape {
		if d > len(t.Values)/n { // n*d > len(t.Values), without overflow
			return fmt.Errorf("bundle: tensor %q has shape %v but %d values", t.Name, t.Shape, len(t.Values))
		}
		n *= d
	}
	if n != len(t.Values) {
		return fmt.Errorf("bundle: tensor %q has shape %v but %d values", t.Name, t.Shape, len(t.Values))
	}
	for i, v := range t.Values {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("bundle: tensor %q value %d is %v", t.Name, i, v)
		}
		if t.DType == Float16 && float16.Fromfloat32(v).IsInf(0) {
			return fmt.Errorf("bundle: tensor %q value %d (%v) overflows float16, whose largest finite value is 65504", t.Name, i, v)
		}
	}
	return nil
}

// payloadWriter writes the payload through a buffer, keeping count of its
// bytes and their CRC-32C. After a write error it only counts.
type payloadWriter struct {
	w   io.Writer
	buf []byte
	n   uint64 // bytes put so far
	crc uint32
	err error
}

// room flushes the buffer if it has no room for n more bytes.
func (p *payloadWriter) room(n int) {
	if len(p.buf)+n > cap(p.buf) {
		p.flush()
	}
}

func (p *payloadWriter) put(b byte) {
	p.room(1)
	p.buf = append(p.buf, b)
	p.n++
}

func (p *payloadWriter) put16(v uint16) {
	p.room(2)
	p.buf = le.AppendUint16(p.buf, v)
	p.n += 2
}

func (p *payloadWriter) put32(v uint32) {
	p.room(4)
	p.buf = le.AppendUint32(p.buf, v)
	p.n += 4
}

func (p *payloadWriter) flush() {
	p.crc = crc32.Update(p.crc, castagnoli, p.buf)
	if p.err == nil && len(p.buf) > 0 {
		_, p.err = p.w.Write(p.buf)
	}
	p.buf = p.buf[:0]
}
