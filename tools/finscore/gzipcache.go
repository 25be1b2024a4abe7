package main

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"errors"
	"io"
	"io/fs"
	"sync"
	"time"
)

// gzipCache keeps gzipped copies of the site's files, made on a file's
// first request (or by site.warm) and again when the file changes, so that
// the engine (6.6 MB, 1.9 MB gzipped) is compressed once, not on every
// visit. Its memory is bounded: a file over maxFile bytes is never
// compressed; one file at a time is, read as a stream; a copy that is not
// smaller than its file is dropped (the file goes as it is, and the cache
// keeps only a note of that); and copies are let go, least recently used
// first, to keep the total at most maxBytes.
type gzipCache struct {
	maxFile, maxBytes int64
	work              chan struct{} // holds a token while a file is compressed

	mu      sync.Mutex
	entries map[string]*list.Element // of *gzipEntry, by name
	recent  list.List                // most recently used first
	bytes   int64                    // what the entries take, by gzipEntry.cost
}

// gzipEntry is one file's compressed copy, for the file as it was when
// made.
type gzipEntry struct {
	name    string
	modTime time.Time
	size    int64
	data    []byte // nil: gzip does not make the file smaller
}

// entryOverhead is about what an entry takes besides its name and data
// (map slot, list element, the entry itself). Counting it bounds the
// memory of many notes of files not worth compressing, too.
const entryOverhead = 128

func (e *gzipEntry) cost() int64 { return entryOverhead + int64(len(e.name)+len(e.data)) }

func newGzipCache(maxFile, maxBytes int64) *gzipCache {
	return &gzipCache{maxFile: maxFile, maxBytes: maxBytes, work: make(chan struct{}, 1), entries: map[string]*list.Element{}}
}

// get returns the gzipped bytes of the file called name, as info
// describes it now and f reads it, or nil if it is to be sent as it is.
// A compression in progress makes the caller wait, or give up when ctx
// ends.
func (c *gzipCache) get(ctx context.Context, name string, info fs.FileInfo, f io.Reader) ([]byte, error) {
	if info.Size() > c.maxFile {
		return nil, nil
	}
	if e, ok := c.lookup(name, info); ok {
		return e.data, nil
	}
	select {
	case c.work <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.work }()
	if e, ok := c.lookup(name, info); ok {
		return e.data, nil // made while this caller waited
	}
	data, err := compress(f, info.Size())
	if err != nil {
		return nil, err
	}
	c.add(&gzipEntry{name: name, modTime: info.ModTime(), size: info.Size(), data: data})
	return data, nil
}

// lookup returns the entry for name if it is of the file as info
// describes it.
func (c *gzipCache) lookup(name string, info fs.FileInfo) (*gzipEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[name]
	if !ok {
		return nil, false
	}
	e := el.Value.(*gzipEntry)
	if !e.modTime.Equal(info.ModTime()) || e.size != info.Size() {
		return nil, false
	}
	c.recent.MoveToFront(el)
	return e, true
}

// add keeps e, in place of any older entry for its file, and lets the
// least recently used entries go until the total fits.
func (c *gzipCache) add(e *gzipEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[e.name]; ok {
		c.remove(old)
	}
	c.entries[e.name] = c.recent.PushFront(e)
	c.bytes += e.cost()
	for c.bytes > c.maxBytes && c.recent.Len() > 0 {
		c.remove(c.recent.Back())
	}
}

func (c *gzipCache) remove(el *list.Element) {
	e := c.recent.Remove(el).(*gzipEntry)
	delete(c.entries, e.name)
	c.bytes -= e.cost()
}

// size returns the bytes the cache holds, by gzipEntry.cost.
func (c *gzipCache) size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// errNotSmaller stops a compression whose output has reached its input's
// size.
var errNotSmaller = errors.New("gzip: not smaller")

// compress gzips the size bytes of r, or returns nil if the result would
// not be smaller.
func compress(r io.Reader, size int64) ([]byte, error) {
	out := &cappedBuffer{max: int(size - 1)}
	gz := gzip.NewWriter(out)
	_, err := io.CopyN(gz, r, size)
	if err == nil {
		err = gz.Close()
	}
	switch {
	case errors.Is(err, errNotSmaller):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return out.buf.Bytes(), nil
}

// cappedBuffer takes at most max bytes, and fails with errNotSmaller
// beyond.
type cappedBuffer struct {
	buf bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.max {
		return 0, errNotSmaller
	}
	return b.buf.Write(p)
}
