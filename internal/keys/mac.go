package keys

import (
	"crypto"
	"hash"
	"sync"
)

// mac is HMAC (RFC 2104) over one reusable pair of the standard library's
// hash states. crypto/hmac binds its key at construction, so every HKDF
// step, each under a different secret, would build a new one: two hash
// states and two pads per label, the largest single share of a handshake's
// allocations. Re-keying this one instead allocates nothing. The hash
// itself is crypto's; only the two-pass construction lives here, and
// mac_test.go holds it to crypto/hmac.
type mac struct {
	size, block  int
	inner, outer hash.Hash
	pad          [maxBlock]byte
	// sum holds the inner digest, a hashed long key or the previous block
	// of an HKDF expansion.
	sum [maxSize]byte
	// key holds a key derived to be used at once: a Finished key, or the
	// PRF's A(i).
	key [maxSize]byte
	// info is scratch for HkdfLabel and the PRF's label || seed, so that
	// what is hashed through the interface does not escape per call.
	info [maxInfo]byte
}

const (
	maxBlock = 128 // SHA-384 and SHA-512
	maxSize  = 64
	// An HkdfLabel: length, a label of at most 255 bytes with its length,
	// a context of at most 255 with its length, and the counter byte.
	maxInfo = 2 + 1 + 255 + 1 + 255 + 1
)

// macPools holds idle states per hash. Every use re-keys, so nothing a
// state held before carries over.
var macPools [crypto.BLAKE2b_512 + 1]sync.Pool

func getMAC(h crypto.Hash) *mac {
	if m, ok := macPools[h].Get().(*mac); ok {
		return m
	}
	m := &mac{inner: h.New(), outer: h.New()}
	m.size, m.block = m.inner.Size(), m.inner.BlockSize()
	if m.size > maxSize || m.block > maxBlock {
		panic("keys: hash " + h.String() + " is larger than the HMAC scratch")
	}
	return m
}

func putMAC(h crypto.Hash, m *mac) {
	// Leave no key-derived bytes in an idle state.
	clear(m.pad[:])
	clear(m.sum[:])
	clear(m.key[:])
	m.inner.Reset()
	m.outer.Reset()
	macPools[h].Put(m)
}

// start begins HMAC(key, ·): K is hashed first when longer than a block,
// then padded with zeros, and H(K^ipad || ·) is opened, with H(K^opad || ·)
// ready for finish.
func (m *mac) start(key []byte) {
	if len(key) > m.block {
		m.outer.Reset()
		m.outer.Write(key)
		key = m.outer.Sum(m.sum[:0])
	}
	pad := m.pad[:m.block]
	n := copy(pad, key)
	clear(pad[n:])
	for i := range pad {
		pad[i] ^= 0x36
	}
	m.inner.Reset()
	m.inner.Write(pad)
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	m.outer.Reset()
	m.outer.Write(pad)
}

func (m *mac) write(p []byte) { m.inner.Write(p) }

// finish appends the MAC to dst.
func (m *mac) finish(dst []byte) []byte {
	inner := m.inner.Sum(m.sum[:0])
	m.outer.Write(inner)
	return m.outer.Sum(dst)
}

// expand is HKDF-Expand (RFC 5869 §2.3) of m.info[:infoLen] under prk,
// appending length bytes to dst. The last byte of m.info after the info
// is used for the counter.
func (m *mac) expand(dst, prk []byte, infoLen, length int) []byte {
	if length > 255*m.size {
		// No TLS label asks for this; the exporter's callers cap it.
		panic("keys: HKDF-Expand asked for more than 255 blocks")
	}
	info := m.info[:infoLen+1]
	var prev []byte
	for i := 1; length > 0; i++ {
		m.start(prk)
		m.write(prev)
		info[infoLen] = byte(i)
		m.write(info)
		block := m.finish(m.sum[:0])
		n := min(length, len(block))
		dst = append(dst, block[:n]...)
		length -= n
		prev = block
	}
	return dst
}
