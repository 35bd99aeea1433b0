package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"lucid/internal/testredis"
	"lucid/tls"
)

// TestRedisDownMidRun checks what a fleet sees when Redis dies and comes
// back empty: every call fails within its context, the ticket keys keep
// coming from memory, early data is refused, the state change is logged
// once; after the restart the store recovers on its own, makes a new key
// and keeps the old one for the tickets it sealed.
func TestRedisDownMidRun(t *testing.T) {
	srv := testredis.Start(t)
	s, logs := newTestStore(t, srv, nil)
	before := mustKeys(t, s)
	now := time.Now()

	srv.Stop()
	for i := range 20 {
		ctx, cancel := callCtx(t)
		keys, err := s.TicketKeys(ctx)
		if err != nil || !slices.Equal(keys, before) {
			t.Fatalf("TicketKeys with Redis down = %d keys, %v; want the cached keys", len(keys), err)
		}
		err = s.Admit(ctx, fmt.Appendf(nil, "hello %d", i), now, now.Add(10*time.Second))
		if err == nil || errors.Is(err, tls.ErrEarlyDataReplay) {
			t.Fatalf("Admit with Redis down = %v; want a failure (early data refused), not a replay", err)
		}
		if err := s.PutSession(ctx, []byte{1}, []byte("x"), time.Hour); err == nil {
			t.Fatal("PutSession with Redis down succeeded")
		}
		if _, err := s.GetSession(ctx, []byte{1}); err == nil || errors.Is(err, tls.ErrSessionNotFound) {
			t.Fatalf("GetSession with Redis down = %v; want a failure, not a miss", err)
		}
		cancel()
	}
	if s.Healthy() {
		t.Fatal("Healthy with Redis down")
	}
	if n := logs.Count("session store unreachable"); n != 1 {
		t.Fatalf("log:\n%s\nwant \"session store unreachable\" once across all the calls, got %d", logs, n)
	}
	// Past the refresh interval, the keys still come from memory.
	waitFor(t, "a failed refresh of the ticket keys", func() bool {
		if keys := mustKeys(t, s); !slices.Equal(keys, before) {
			t.Fatal("the cached keys changed while Redis was down")
		}
		s.keys.mu.Lock()
		defer s.keys.mu.Unlock()
		return s.keys.lastErr != nil
	})
	if keys := mustKeys(t, s); !slices.Equal(keys, before) {
		t.Fatal("the cached keys changed while Redis was down")
	}

	srv.Restart()
	waitFor(t, "the store to reach the restarted Redis", func() bool {
		ctx, cancel := callCtx(t)
		defer cancel()
		return s.Admit(ctx, []byte("after restart"), time.Now(), time.Now().Add(time.Second)) == nil
	})
	waitFor(t, "the store to call Redis reachable", func() bool {
		ctx, cancel := callCtx(t)
		defer cancel()
		return s.Ping(ctx) == nil && s.Healthy()
	})
	if n := logs.Count("session store reachable again"); n != 1 {
		t.Fatalf("log:\n%s\nwant \"session store reachable again\" once, got %d", logs, n)
	}
	// The restarted Redis is empty: the store makes the fleet a new key,
	// and the one it had keeps opening what it sealed.
	var after [][32]byte
	waitFor(t, "a new ticket key in the restarted Redis", func() bool {
		after = mustKeys(t, s)
		n, err := srv.Do("HLEN", "lucid:tk")
		return err == nil && n == "1" && len(after) == 2
	})
	if !slices.Contains(after, before[0]) {
		t.Fatal("the key from before the restart no longer opens tickets")
	}
	if n := logs.Count("session store unreachable"); n != 1 {
		t.Fatalf("log:\n%s\nwant \"session store unreachable\" still once, got %d", logs, n)
	}
}

// TestRedisDownAtStart checks that a store whose Redis is down from the
// start says so clearly, and starts working when Redis appears.
func TestRedisDownAtStart(t *testing.T) {
	srv := testredis.Start(t)
	srv.Stop()
	s, logs := newTestStore(t, srv, nil)
	for range 5 {
		ctx, cancel := callCtx(t)
		keys, err := s.TicketKeys(ctx)
		cancel()
		if err == nil {
			t.Fatalf("TicketKeys with Redis down and nothing cached = %d keys, no error", len(keys))
		}
	}
	if s.Healthy() {
		t.Fatal("Healthy with Redis down")
	}
	if n := logs.Count("session store unreachable"); n != 1 {
		t.Fatalf("log:\n%s\nwant \"session store unreachable\" once, got %d", logs, n)
	}
	srv.Restart()
	waitFor(t, "ticket keys once Redis is up", func() bool {
		ctx, cancel := callCtx(t)
		defer cancel()
		keys, err := s.TicketKeys(ctx)
		return err == nil && len(keys) == 1
	})
	waitFor(t, "the store to call Redis reachable", func() bool {
		ctx, cancel := callCtx(t)
		defer cancel()
		return s.Ping(ctx) == nil && s.Healthy()
	})
	if logs.Count("session store reachable again") != 1 {
		t.Fatalf("log:\n%s\nwant the recovery logged once", logs)
	}
}

// TestRedisSlow checks that a Redis that takes connections but does not
// answer costs each call no more than its context: the calls fail, early
// data is refused, and the store recovers when Redis answers again.
func TestRedisSlow(t *testing.T) {
	srv := testredis.Start(t)
	s, logs := newTestStore(t, srv, nil)
	before := mustKeys(t, s)
	srv.Freeze()
	thawed := false
	defer func() {
		if !thawed {
			srv.Thaw()
		}
	}()
	for i := range 3 {
		ctx, cancel := callCtx(t)
		now := time.Now()
		err := s.Admit(ctx, fmt.Appendf(nil, "slow %d", i), now, now.Add(10*time.Second))
		if err == nil || errors.Is(err, tls.ErrEarlyDataReplay) {
			t.Fatalf("Admit with Redis frozen = %v; want a failure", err)
		}
		if _, err := s.GetSession(ctx, []byte{1}); err == nil || errors.Is(err, tls.ErrSessionNotFound) {
			t.Fatalf("GetSession with Redis frozen = %v; want a failure", err)
		}
		keys, err := s.TicketKeys(ctx)
		if err != nil || !slices.Equal(keys, before) {
			t.Fatalf("TicketKeys with Redis frozen = %v; want the cached keys", err)
		}
		cancel()
	}
	if s.Healthy() {
		t.Fatal("Healthy with Redis frozen")
	}
	srv.Thaw()
	thawed = true
	waitFor(t, "the store to recover after Redis answers again", func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), 250*time.Millisecond)
		defer cancel()
		return s.Ping(ctx) == nil && s.Healthy()
	})
	if n := logs.Count("session store unreachable"); n != 1 {
		t.Fatalf("log:\n%s\nwant \"session store unreachable\" once, got %d", logs, n)
	}
}

// TestRefreshBackoff checks that with Redis down, a store with cached keys
// tries Redis again at most once a second, not on every handshake.
func TestRefreshBackoff(t *testing.T) {
	srv := testredis.Start(t)
	s, _ := newTestStore(t, srv, func(o *Options) { o.RefreshInterval = 0 })
	before := mustKeys(t, s)
	srv.Stop()
	// Age the cache past its refresh interval rather than wait 10 s.
	s.keys.mu.Lock()
	s.keys.fetched = time.Now().Add(-time.Minute)
	start, attempts := time.Now(), s.keys.attempts
	s.keys.mu.Unlock()
	for range 200 {
		if keys := mustKeys(t, s); !slices.Equal(keys, before) {
			t.Fatal("the cached keys changed while Redis was down")
		}
	}
	elapsed := time.Since(start)
	s.keys.mu.Lock()
	tries := s.keys.attempts - attempts
	s.keys.mu.Unlock()
	if most := int(elapsed/time.Second) + 1; tries < 1 || tries > most {
		t.Fatalf("%d reads of Redis in %v of 200 calls; want 1 to %d (one a second at most)", tries, elapsed, most)
	}
}

// TestFlappingLoggedOnce checks that a Redis that answers some calls in
// time and not others is logged unreachable once, and back only once it
// answers several calls in a row.
func TestFlappingLoggedOnce(t *testing.T) {
	srv := testredis.Start(t)
	s, logs := newTestStore(t, srv, nil)
	ctx := t.Context()
	for range 10 {
		s.observe(ctx, context.DeadlineExceeded)
		s.observe(ctx, nil)
	}
	if s.Healthy() || logs.Count("session store unreachable") != 1 || logs.Count("reachable again") != 0 {
		t.Fatalf("after 10 flaps: Healthy %v, log:\n%s\nwant unhealthy, unreachable logged once", s.Healthy(), logs)
	}
	for range recoveryAnswers {
		s.observe(ctx, nil)
	}
	if !s.Healthy() || logs.Count("reachable again") != 1 {
		t.Fatalf("after %d answers: Healthy %v, log:\n%s\nwant healthy, logged once", recoveryAnswers, s.Healthy(), logs)
	}
}
