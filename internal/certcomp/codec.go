// Package certcomp compresses and decompresses TLS 1.3 Certificate message
// bodies for RFC 8879 certificate compression, with a hard bound on what
// decompression may produce, and caches a server's compressed chains so
// that each is compressed once rather than once per handshake.
package certcomp

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"lucid/internal/alert"
	"lucid/internal/wire"
)

// MaxUncompressed is the largest uncompressed_length a receiver accepts:
// the decompressed Certificate body is a handshake message like any other,
// so it gets the same cap the engine puts on every message. A larger
// declaration is refused before anything is allocated.
const MaxUncompressed = wire.MaxMessageLen

// Supported reports whether alg is an algorithm this package implements,
// built in or registered.
func Supported(alg uint16) bool {
	if builtin(alg) {
		return true
	}
	_, ok := registeredCodec(alg)
	return ok
}

// builtin reports whether alg is one of RFC 8879's, which the package
// codes itself.
func builtin(alg uint16) bool {
	switch alg {
	case wire.CertCompressionZlib, wire.CertCompressionBrotli, wire.CertCompressionZstd:
		return true
	}
	return false
}

// Compress compresses a Certificate message body with alg at the highest
// ratio each codec offers: a chain is compressed once and sent many times,
// so the time is well spent. The memory is too, once: zstd's best level
// allocates 36 MB of tables (about 10 MB of it touched) to compress even a
// small chain, against 4.6 MB for the level below, which on a one-leaf
// chain saves 5 bytes where the best saves 16. Cache.Compress is what
// keeps this to once per chain.
func Compress(alg uint16, body []byte) ([]byte, error) {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch alg {
	case wire.CertCompressionZlib:
		zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
		if err != nil {
			return nil, err
		}
		w = zw
	case wire.CertCompressionBrotli:
		// A window no larger than the largest body keeps the receiver's
		// ring buffer small whatever decoder it runs.
		w = brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 17})
	case wire.CertCompressionZstd:
		zw, err := zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedBestCompression),
			zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<17))
		if err != nil {
			return nil, err
		}
		w = zw
	default:
		if c, ok := registeredCodec(alg); ok {
			return compressRegistered(c, alg, body)
		}
		return nil, fmt.Errorf("certcomp: unsupported algorithm %s", wire.CertCompressionName(alg))
	}
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// errLength is the RFC 8879 §4 failure: the decompressed message is not
// the declared length.
var errLength = errors.New("decompressed length differs from uncompressed_length")

// Decompress returns the Certificate body that compressed holds, which must
// be exactly want bytes long (RFC 8879 §4). want above MaxUncompressed is
// refused before any work; the output never grows past want (one byte more
// is read only to learn that the stream has ended). Every failure is an
// *alert.Error with bad_certificate, as RFC 8879 §4 asks for a mismatch and
// as the engine needs for a stream it cannot read.
func Decompress(alg uint16, compressed []byte, want int) ([]byte, error) {
	if want <= 0 || want > MaxUncompressed {
		return nil, alert.New(alert.BadCertificate, "certificate compression: uncompressed_length %d is outside 1..%d", want, MaxUncompressed)
	}
	out, err := decompress(alg, compressed, want)
	if err != nil {
		return nil, alert.New(alert.BadCertificate, "certificate compression (%s): %v", wire.CertCompressionName(alg), err)
	}
	return out, nil
}

func decompress(alg uint16, compressed []byte, want int) ([]byte, error) {
	switch alg {
	case wire.CertCompressionZlib:
		return zlibDecode(compressed, want)
	case wire.CertCompressionBrotli:
		return brotliDecode(compressed, want)
	case wire.CertCompressionZstd:
		return zstdDecode(compressed, want)
	}
	if c, ok := registeredCodec(alg); ok {
		return decompressRegistered(c, compressed, want)
	}
	return nil, fmt.Errorf("algorithm %s was not offered", wire.CertCompressionName(alg))
}

// The decoders are pooled: a client decompresses a certificate on every
// handshake, and a fresh brotli or zlib decoder costs tens of kilobytes of
// tables and buffers that a Reset reuses. A decoder goes back to its pool
// only after a stream it read to the end.
var (
	zlibReaders   sync.Pool // of io.ReadCloser implementing zlib.Resetter
	brotliReaders sync.Pool // of *brotli.Reader
)

func zlibDecode(compressed []byte, want int) ([]byte, error) {
	src := bytes.NewReader(compressed)
	zr, _ := zlibReaders.Get().(io.ReadCloser)
	if zr == nil {
		var err error
		if zr, err = zlib.NewReader(src); err != nil {
			return nil, err
		}
	} else if err := zr.(zlib.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	out, err := readExactly(zr, want)
	if err == nil {
		zlibReaders.Put(zr)
	}
	return out, err
}

func brotliDecode(compressed []byte, want int) ([]byte, error) {
	src := bytes.NewReader(narrowBrotliWindow(compressed))
	br, _ := brotliReaders.Get().(*brotli.Reader)
	if br == nil {
		br = brotli.NewReader(src)
	} else if err := br.Reset(src); err != nil {
		return nil, err
	}
	out, err := readExactly(br, want)
	if err == nil {
		brotliReaders.Put(br)
	}
	return out, err
}

// readExactly reads want bytes from r into a buffer of exactly that size
// and then checks that r has nothing more, so a stream that would inflate
// to gigabytes costs want bytes and one extra read.
func readExactly(r io.Reader, want int) ([]byte, error) {
	out := make([]byte, want)
	if _, err := io.ReadFull(r, out); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errLength
		}
		return nil, err
	}
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n > 0 {
			return nil, errLength
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// zstdDecoder is shared: DecodeAll is safe for concurrent use, and the
// decoder's limits are the package's, not the call's. Its window and total
// output are capped at MaxUncompressed, so a frame that declares more is
// refused by the decoder itself before it allocates.
var zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(MaxUncompressed),
		zstd.WithDecoderMaxWindow(1<<17))
})

func zstdDecode(compressed []byte, want int) ([]byte, error) {
	d, err := zstdDecoder()
	if err != nil {
		return nil, err
	}
	out, err := d.DecodeAll(compressed, make([]byte, 0, want))
	if err != nil {
		return nil, err
	}
	if len(out) != want {
		return nil, errLength
	}
	return out, nil
}

// narrowBrotliWindow returns a brotli stream that declares a window of at
// most 2^18 bytes in place of a larger one. The decoder sizes its ring
// buffer from each meta-block's declared length up to the window, so a
// stream declaring a 16 MiB window and a 16 MiB meta-block costs 32 MiB
// however little of it is read. The window only limits how far back a copy
// may reach, and, while the output is shorter than both windows, the
// decoder's reach is the output so far under either (RFC 7932 §4: the
// distance limit is the smaller of the window and the bytes produced), so
// every stream whose output fits MaxUncompressed decodes the same; the
// rest are refused anyway. WBITS 18..24 are the four-bit codes 1xxx with
// xxx = WBITS-17 (RFC 7932 §9.1), so the narrowing rewrites three bits.
func narrowBrotliWindow(stream []byte) []byte {
	if len(stream) == 0 || stream[0]&1 == 0 || (stream[0]>>1)&7 <= 1 {
		return stream
	}
	out := bytes.Clone(stream)
	out[0] = out[0]&^0x0e | 1<<1
	return out
}
