package session

import (
	"sync"
	"time"
)

// MaxSessionIDLen is the longest session ID (RFC 5246 §7.4.1.2:
// SessionID<0..32>).
const MaxSessionIDLen = 32

// Defaults for NewServerCache arguments that are not positive.
const (
	// DefaultServerCacheCapacity bounds memory at a few hundred KiB of
	// states with typical chains.
	DefaultServerCacheCapacity = 1024
	// DefaultServerCacheMaxAge is the upper limit RFC 5246 Appendix F.1.4
	// suggests for session ID lifetimes.
	DefaultServerCacheMaxAge = 24 * time.Hour
)

// ServerCache is the TLS 1.2 session-ID cache (RFC 5246 §7.4.1.2): bounded
// in entries, evicting the least recently used, and in age, treating
// entries older than maxAge as misses and removing them. Safe for
// concurrent use. The zero value is a cache with the default bounds.
//
// It stores copies of the states it is given and hands out copies, so
// neither side can alter the other's.
type ServerCache struct {
	mu     sync.Mutex
	maxAge time.Duration
	m      *recency[serverEntry]
}

// serverEntry is a cached state and when it was stored, which is what its
// age counts from.
type serverEntry struct {
	st *State
	at time.Time
}

// NewServerCache returns a cache of at most capacity sessions, each usable
// for maxAge after it was stored. A capacity or maxAge that is not positive
// takes the default (DefaultServerCacheCapacity, DefaultServerCacheMaxAge),
// because a cache without bounds is not what anyone means by zero.
func NewServerCache(capacity int, maxAge time.Duration) *ServerCache {
	if capacity <= 0 {
		capacity = DefaultServerCacheCapacity
	}
	if maxAge <= 0 {
		maxAge = DefaultServerCacheMaxAge
	}
	return &ServerCache{maxAge: maxAge, m: newRecency[serverEntry](capacity)}
}

// Put stores a copy of st under id as of now. An empty id means the server
// chose not to make the session resumable (RFC 5246 §7.4.1.3), and an id
// longer than 32 bytes cannot come from a ServerHello, so both are ignored.
// A nil st deletes id.
func (c *ServerCache) Put(id []byte, st *State, now time.Time) {
	if c == nil || len(id) == 0 || len(id) > MaxSessionIDLen {
		return
	}
	if st == nil {
		c.Delete(id)
		return
	}
	e := serverEntry{st: st.Clone(), at: now}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.table().store(string(id), e)
}

// Get returns a copy of the state stored under id if it is younger than
// maxAge at now. An expired entry is removed. So is one stored after now:
// the clock went back, and we cannot tell how old the entry is; missing
// costs only a full handshake.
func (c *ServerCache) Get(id []byte, now time.Time) (*State, bool) {
	if c == nil || len(id) == 0 || len(id) > MaxSessionIDLen {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := string(id)
	e, ok := c.table().lookup(key)
	if !ok {
		return nil, false
	}
	if age := now.Sub(e.at); age < 0 || age >= c.maxAge {
		c.m.remove(key)
		return nil, false
	}
	return e.st.Clone(), true
}

// Delete removes id, as when a connection using the session fails and RFC
// 5246 §7.2.2 forbids resuming it.
func (c *ServerCache) Delete(id []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.table().remove(string(id))
}

// Len returns the number of stored sessions, expired ones included until
// a Get finds them.
func (c *ServerCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.table().len()
}

// table returns the entries, setting up a zero ServerCache with the
// defaults on first use. c.mu must be held.
func (c *ServerCache) table() *recency[serverEntry] {
	if c.m == nil {
		c.m = newRecency[serverEntry](DefaultServerCacheCapacity)
		if c.maxAge <= 0 {
			c.maxAge = DefaultServerCacheMaxAge
		}
	}
	return c.m
}
