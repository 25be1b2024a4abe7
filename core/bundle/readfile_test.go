package bundle

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	m, tensors := sample()
	valid := write(t, m, tensors)
	dir := t.TempDir()
	path := filepath.Join(dir, "model.fsb")
	if err := os.WriteFile(path, valid, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Manifest.Name != "test" || len(b.Tensors()) != 3 {
		t.Errorf("ReadFile gave %q with %d tensors", b.Manifest.Name, len(b.Tensors()))
	}

	if _, err := ReadFile(filepath.Join(dir, "missing.fsb")); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.fsb") {
		t.Errorf("missing file: error %v, want one naming the file and wrapping fs.ErrNotExist", err)
	}

	bad := bytes.Clone(valid)
	bad[len(bad)-1] ^= 1
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(path)
	if !errors.Is(err, ErrChecksum) || !strings.HasPrefix(err.Error(), path+": bundle: checksum mismatch") {
		t.Errorf("damaged file: error %v, want a checksum mismatch prefixed with the path", err)
	}
}

// TestReadFileChecksHeaderFirst gives ReadFile large sparse files whose
// headers are wrong for them: it must refuse each without reading the rest
// of the file, that is without allocating anything near its size.
func TestReadFileChecksHeaderFirst(t *testing.T) {
	m, tensors := sample()
	valid := write(t, m, tensors)
	const size = 300 << 20
	for _, tt := range []struct {
		name    string
		size    int64
		corrupt func([]byte)
		kind    error
		msg     string
	}{
		{"manifest over the limit", size, func(b []byte) { le.PutUint32(b[12:], 34<<20) }, ErrManifest, "manifest length 35651584 (at byte 12) out of range"},
		{"too many tensors", size, func(b []byte) { le.PutUint32(b[16:], 2_000_000) }, ErrTable, "tensor count 2000000 (at byte 16) is more than the limit"},
		{"payload shorter than the file", size, func([]byte) {}, ErrTrailing, "input is 314572800 bytes"},
		{"larger than MaxSize", MaxSize + 1, func([]byte) {}, ErrTooLarge, "more than the limit of 536870912"},
		{"not a bundle", size, func(b []byte) { b[0] = '{' }, ErrMagic, "not a finscore bundle"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "big.fsb")
			head := bytes.Clone(valid)
			tt.corrupt(head)
			if err := os.WriteFile(path, head, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, tt.size); err != nil { // sparse: no disk used
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadFile(path)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v, want %v containing %q", err, tt.kind, tt.msg)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("refusing a %d-byte file allocated %d bytes", tt.size, alloc)
			}
		})
	}
}

// TestReadFileAgreesWithRead checks that reading a file gives what Read
// gives for its bytes, for valid, damaged and truncated bundles.
func TestReadFileAgreesWithRead(t *testing.T) {
	m, tensors := sample()
	valid := write(t, m, tensors)
	l := locate(t, valid)
	path := filepath.Join(t.TempDir(), "x.fsb")
	for _, data := range [][]byte{valid, valid[:l.payloadStart], valid[:5], {}, append(bytes.Clone(valid), 0)} {
		checkReadFile(t, path, data)
	}
}

// checkReadFile writes data to path and checks that ReadFile and Read agree
// on it: the same manifest, or the same error after the path.
func checkReadFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want, wantErr := Read(data)
	got, err := ReadFile(path)
	switch {
	case wantErr != nil && (err == nil || err.Error() != path+": "+wantErr.Error()):
		t.Fatalf("ReadFile error %v, Read error %v", err, wantErr)
	case wantErr == nil && err != nil:
		t.Fatalf("ReadFile error %v, Read succeeded", err)
	case wantErr == nil && (got.Manifest.Name != want.Manifest.Name || len(got.Tensors()) != len(want.Tensors())):
		t.Fatalf("ReadFile read %q with %d tensors, Read %q with %d", got.Manifest.Name, len(got.Tensors()), want.Manifest.Name, len(want.Tensors()))
	}
}

func TestWriteRejectsTooManyTensors(t *testing.T) {
	m, _ := sample()
	tensors := make([]TensorData, maxTensors+1)
	for i := range tensors {
		tensors[i] = TensorData{Name: "t" + strconv.Itoa(i), Shape: []int{1}, DType: Float32, Values: []float32{1}}
	}
	var buf bytes.Buffer
	if err := Write(&buf, m, tensors); err == nil || !strings.Contains(err.Error(), "4097 tensors, more than the limit of 4096") {
		t.Errorf("Write of %d tensors: error %v", len(tensors), err)
	}
	if err := Write(&buf, m, tensors[:maxTensors]); err != nil {
		t.Errorf("Write of %d tensors: %v", maxTensors, err)
	}
	if _, err := Read(buf.Bytes()); err != nil {
		t.Errorf("Read of %d tensors: %v", maxTensors, err)
	}
}
