package certcomp

import (
	"crypto/sha256"
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

	mu    sync.Mutex
	m     map[cacheKey][]byte
	order []cacheKey // insertion order, oldest first
}

type cacheKey struct {
	alg  uint16
	hash [sha256.Size]byte
}

// Compress returns body compressed with alg, from the cache when it has
// been compressed before. The result is shared: callers must not modify it.
func (c *Cache) Compress(alg uint16, body []byte) ([]byte, error) {
	k := cacheKey{alg, sha256.Sum256(body)}
	c.mu.Lock()
	out, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return out, nil
	}
	// Compressing outside the lock lets other chains proceed; two
	// handshakes racing on a new chain both compress it once, which is
	// rare and harmless.
	out, err := Compress(alg, body)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[k]; ok {
		return prev, nil
	}
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
	return out, nil
}

// Len returns the number of cached entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
