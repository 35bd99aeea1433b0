package keys

import (
	"crypto"
	"crypto/hmac"
	"crypto/subtle"
	"hash"
	"sync"
)

// mac is crypto/hmac with the scratch an HKDF step or a PRF round needs,
// kept in a pool so that labels, digests and derived keys are not
// allocated per call. The MAC itself is the standard library's
// (DESIGN.md, principle 1): crypto/hmac binds its key when it is made, so
// a new key makes a new one, and MACs under the key it already holds
// (HKDF's blocks, a traffic secret's key and IV, the PRF's rounds) reset
// it instead.
type mac struct {
	hash crypto.Hash
	size int
	cur  hash.Hash
	// curKey is the key cur was made with.
	curKey    [maxBlock]byte
	curKeyLen int
	sum       [maxSize]byte // the last MAC, or a block of an expansion
	key       [maxSize]byte // a key derived to be used at once (Finished key, PRF's A(i))
	info      [maxInfo]byte // HkdfLabel, or the PRF's label || seed
}

const (
	maxSize  = 64
	maxBlock = 128
	// An HkdfLabel: length, a label of at most 255 bytes with its length,
	// a context of at most 255 with its length, and the counter byte.
	maxInfo = 2 + 1 + 255 + 1 + 255 + 1
)

// macPools holds idle scratch per hash.
var macPools [crypto.BLAKE2b_512 + 1]sync.Pool

func getMAC(h crypto.Hash) *mac {
	if m, ok := macPools[h].Get().(*mac); ok {
		return m
	}
	m := &mac{hash: h, size: h.Size()}
	if m.size > maxSize {
		panic("keys: hash " + h.String() + " is larger than the HMAC scratch")
	}
	return m
}

func putMAC(h crypto.Hash, m *mac) {
	// Leave no key-derived bytes in an idle state.
	clear(m.sum[:])
	clear(m.key[:])
	clear(m.curKey[:])
	m.cur, m.curKeyLen = nil, 0
	macPools[h].Put(m)
}

// start begins HMAC(key, ·), reusing the crypto/hmac already made for
// the same key.
func (m *mac) start(key []byte) {
	if m.cur != nil && len(key) == m.curKeyLen && subtle.ConstantTimeCompare(key, m.curKey[:m.curKeyLen]) == 1 {
		m.cur.Reset()
		return
	}
	m.cur = hmac.New(m.hash.New, key)
	m.curKeyLen = -1 // a key too long to keep never matches
	if len(key) <= len(m.curKey) {
		m.curKeyLen = copy(m.curKey[:], key)
	}
}

func (m *mac) write(p []byte) { m.cur.Write(p) }

// finish appends the MAC to dst.
func (m *mac) finish(dst []byte) []byte { return m.cur.Sum(dst) }

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
