package session

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

func sid(s string) []byte { return []byte(s) }

func stateFor(name string) *State {
	s := minimalState()
	s.ServerName = name
	return s
}

func TestServerCacheCapacityAndOrder(t *testing.T) {
	c := NewServerCache(3, time.Hour)
	for _, id := range []string{"a", "b", "c"} {
		c.Put(sid(id), stateFor(id), t0)
	}
	// Using a makes b the least recently used.
	if st, ok := c.Get(sid("a"), t0); !ok || st.ServerName != "a" {
		t.Fatalf("Get(a) = %v, %v", st, ok)
	}
	c.Put(sid("d"), stateFor("d"), t0)
	if _, ok := c.Get(sid("b"), t0); ok {
		t.Error("b survived eviction")
	}
	if got, want := c.m.keys(), []string{"d", "a", "c"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	// Replacing c refreshes it; then e evicts a.
	c.Put(sid("c"), stateFor("c2"), t0)
	c.Put(sid("e"), stateFor("e"), t0)
	if got, want := c.m.keys(), []string{"e", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if st, _ := c.Get(sid("c"), t0); st == nil || st.ServerName != "c2" {
		t.Errorf("replaced entry: %v", st)
	}
	if c.Len() != 3 {
		t.Errorf("Len %d", c.Len())
	}
	c.Delete(sid("c"))
	c.Delete(sid("absent"))
	c.Put(sid("d"), nil, t0)
	if got := c.m.keys(); !slices.Equal(got, []string{"e"}) {
		t.Errorf("after deletes: %v", got)
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

func TestServerCacheIDsAndCopies(t *testing.T) {
	c := NewServerCache(0, 0)
	if c.m.limit != DefaultServerCacheCapacity || c.maxAge != DefaultServerCacheMaxAge {
		t.Errorf("defaults: %d, %v", c.m.limit, c.maxAge)
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

func TestClientCacheLRU(t *testing.T) {
	c := NewClientCache[*State](2)
	c.Put("a", stateFor("a"))
	c.Put("b", stateFor("b"))
	c.Get("a")
	c.Put("c", stateFor("c"))
	if _, ok := c.Get("b"); ok {
		t.Error("b survived eviction")
	}
	if v, ok := c.Get("a"); !ok || v.ServerName != "a" {
		t.Error("a evicted")
	}
	c.Put("c", stateFor("c2"))
	if v, _ := c.Get("c"); v.ServerName != "c2" {
		t.Error("Put did not replace")
	}
	c.Delete("a")
	c.Delete("never")
	if c.Len() != 1 {
		t.Errorf("Len %d", c.Len())
	}
	if v, ok := c.Get("a"); ok || v != nil {
		t.Error("deleted entry returned")
	}

	d := NewClientCache[int](0)
	for i := range DefaultClientCacheCapacity + 5 {
		d.Put(fmt.Sprint(i), i)
	}
	if d.Len() != DefaultClientCacheCapacity {
		t.Errorf("default capacity: Len %d", d.Len())
	}
	if _, ok := d.Get("4"); ok {
		t.Error("oldest entries not evicted")
	}
	if v, ok := d.Get("5"); !ok || v != 5 {
		t.Error("entry 5 missing")
	}
}

// TestCachesConcurrent is for -race: many goroutines on one cache.
func TestCachesConcurrent(t *testing.T) {
	cc := NewClientCache[int](16)
	sc := NewServerCache(16, time.Hour)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := fmt.Sprint((g*7 + i) % 40)
				cc.Put(k, i)
				cc.Get(k)
				sc.Put([]byte(k), stateFor(k), t0)
				if st, ok := sc.Get([]byte(k), t0); ok {
					st.Secret[0]++ // copies are the caller's to change
				}
				if i%5 == 0 {
					cc.Delete(k)
					sc.Delete([]byte(k))
				}
				if cc.Len() > 16 || sc.Len() > 16 {
					t.Error("cache exceeded its capacity")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestZeroValueCaches(t *testing.T) {
	var sc ServerCache
	sc.Put(sid("a"), stateFor("a"), t0)
	if _, ok := sc.Get(sid("a"), t0.Add(DefaultServerCacheMaxAge-time.Second)); !ok {
		t.Error("zero ServerCache lost an entry")
	}
	if _, ok := sc.Get(sid("a"), t0.Add(DefaultServerCacheMaxAge)); ok {
		t.Error("zero ServerCache has no age limit")
	}
	var fresh ServerCache
	if _, ok := fresh.Get(sid("a"), t0); ok || fresh.Len() != 0 {
		t.Error("empty zero ServerCache hit")
	}
	fresh.Delete(sid("a"))

	var cc ClientCache[string]
	cc.Put("k", "v")
	if v, ok := cc.Get("k"); !ok || v != "v" || cc.Len() != 1 {
		t.Error("zero ClientCache lost an entry")
	}
	cc.Delete("k")
	var nilCC *ClientCache[string]
	nilCC.Put("k", "v")
	nilCC.Delete("k")
	if _, ok := nilCC.Get("k"); ok || nilCC.Len() != 0 {
		t.Error("nil ClientCache hit")
	}
}
