package bundle

import (
	"fmt"
	"io"
	"os"
)

// ReadFile reads the bundle file at path and checks it as Read does. It
// reads the header first and checks it against the file's size, so a file
// that is not a bundle, is larger than MaxSize, or whose header does not
// agree with its size is refused without being read. Errors from Read are
// prefixed with the path; errors opening or reading the file are the os
// package's, which name it.
func ReadFile(path string) (*Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var data []byte
	if info.Mode().IsRegular() {
		data, err = readSized(f, info.Size())
	} else { // a pipe or a device: its size is not known in advance
		data, err = io.ReadAll(io.LimitReader(f, MaxSize+1))
	}
	if err != nil {
		return nil, inFile(path, err)
	}
	b, err := Read(data)
	if err != nil {
		return nil, inFile(path, err)
	}
	return b, nil
}

// readSized reads a file of the given size, checking its header before
// allocating room for the rest.
func readSized(f *os.File, size int64) ([]byte, error) {
	head := make([]byte, min(size, headerLen))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, err
	}
	if _, err := readHeader(head, uint64(size)); err != nil {
		return nil, err
	}
	data := make([]byte, size)
	copy(data, head)
	if _, err := io.ReadFull(f, data[len(head):]); err != nil {
		return nil, err
	}
	return data, nil
}

// inFile prefixes a bundle error with the file's path; os errors already
// name it.
func inFile(path string, err error) error {
	if _, ok := err.(*os.PathError); ok {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}
