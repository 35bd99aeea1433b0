package redisstore

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"lucid/internal/testredis"
	"lucid/internal/testwait"
)

// TestTicketKeysShared checks that the first store to ask makes the fleet's
// key, and that a second store on the same Redis adopts it rather than
// making its own.
func TestTicketKeysShared(t *testing.T) {
	srv := testredis.Start(t)
	a, _ := newTestStore(t, srv, nil)
	b, _ := newTestStore(t, srv, nil)

	ka := mustKeys(t, a)
	if len(ka) != 1 {
		t.Fatalf("first store has %d keys; want the 1 it made", len(ka))
	}
	kb := mustKeys(t, b)
	if !slices.Equal(ka, kb) {
		t.Fatal("the second store's keys differ from the first's")
	}
	if n, err := srv.Do("HLEN", "lucid:tk"); err != nil || n != "1" {
		t.Fatalf("HLEN lucid:tk = %q, %v; want 1 key in Redis", n, err)
	}
	// From memory: the same answer until the refresh, without Redis.
	if again := mustKeys(t, a); !slices.Equal(again, ka) {
		t.Fatal("the keys changed between two calls without a rotation")
	}
}

// TestRotateSeenByOther checks the rotation protocol: the new key is
// published to every store before any seals with it, then becomes the
// first key everywhere, and the old key keeps opening tickets.
func TestRotateSeenByOther(t *testing.T) {
	srv := testredis.Start(t)
	a, logs := newTestStore(t, srv, nil)
	b, _ := newTestStore(t, srv, nil)
	old := mustKeys(t, a)[0]
	mustKeys(t, b)

	ctx, cancel := callCtx(t)
	defer cancel()
	if err := a.Rotate(ctx); err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	if logs.Count("new ticket key") != 2 {
		t.Fatalf("log after Rotate:\n%s\nwant two new ticket keys logged", logs)
	}
	after := mustKeys(t, a)
	if len(after) != 2 {
		t.Fatalf("after Rotate the store has %d keys; want 2", len(after))
	}
	// The new key is published but not yet active: A still seals with
	// the old one, which B also has.
	if after[0] != old {
		// Only possible if the activation delay (100 ms) passed
		// already on a very slow machine; then the new key must lead.
		if after[1] != old {
			t.Fatal("the old key is gone right after Rotate")
		}
	}
	fresh := after[1]
	if after[0] != old {
		fresh = after[0]
	}

	waitFor(t, "the second store to see the rotation", func() bool {
		return slices.Contains(mustKeys(t, b), fresh)
	})
	waitFor(t, "both stores to seal with the new key", func() bool {
		return mustKeys(t, a)[0] == fresh && mustKeys(t, b)[0] == fresh
	})
	ka, kb := mustKeys(t, a), mustKeys(t, b)
	if !slices.Equal(ka, kb) {
		t.Fatal("the two stores' key lists differ after both refreshed")
	}
	if !slices.Contains(ka, old) {
		t.Fatal("the old key no longer opens tickets after the rotation")
	}
}

// TestScheduledRotation checks that keys rotate on their own when the
// rotation period ends and that a key replaced for longer than the keep
// period is dropped, from memory and from Redis.
func TestScheduledRotation(t *testing.T) {
	srv := testredis.Start(t)
	const period = 300 * time.Millisecond
	a, _ := newTestStore(t, srv, func(o *Options) {
		o.RotationPeriod = period
		o.KeepPeriod = period
	})
	first := mustKeys(t, a)[0]
	waitFor(t, "a scheduled rotation to a new key", func() bool {
		return mustKeys(t, a)[0] != first
	})
	waitFor(t, "the first key to be dropped after its keep period", func() bool {
		if slices.Contains(mustKeys(t, a), first) {
			return false
		}
		n, err := srv.Do("HLEN", "lucid:tk")
		return err == nil && n != "0" && !hashHasKey(t, srv, first)
	})
}

// hashHasKey reports whether the key hash in srv holds a record that
// opens to key.
func hashHasKey(t *testing.T, srv *testredis.Server, key [32]byte) bool {
	t.Helper()
	for id, v := range rawHash(t, srv) {
		aead, _ := recordAEAD(&testKEK)
		if _, _, k, err := openRecord(aead, []byte(v), recordAD("lucid:tk", id)); err == nil && k == key {
			return true
		}
	}
	return false
}

// rawHash reads the key hash with a client of its own.
func rawHash(t *testing.T, srv *testredis.Server) map[string]string {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer c.Close()
	h, err := c.HGetAll(t.Context(), "lucid:tk").Result()
	if err != nil {
		t.Fatalf("HGETALL lucid:tk: %v", err)
	}
	return h
}

// TestKeysSealedInRedis checks that what Redis holds is the sealed record,
// not the key in clear.
func TestKeysSealedInRedis(t *testing.T) {
	srv := testredis.Start(t)
	a, _ := newTestStore(t, srv, nil)
	keys := mustKeys(t, a)
	h := rawHash(t, srv)
	if len(h) != len(keys) {
		t.Fatalf("Redis holds %d records for %d keys", len(h), len(keys))
	}
	for id, v := range h {
		if len(v) != sealedRecordLen {
			t.Errorf("record %s is %d bytes; want %d", id, len(v), sealedRecordLen)
		}
		for _, k := range keys {
			if bytes.Contains([]byte(v), k[:]) || bytes.Contains([]byte(v), k[:16]) {
				t.Errorf("record %s holds the ticket key in clear", id)
			}
		}
	}
	if !hashHasKey(t, srv, keys[0]) {
		t.Fatal("no record opens to the store's key with the KEK")
	}
}

// TestMovedRecord checks that a record copied under another id does not
// open: the name is part of what the KEK authenticates.
func TestMovedRecord(t *testing.T) {
	srv := testredis.Start(t)
	a, _ := newTestStore(t, srv, nil)
	keys := mustKeys(t, a)
	for _, v := range rawHash(t, srv) {
		if _, err := srv.Do("HSET", "lucid:tk", "0000000000000000", v); err != nil {
			t.Fatal(err)
		}
	}
	b, blogs := newTestStore(t, srv, nil)
	if kb := mustKeys(t, b); !slices.Equal(kb, keys) {
		t.Fatalf("store B has %d keys; want only the one under its own id", len(kb))
	}
	if blogs.Count("0000000000000000") != 1 {
		t.Fatalf("B's log:\n%s\nwant the moved record reported once", blogs)
	}
}

// TestWrongKEK checks that a store given another KEK cannot use the fleet's
// keys, says so once, and makes no key of its own that would split the
// fleet.
func TestWrongKEK(t *testing.T) {
	srv := testredis.Start(t)
	a, _ := newTestStore(t, srv, nil)
	mustKeys(t, a)
	c, logs := newTestStore(t, srv, func(o *Options) { o.KEK = otherKEK })
	for range 5 {
		ctx, cancel := callCtx(t)
		keys, err := c.TicketKeys(ctx)
		cancel()
		if !errors.Is(err, ErrWrongKEK) {
			t.Fatalf("TicketKeys with another KEK = %d keys, %v; want ErrWrongKEK", len(keys), err)
		}
	}
	if n := logs.Count("is unusable"); n != 1 {
		t.Fatalf("log:\n%s\nwant the unusable key reported once, got %d", logs, n)
	}
	if n, _ := srv.Do("HLEN", "lucid:tk"); n != "1" {
		t.Fatalf("HLEN lucid:tk = %s; the store with the wrong KEK must not add keys", n)
	}
	if !c.Healthy() {
		t.Fatal("a wrong KEK made the store unhealthy; Redis is reachable")
	}
	ctx, cancel := callCtx(t)
	defer cancel()
	if err := c.Rotate(ctx); !errors.Is(err, ErrWrongKEK) {
		t.Fatalf("Rotate with another KEK = %v; want ErrWrongKEK", err)
	}
}

// TestConcurrentFirstKey checks that stores racing for the fleet's first
// key end up with one key between them: the one that takes the lock makes
// it, the others wait for it rather than answer with no key.
func TestConcurrentFirstKey(t *testing.T) {
	srv := testredis.Start(t)
	const n = 4
	stores := make([]*Store, n)
	for i := range stores {
		stores[i], _ = newTestStore(t, srv, nil)
	}
	got := make([][][32]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			// The test's own deadline, not the handshake's: what is
			// checked is who waits for whom, not how fast.
			got[i], errs[i] = s.TicketKeys(testwait.Context(t))
		})
	}
	wg.Wait()
	for i := range stores {
		if errs[i] != nil || len(got[i]) != 1 {
			t.Fatalf("store %d: %d keys, %v; want the one key every store shares", i, len(got[i]), errs[i])
		}
		if got[i][0] != got[0][0] {
			t.Fatalf("stores 0 and %d hold different keys", i)
		}
	}
	if h, err := srv.Do("HLEN", "lucid:tk"); err != nil || h != "1" {
		t.Fatalf("HLEN lucid:tk = %q, %v; want one key made by one store", h, err)
	}
}

// TestOversizedKeyFields checks that fields somebody wrote into the key
// hash too large to be records are left in Redis, not read: the store
// still finds the fleet's key, and reports what it skipped once.
func TestOversizedKeyFields(t *testing.T) {
	srv := testredis.Start(t)
	a, _ := newTestStore(t, srv, nil)
	keys := mustKeys(t, a)
	if _, err := srv.Do("HSET", "lucid:tk", "big", strings.Repeat("x", 1<<20)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Do("HSET", "lucid:tk", strings.Repeat("n", 1000), "y"); err != nil {
		t.Fatal(err)
	}
	b, blogs := newTestStore(t, srv, nil)
	for range 3 {
		if kb := mustKeys(t, b); !slices.Equal(kb, keys) {
			t.Fatalf("store B has %d keys; want the fleet's one", len(kb))
		}
	}
	if n := blogs.Count("(2 fields)"); n != 1 {
		t.Fatalf("B's log:\n%s\nwant the two oversized fields reported once, got %d", blogs, n)
	}
}

// TestOldRecordExpires checks that a key older than its rotation and keep
// periods is dropped even when nothing in the hash replaced it: a record
// written back from a backup does not return a withdrawn key to service.
func TestOldRecordExpires(t *testing.T) {
	s := &Store{rotation: time.Hour, keep: 2 * time.Hour}
	now := time.Now()
	old := keyRecord{id: "old", created: now.Add(-3*time.Hour - time.Second), activates: now.Add(-3 * time.Hour)}
	recent := keyRecord{id: "recent", created: now.Add(-time.Hour), activates: now.Add(-time.Hour)}
	if !s.expired([]keyRecord{old}, old, now) {
		t.Error("a key past its rotation and keep periods, alone in the hash, is still used")
	}
	if s.expired([]keyRecord{recent}, recent, now) {
		t.Error("a key within its periods expired")
	}
}
