package redisstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"lucid/internal/testredis"
	"lucid/tls"
)

func TestAdmit(t *testing.T) {
	srv := testredis.Start(t)
	s, _ := newTestStore(t, srv, nil)
	ctx, cancel := callCtx(t)
	defer cancel()
	now := time.Now()
	until := now.Add(10 * time.Second)
	id := []byte("client hello digest")

	if err := s.Admit(ctx, id, now, until); err != nil {
		t.Fatalf("first Admit: %v", err)
	}
	if err := s.Admit(ctx, id, now, until); !errors.Is(err, tls.ErrEarlyDataReplay) {
		t.Fatalf("second Admit = %v; want ErrEarlyDataReplay", err)
	}
	if err := s.Admit(ctx, []byte("another"), now, until); err != nil {
		t.Fatalf("Admit of another id: %v", err)
	}
	d := sha256.Sum256(id)
	key := "lucid:ed:" + hex.EncodeToString(d[:])
	pttl, err := srv.Do("PTTL", key)
	if ms, _ := strconv.Atoi(pttl); err != nil || ms <= 0 || ms > 10000 {
		t.Fatalf("PTTL %s = %q, %v; want the entry kept for its window of 10 s", key, pttl, err)
	}
	// An empty or reversed window is the caller's mistake; no entry.
	if err := s.Admit(ctx, []byte("late"), now, now); !errors.Is(err, tls.ErrEarlyDataWindow) {
		t.Fatalf("Admit with until == now = %v; want ErrEarlyDataWindow", err)
	}
	if err := s.Admit(ctx, []byte("long"), now, now.Add(2*time.Hour)); !errors.Is(err, tls.ErrEarlyDataWindow) {
		t.Fatalf("Admit with a two-hour window = %v; want ErrEarlyDataWindow", err)
	}
}

// TestAdmitShortWindow checks that an entry kept a moment is still kept:
// a window under a millisecond is rounded up, not down to nothing.
func TestAdmitShortWindow(t *testing.T) {
	srv := testredis.Start(t)
	s, _ := newTestStore(t, srv, nil)
	ctx, cancel := callCtx(t)
	defer cancel()
	now := time.Now()
	if err := s.Admit(ctx, []byte("x"), now, now.Add(time.Microsecond)); err != nil {
		t.Fatalf("Admit with a 1 µs window: %v", err)
	}
}

// TestAdmitConcurrent checks that of many servers admitting one
// ClientHello at once, exactly one succeeds.
func TestAdmitConcurrent(t *testing.T) {
	srv := testredis.Start(t)
	a, _ := newTestStore(t, srv, nil)
	b, _ := newTestStore(t, srv, nil)
	const n = 32
	now := time.Now()
	until := now.Add(10 * time.Second)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			errs[i] = s.Admit(t.Context(), []byte("one client hello"), now, until)
		})
	}
	wg.Wait()
	admitted := 0
	for _, err := range errs {
		switch {
		case err == nil:
			admitted++
		case !errors.Is(err, tls.ErrEarlyDataReplay):
			t.Errorf("Admit: %v; want nil or ErrEarlyDataReplay", err)
		}
	}
	if admitted != 1 {
		t.Fatalf("%d of %d concurrent Admits succeeded; want exactly 1", admitted, n)
	}
}
