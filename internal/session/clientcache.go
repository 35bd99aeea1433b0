package session

import "sync"

// DefaultClientCacheCapacity is the capacity NewClientCache uses when given
// one that is not positive.
const DefaultClientCacheCapacity = 64

// ClientCache is a bounded map from a string key (the public tls package
// uses the server's name and address) to V, evicting the least recently
// used entry when full. Safe for concurrent use. The zero value, and a nil
// *ClientCache, behave as NewClientCache(0) and as an always-empty cache.
//
// The public NewLRUClientSessionCache lets Put(key, nil) delete; a generic
// V cannot be compared with nil, so ClientCache has Delete instead and the
// wrapper calls it for a nil value.
type ClientCache[V any] struct {
	mu sync.Mutex
	m  *recency[V]
}

// NewClientCache returns a cache of at most capacity entries; a capacity
// that is not positive means DefaultClientCacheCapacity.
func NewClientCache[V any](capacity int) *ClientCache[V] {
	if capacity <= 0 {
		capacity = DefaultClientCacheCapacity
	}
	return &ClientCache[V]{m: newRecency[V](capacity)}
}

// Get returns the value for key and marks it as recently used.
func (c *ClientCache[V]) Get(key string) (V, bool) {
	if c == nil {
		var zero V
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.table().lookup(key)
}

// Put sets the value for key, marking it as recently used and evicting the
// least recently used entry if the cache is full.
func (c *ClientCache[V]) Put(key string, v V) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.table().store(key, v)
}

// Delete removes key, as when a ticket is used up or the server rejected
// it.
func (c *ClientCache[V]) Delete(key string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.table().remove(key)
}

// Len returns the number of entries.
func (c *ClientCache[V]) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.table().len()
}

// table returns the entries, setting up a zero ClientCache on first use.
// c.mu must be held.
func (c *ClientCache[V]) table() *recency[V] {
	if c.m == nil {
		c.m = newRecency[V](DefaultClientCacheCapacity)
	}
	return c.m
}
