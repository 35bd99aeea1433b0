package certcomp

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"lucid/internal/wire"
)

// Codec is an algorithm added from outside this package, for identifiers
// RFC 8879 leaves to others (a private-use one, a test suite's toys). The
// package keeps the bounds: Decompress is handed a buffer of exactly the
// declared length, which MaxUncompressed has already capped, so a codec
// cannot make a receiver allocate more than the built-in ones do.
type Codec struct {
	// Compress returns the compressed form of a Certificate body. It may
	// keep nothing of body after it returns.
	Compress func(body []byte) ([]byte, error)
	// Decompress fills dst, whose length is the declared
	// uncompressed_length, from compressed; it fails when the stream does
	// not produce exactly len(dst) bytes.
	Decompress func(dst, compressed []byte) error
}

var (
	// registered maps an algorithm to its Codec. Handshakes read it on
	// every hello, so it is swapped whole under registerMu and read
	// without a lock.
	registered atomic.Pointer[map[uint16]Codec]
	registerMu sync.Mutex
)

// Register makes alg an algorithm of this package, coded by c, for every
// configuration of the process. It refuses the algorithms the package
// builds in, GREASE values, 0, an algorithm already registered and a codec
// without both functions.
func Register(alg uint16, c Codec) error {
	switch {
	case builtin(alg):
		return fmt.Errorf("certcomp: %s is built in", wire.CertCompressionName(alg))
	case alg == 0 || wire.IsGREASE(alg):
		return fmt.Errorf("certcomp: %#04x cannot name an algorithm", alg)
	case c.Compress == nil || c.Decompress == nil:
		return errors.New("certcomp: a codec needs both Compress and Decompress")
	}
	registerMu.Lock()
	defer registerMu.Unlock()
	old := registered.Load()
	if old != nil {
		if _, ok := (*old)[alg]; ok {
			return fmt.Errorf("certcomp: %#04x is already registered", alg)
		}
	}
	next := make(map[uint16]Codec, 1)
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[alg] = c
	registered.Store(&next)
	return nil
}

func registeredCodec(alg uint16) (Codec, bool) {
	m := registered.Load()
	if m == nil {
		return Codec{}, false
	}
	c, ok := (*m)[alg]
	return c, ok
}

// compressRegistered runs a registered codec and holds its output to what
// a CompressedCertificate can carry and a receiver will take.
func compressRegistered(c Codec, alg uint16, body []byte) ([]byte, error) {
	// The codec sees a copy: the caller's body is the marshalled chain,
	// which the codec might otherwise keep or change.
	out, err := c.Compress(bytes.Clone(body))
	if err != nil {
		return nil, fmt.Errorf("certcomp: %s: %w", wire.CertCompressionName(alg), err)
	}
	if len(out) == 0 || len(out) > MaxUncompressed {
		return nil, fmt.Errorf("certcomp: %s compressed %d bytes to %d, outside 1..%d", wire.CertCompressionName(alg), len(body), len(out), MaxUncompressed)
	}
	return out, nil
}

// decompressRegistered gives the codec a buffer of exactly want bytes,
// which Decompress has already checked against MaxUncompressed.
func decompressRegistered(c Codec, compressed []byte, want int) ([]byte, error) {
	out := make([]byte, want)
	if err := c.Decompress(out, compressed); err != nil {
		return nil, err
	}
	return out, nil
}
