package wire

import (
	"fmt"
	"sync"
)

// builder appends TLS wire structures to a byte slice. Length prefixes are
// written as placeholders and filled in once their contents are known, so
// nested vectors are written in one pass. A value that does not fit its
// prefix is not silently truncated: the builder records an error, keeps
// going harmlessly, and the caller discards the result.
type builder struct {
	buf []byte
	err error
}

func (b *builder) u8(v uint8) { b.buf = append(b.buf, v) }

func (b *builder) u16(v uint16) { b.buf = append(b.buf, byte(v>>8), byte(v)) }

func (b *builder) u32(v uint32) {
	b.buf = append(b.buf, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func (b *builder) raw(p []byte) { b.buf = append(b.buf, p...) }

func (b *builder) fail(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf(format, args...)
	}
}

// vec writes a vector with a prefixLen-byte length prefix (1, 2 or 3) whose
// contents are whatever f appends.
func (b *builder) vec(prefixLen int, f func(*builder)) {
	start := len(b.buf)
	for i := 0; i < prefixLen; i++ {
		b.buf = append(b.buf, 0)
	}
	f(b)
	n := len(b.buf) - start - prefixLen
	if n >= 1<<(8*prefixLen) {
		b.fail("vector of %d bytes does not fit a %d-byte length", n, prefixLen)
		return
	}
	for i := 0; i < prefixLen; i++ {
		b.buf[start+i] = byte(n >> (8 * (prefixLen - 1 - i)))
	}
}

// bytesVec writes p as an opaque vector with a prefixLen-byte length.
func (b *builder) bytesVec(prefixLen int, p []byte) {
	b.vec(prefixLen, func(b *builder) { b.raw(p) })
}

// u16s writes a vector of uint16 values.
func (b *builder) u16s(prefixLen int, v []uint16) {
	b.vec(prefixLen, func(b *builder) {
		for _, x := range v {
			b.u16(x)
		}
	})
}

// appendMessage frames a handshake message, type, 24-bit length and body,
// appending it to dst. If any part of the body could not be encoded it
// returns dst as it was, so a bad message vanishes rather than leaving
// half of itself in a flight.
func appendMessage(dst []byte, typ uint8, body func(*builder)) []byte {
	// The builder is handed to closures, so it would be allocated for
	// every message; a handshake marshals a dozen.
	b := builders.Get().(*builder)
	b.buf, b.err = dst, nil
	b.u8(typ)
	b.vec(3, body)
	out, err := b.buf, b.err
	b.buf, b.err = nil, nil
	builders.Put(b)
	if err != nil {
		return dst
	}
	return out
}

var builders = sync.Pool{New: func() any { return new(builder) }}
