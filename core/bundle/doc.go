// Package bundle reads and writes finscore weight bundles: one file (extension
// .fsb) that holds a Transformer's weights together with a JSON manifest
// describing the model and its tokenizer.
//
// The format is meant to be parsed from a byte slice that came over the network
// (in the browser, through WebAssembly) or from disk, so [Read] checks every
// length and offset before using it and returns a descriptive error, never a
// panic, for any input. [ReadFile] reads a file, checking its header before
// reading the rest.
//
// # Layout
//
// All integers are little-endian. Offsets are from the start of the file.
// M, T and P are the manifest, table and payload lengths read from the header;
// S is the start of the payload, the first multiple of 64 at or after 36+M+T.
//
//	offset    size  field
//	------    ----  -----
//	0         8     magic "\x89FSB\r\n\x1a\n" (see below)
//	8         4     format version, uint32; this package reads and writes 1
//	12        4     manifest length M, uint32, 2 ≤ M ≤ 8 MiB
//	16        4     tensor count N, uint32, N ≤ 4096
//	20        4     tensor table length T, uint32, T ≤ 4096 × 308 (N of the longest entries)
//	24        8     payload length P, uint64
//	32        M     manifest: a UTF-8 JSON object, see [Manifest]; "name" is required
//	32+M      T     tensor table: N entries, one after another, see below
//	32+M+T    4     header checksum: CRC-32C of bytes [0, 32+M+T)
//	36+M+T    ...   zero padding up to S
//	S         P     payload: the tensors' elements
//	S+P       4     payload checksum: CRC-32C of bytes [S, S+P)
//	S+P+4           end of file; nothing may follow; at most MaxSize (512 MiB)
//
// Each tensor table entry is
//
//	size  field
//	----  -----
//	2     name length L, uint16, 1 ≤ L ≤ 256
//	L     name, UTF-8, unique within the bundle
//	1     dtype: 1 = float16, 2 = float32 (see [DType])
//	1     rank R, 1 ≤ R ≤ 8
//	4·R   dims, uint32 each, 1 ≤ dim ≤ 2³¹−1, outermost first (row-major)
//	8     offset of the tensor's first byte from S, uint64, a multiple of 64
//	8     byte length, uint64, equal to product(dims) × dtype size
//
// so the smallest entry is 25 bytes, and the header's N can be checked against
// T before anything is allocated. Tensors are stored in table order: each
// starts at or after the end of the one before it, and all lie within the
// payload. Because S is a multiple of 64, every tensor's absolute file offset
// is too, so a reader that maps the file can view the elements in place.
// Writers put zeros in the gaps; [Write] leaves no gap larger than alignment
// needs and no unused bytes at the end of the payload.
//
// Elements are little-endian IEEE 754 values in row-major order. NaN and
// infinities are not allowed in either dtype: a bundle holding one is rejected.
//
// The magic borrows PNG's trick: a byte with the high bit set catches 7-bit
// transfers, and CR LF, Ctrl-Z, LF catch line-ending translation.
//
// # Checksums
//
// Both checksums are CRC-32C (Castagnoli, [hash/crc32.Castagnoli]). They guard
// against accidental damage, such as a truncated download, a bad disk block or
// a text-mode copy, not against tampering; a deployment that needs that should
// pin the whole file with a cryptographic hash (for example Subresource
// Integrity on the page that fetches it). CRC-32C is hardware accelerated on
// amd64 and arm64 and is cheap in pure Go under WebAssembly, where SHA-256 of
// tens of megabytes would be a noticeable part of start-up time. Keeping a
// separate header checksum lets an error say whether the damage is in the
// description of the tensors or in their values.
//
// # Reading order
//
// [Read] does the cheap checks before the expensive work: first the fixed
// header, its counts and lengths against the limits above and its sections
// against the input's length (nothing is allocated, and ReadFile reads
// nothing more, until these agree); then both checksums; then the tensor
// table, the padding and the manifest's JSON; and finally that every element is
// finite. Checking the checksums before parsing means that accidental damage
// is reported as a checksum mismatch, not as whatever the damaged bytes
// happen to look like (a flipped manifest byte is not "not valid JSON"); the
// structural checks after them still catch a bundle whose checksums were
// computed over bad content.
package bundle
