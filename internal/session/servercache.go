package session

import (
	"container/list"
	"sync"
	"time"
)

// MaxSessionIDLen is the longest session ID (RFC 5246 §7.4.1.2:
// SessionID<0..32>).
const MaxSessionIDLen = 32

// Bounds of a ServerCache. Every session in it was made by a peer that
// proved nothing (a TLS 1.2 full handshake with any client), so what one
// costs and how long it stays must not be up to that peer.
const (
	// DefaultServerCacheCapacity is the number of sessions kept when
	// NewServerCache is given no positive capacity.
	DefaultServerCacheCapacity = 1024
	// ServerCacheBytes bounds the estimated memory of all sessions in a
	// cache, whatever its capacity: with 255-byte server names 4 MiB
	// still holds thousands of sessions, and a client that makes each
	// of its sessions large (a long chain under RequestClientCert)
	// evicts other sessions rather than growing the process.
	ServerCacheBytes = 4 << 20
	// MaxServerCacheAge is the longest a session stays: RFC 5246
	// Appendix F.1.4 suggests 24 hours as the upper limit for session
	// ID lifetimes, since a leaked master secret is usable until then.
	MaxServerCacheAge = 24 * time.Hour
	// DefaultServerCacheMaxAge is the age limit when NewServerCache is
	// given none.
	DefaultServerCacheMaxAge = MaxServerCacheAge
)

// entryOverhead estimates what an entry costs besides its variable-length
// fields: the State and its slice headers, the list element, the map slot.
const entryOverhead = 320

// ServerCache is the TLS 1.2 session-ID cache (RFC 5246 §7.4.1.2). It is
// bounded in entries, in estimated bytes (ServerCacheBytes) and in age
// (at most MaxServerCacheAge). Entries leave in the order they were
// stored: since age counts from the Put, the oldest entry is both the
// next to expire and the least valuable to keep, and expired entries can
// be swept from one end as new ones arrive. Safe for concurrent use. The
// zero value is a cache with the default bounds.
//
// It stores copies of the states it is given and hands out copies, so
// neither side can alter the other's.
type ServerCache struct {
	mu       sync.Mutex
	maxLen   int
	maxBytes int
	maxAge   time.Duration
	bytes    int                      // estimated size of the entries held
	order    *list.List               // of *serverEntry, newest first
	index    map[string]*list.Element // by session ID
}

// serverEntry is a cached state, its ID, when it was stored (which is what
// its age counts from) and its estimated size.
type serverEntry struct {
	id   string
	st   *State
	at   time.Time
	size int
}

// NewID returns random as it is: the cache looks up any ID at no cost.
func (c *ServerCache) NewID(random []byte) []byte { return random }

// NewServerCache returns a cache of at most capacity sessions, each usable
// for maxAge after it was stored but never longer than MaxServerCacheAge,
// and together at most ServerCacheBytes. A capacity or maxAge that is not
// positive takes the default (DefaultServerCacheCapacity,
// DefaultServerCacheMaxAge), because a cache without bounds is not what
// anyone means by zero.
func NewServerCache(capacity int, maxAge time.Duration) *ServerCache {
	return newServerCache(capacity, ServerCacheBytes, maxAge)
}

// newServerCache is NewServerCache with the byte budget chosen, for tests.
func newServerCache(capacity, maxBytes int, maxAge time.Duration) *ServerCache {
	if capacity <= 0 {
		capacity = DefaultServerCacheCapacity
	}
	if maxAge <= 0 {
		maxAge = DefaultServerCacheMaxAge
	}
	return &ServerCache{
		maxLen:   capacity,
		maxBytes: maxBytes,
		maxAge:   min(maxAge, MaxServerCacheAge),
		order:    list.New(),
		// The map grows with use rather than being sized to capacity
		// up front, so a generous capacity costs nothing until used.
		index: make(map[string]*list.Element),
	}
}

// Put stores a copy of st under id as of now. An empty id means the server
// chose not to make the session resumable (RFC 5246 §7.4.1.3), and an id
// longer than 32 bytes cannot come from a ServerHello, so both are ignored.
// A nil st deletes id, and so does a state too large for the cache, so
// that id never resumes an older session.
func (c *ServerCache) Put(id []byte, st *State, now time.Time) {
	if c == nil || len(id) == 0 || len(id) > MaxSessionIDLen {
		return
	}
	if st == nil {
		c.Delete(id)
		return
	}
	e := &serverEntry{id: string(id), at: now, size: footprint(id, st)}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setup()
	c.remove(e.id)
	if e.size > c.maxBytes {
		return
	}
	e.st = st.Clone()
	c.index[e.id] = c.order.PushFront(e)
	c.bytes += e.size
	c.sweep(now)
	for c.order.Len() > c.maxLen || c.bytes > c.maxBytes {
		c.drop(c.order.Back())
	}
}

// Get returns a copy of the state stored under id if it is younger than
// the cache's age limit at now. An expired entry is removed. So is one
// stored after now: the clock went back, and we cannot tell how old the
// entry is; missing costs only a full handshake.
func (c *ServerCache) Get(id []byte, now time.Time) (*State, bool) {
	if c == nil || len(id) == 0 || len(id) > MaxSessionIDLen {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setup()
	c.sweep(now)
	el, ok := c.index[string(id)]
	if !ok {
		return nil, false
	}
	e := el.Value.(*serverEntry)
	if !c.fresh(e, now) {
		c.drop(el)
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
	c.setup()
	c.remove(string(id))
}

// Len returns the number of stored sessions, expired ones included until
// a Put or Get sweeps them out.
func (c *ServerCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setup()
	return c.order.Len()
}

// setup sets up a zero ServerCache with the defaults on first use. c.mu
// must be held.
func (c *ServerCache) setup() {
	if c.order != nil {
		return
	}
	d := newServerCache(0, ServerCacheBytes, c.maxAge)
	c.maxLen, c.maxBytes, c.maxAge = d.maxLen, d.maxBytes, d.maxAge
	c.order, c.index = d.order, d.index
}

// fresh reports whether e may still be used at now.
func (c *ServerCache) fresh(e *serverEntry, now time.Time) bool {
	age := now.Sub(e.at)
	return age >= 0 && age < c.maxAge
}

// sweep drops expired entries from the old end of the list, stopping at
// the first one still fresh, so each entry is swept at most once. An entry
// stored "after now" stops the sweep too: Get judges those one by one.
func (c *ServerCache) sweep(now time.Time) {
	for el := c.order.Back(); el != nil; el = c.order.Back() {
		if now.Sub(el.Value.(*serverEntry).at) < c.maxAge {
			return
		}
		c.drop(el)
	}
}

func (c *ServerCache) remove(id string) {
	if el, ok := c.index[id]; ok {
		c.drop(el)
	}
}

func (c *ServerCache) drop(el *list.Element) {
	e := el.Value.(*serverEntry)
	delete(c.index, e.id)
	c.order.Remove(el)
	c.bytes -= e.size
}

// footprint estimates the memory an entry for st under id takes.
func footprint(id []byte, st *State) int {
	n := entryOverhead + len(id) + len(st.Secret) + len(st.ALPN) + len(st.ServerName)
	for _, cert := range st.PeerCerts {
		n += 24 + len(cert) // a slice header and the DER
	}
	return n
}
