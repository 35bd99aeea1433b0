package session

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// ids lists the cache's session IDs from newest to oldest.
func (c *ServerCache) ids() []string {
	var out []string
	for el := c.order.Front(); el != nil; el = el.Next() {
		out = append(out, el.Value.(*serverEntry).id)
	}
	return out
}

func TestServerCacheCapacityAndOrder(t *testing.T) {
	c := NewServerCache(3, time.Hour)
	for _, id := range []string{"a", "b", "c"} {
		c.Put(sid(id), stateFor(id), t0)
	}
	// A Get does not keep an entry longer: its age, and so its place,
	// count from the Put.
	if st, ok := c.Get(sid("a"), t0); !ok || st.ServerName != "a" {
		t.Fatalf("Get(a) = %v, %v", st, ok)
	}
	c.Put(sid("d"), stateFor("d"), t0)
	if _, ok := c.Get(sid("a"), t0); ok {
		t.Error("a, the oldest, survived eviction")
	}
	if got, want := c.ids(), []string{"d", "c", "b"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	// Replacing b makes it the newest; then e evicts c.
	c.Put(sid("b"), stateFor("b2"), t0)
	c.Put(sid("e"), stateFor("e"), t0)
	if got, want := c.ids(), []string{"e", "b", "d"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if st, _ := c.Get(sid("b"), t0); st == nil || st.ServerName != "b2" {
		t.Errorf("replaced entry: %v", st)
	}
	if c.Len() != 3 {
		t.Errorf("Len %d", c.Len())
	}
	c.Delete(sid("b"))
	c.Delete(sid("absent"))
	c.Put(sid("d"), nil, t0)
	if got := c.ids(); !slices.Equal(got, []string{"e"}) {
		t.Errorf("after deletes: %v", got)
	}
	if want := footprint(sid("e"), stateFor("e")); c.bytes != want {
		t.Errorf("bytes %d after deletes, want %d", c.bytes, want)
	}
}

func TestServerCacheAge(t *testing.T) {
	const maxAge = 10 * time.Minute
	c := NewServerCache(10, maxAge)
	c.Put(sid("x"), stateFor("x"), t0)
	if _, ok := c.Get(sid("x"), t0.Add(maxAge-time.Nanosecond)); !ok {
		t.Error("miss just before maxAge")
	}
	// A Get does not refresh the age: it counts from the Put.
	if _, ok := c.Get(sid("x"), t0.Add(maxAge)); ok {
		t.Error("hit at exactly maxAge")
	}
	if c.Len() != 0 {
		t.Error("expired entry not removed")
	}

	c.Put(sid("y"), stateFor("y"), t0)
	if _, ok := c.Get(sid("y"), t0.Add(-time.Second)); ok {
		t.Error("hit for an entry stored in the future")
	}
	if c.Len() != 0 {
		t.Error("future entry not removed")
	}

	// A second Put restarts the age.
	c.Put(sid("z"), stateFor("z"), t0)
	c.Put(sid("z"), stateFor("z"), t0.Add(maxAge))
	if _, ok := c.Get(sid("z"), t0.Add(maxAge+time.Minute)); !ok {
		t.Error("re-Put did not restart the age")
	}
}

// TestServerCacheAgeCap checks that no configured lifetime keeps a session
// past MaxServerCacheAge, and that expired sessions are swept out as new
// ones arrive rather than held until looked up.
func TestServerCacheAgeCap(t *testing.T) {
	for _, maxAge := range []time.Duration{0, 7 * 24 * time.Hour, 1000 * time.Hour} {
		c := NewServerCache(100, maxAge)
		c.Put(sid("old"), stateFor("old"), t0)
		if _, ok := c.Get(sid("old"), t0.Add(MaxServerCacheAge-time.Second)); !ok {
			t.Errorf("maxAge %v: miss a second before %v", maxAge, MaxServerCacheAge)
		}
		if _, ok := c.Get(sid("old"), t0.Add(MaxServerCacheAge)); ok {
			t.Errorf("maxAge %v: hit after %v", maxAge, MaxServerCacheAge)
		}
	}

	// A clock the test moves, as a server's would across a day.
	now := t0
	c := NewServerCache(100, 7*24*time.Hour)
	for _, id := range []string{"a", "b", "c"} {
		c.Put(sid(id), stateFor(id), now)
		now = now.Add(time.Hour)
	}
	// At a+24h, a has expired and b and c have not; a Put of d sweeps
	// a out without anyone asking for it.
	now = t0.Add(MaxServerCacheAge)
	c.Put(sid("d"), stateFor("d"), now)
	if got, want := c.ids(), []string{"d", "c", "b"}; !slices.Equal(got, want) {
		t.Errorf("after a day: %v, want %v", got, want)
	}
	// Two days on, a Get of anything sweeps out everything.
	now = now.Add(2 * MaxServerCacheAge)
	if _, ok := c.Get(sid("absent"), now); ok {
		t.Error("hit for an absent ID")
	}
	if c.Len() != 0 || c.bytes != 0 {
		t.Errorf("after three days: %d entries, %d bytes", c.Len(), c.bytes)
	}
}

// TestServerCacheBytes checks the byte budget: large sessions evict the
// oldest ones long before the entry limit, and a session larger than the
// whole budget is not stored at all.
func TestServerCacheBytes(t *testing.T) {
	const budget = 64 << 10
	c := newServerCache(1000, budget, time.Hour)
	big := func(name string) *State {
		st := stateFor(name)
		st.PeerCerts = [][]byte{bytes.Repeat([]byte{0x30}, 10<<10)}
		return st
	}
	per := footprint(sid("s00"), big("s00"))
	for i := range 20 {
		id := []byte{'s', byte('0' + i/10), byte('0' + i%10)}
		c.Put(id, big(string(id)), t0)
		if c.bytes > budget {
			t.Fatalf("after %d puts: %d bytes, budget %d", i+1, c.bytes, budget)
		}
	}
	if want := budget / per; c.Len() != want {
		t.Errorf("holds %d sessions of %d bytes, want %d", c.Len(), per, want)
	}
	// The newest stayed, the oldest went.
	if _, ok := c.Get(sid("s19"), t0); !ok {
		t.Error("newest session evicted")
	}
	if _, ok := c.Get(sid("s00"), t0); ok {
		t.Error("oldest session kept")
	}

	// Too big for the budget: not stored, and the ID no longer resumes
	// what it named before.
	huge := stateFor("huge")
	huge.PeerCerts = [][]byte{make([]byte, budget)}
	c.Put(sid("s19"), huge, t0)
	if _, ok := c.Get(sid("s19"), t0); ok {
		t.Error("an ID replaced by an oversized session still resumes")
	}
	if c.bytes > budget || c.bytes != (c.Len())*per {
		t.Errorf("%d bytes for %d sessions of %d", c.bytes, c.Len(), per)
	}

	// The default budget holds every 255-byte-name session the default
	// capacity allows: the limit bites only on sessions far larger.
	d := NewServerCache(0, 0)
	name := strings.Repeat("a", 255)
	for i := range DefaultServerCacheCapacity + 10 {
		id := []byte{byte(i >> 8), byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30}
		st := stateFor(name)
		st.Secret = make([]byte, 48)
		d.Put(id, st, t0)
	}
	if d.Len() != DefaultServerCacheCapacity || d.bytes > ServerCacheBytes {
		t.Errorf("default cache: %d sessions, %d bytes", d.Len(), d.bytes)
	}
}

func TestServerCacheIDsAndCopies(t *testing.T) {
	c := NewServerCache(0, 0)
	if c.maxLen != DefaultServerCacheCapacity || c.maxAge != DefaultServerCacheMaxAge || c.maxBytes != ServerCacheBytes {
		t.Errorf("defaults: %d, %v, %d", c.maxLen, c.maxAge, c.maxBytes)
	}
	long := make([]byte, MaxSessionIDLen+1)
	c.Put(nil, stateFor("nil"), t0)
	c.Put([]byte{}, stateFor("empty"), t0)
	c.Put(long, stateFor("long"), t0)
	if c.Len() != 0 {
		t.Errorf("stored %d entries under unusable IDs", c.Len())
	}
	if _, ok := c.Get(long, t0); ok {
		t.Error("hit for a 33-byte ID")
	}

	id := make([]byte, MaxSessionIDLen)
	st := fullState()
	c.Put(id, st, t0)
	id[0] = 1            // the caller's buffer is not the key
	st.Secret[0] ^= 0xff // nor is its state the stored one
	got, ok := c.Get(make([]byte, MaxSessionIDLen), t0)
	if !ok || !reflect.DeepEqual(got, fullState()) {
		t.Fatalf("Get = %+v, %v", got, ok)
	}
	got.PeerCerts[0][0] ^= 0xff
	if again, _ := c.Get(make([]byte, MaxSessionIDLen), t0); !reflect.DeepEqual(again, fullState()) {
		t.Error("changing a returned state changed the cache")
	}

	var nilCache *ServerCache
	nilCache.Put(id, st, t0)
	nilCache.Delete(id)
	if _, ok := nilCache.Get(id, t0); ok || nilCache.Len() != 0 {
		t.Error("nil cache hit")
	}
}
