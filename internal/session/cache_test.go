package session

import (
	"fmt"
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
