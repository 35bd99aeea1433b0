package certcomp

import (
	"crypto/sha256"
	"errors"
	"sync"
)

// DefaultCacheEntries bounds a Cache made with a zero size: a server has a
// handful of chains, times three algorithms, and the bound is only there so
// that chains that change (rotated staples, reloaded certificates) cannot
// grow the cache for ever.
const DefaultCacheEntries = 64

// Cache holds compressed Certificate bodies keyed by algorithm and the
// body's SHA-256, so a server compresses each chain once per algorithm.
// Keying by content rather than by certificate means a new OCSP staple or
// a reloaded certificate is simply a new entry, never a stale one. When
// full it forgets its oldest entry. The zero value is ready to use; a Cache
// is safe for concurrent use.
type Cache struct {
	// Size is the number of entries kept; 0 means DefaultCacheEntries.
	Size int

	mu      sync.Mutex
	m       map[cacheKey][]byte
	order   []cacheKey // insertion order, oldest first
	pending map[cacheKey]*pendingCompression
}

type cacheKey struct {
	alg  uint16
	hash [sha256.Size]byte
}

// Compress returns body compressed with alg, from the cache when it has
// been compressed before. The result is shared: callers must not modify it.
// Handshakes that arrive together for a chain not yet cached wait for one
// compression rather than each running their own: a codec's working
// memory is far larger than a chain, and a burst of first handshakes on a
// new certificate must not multiply it.
func (c *Cache) Compress(alg uint16, body []byte) ([]byte, error) {
	k := cacheKey{alg, sha256.Sum256(body)}
	c.mu.Lock()
	if out, ok := c.m[k]; ok {
		c.mu.Unlock()
		return out, nil
	}
	if p, ok := c.pending[k]; ok {
		c.mu.Unlock()
		<-p.done
		return p.out, p.err
	}
	p := &pendingCompression{done: make(chan struct{})}
	if c.pending == nil {
		c.pending = make(map[cacheKey]*pendingCompression)
	}
	c.pending[k] = p
	c.mu.Unlock()

	// The waiters are released however the compression ends, a
	// registered codec's panic included.
	defer func() {
		c.mu.Lock()
		delete(c.pending, k)
		if p.err == nil && p.out != nil {
			c.store(k, p.out)
		}
		c.mu.Unlock()
		close(p.done)
	}()
	p.err = errCompressionPanicked
	p.out, p.err = Compress(alg, body)
	return p.out, p.err
}

// errCompressionPanicked is what waiters see when the compression they
// waited for did not return.
var errCompressionPanicked = errors.New("certcomp: compression did not complete")

// pendingCompression is one compression in progress, which other callers
// for the same key wait on.
type pendingCompression struct {
	done chan struct{}
	out  []byte
	err  error
}

// store adds an entry, forgetting the oldest when full. c.mu is held.
func (c *Cache) store(k cacheKey, out []byte) {
	if c.m == nil {
		c.m = make(map[cacheKey][]byte)
	}
	size := c.Size
	if size <= 0 {
		size = DefaultCacheEntries
	}
	for len(c.order) >= size {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[k] = out
	c.order = append(c.order, k)
}

// Len returns the number of cached entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
