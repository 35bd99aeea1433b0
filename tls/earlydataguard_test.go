package tls_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"lucid/tls"
)

var guardEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func TestEarlyDataGuardRefusesReplay(t *testing.T) {
	g := tls.NewMemoryEarlyDataGuard(16, 10*time.Second)
	now := guardEpoch
	until := now.Add(10 * time.Second)
	if err := g.Admit([]byte("hello one"), now, until); err != nil {
		t.Fatalf("first ClientHello refused: %v", err)
	}
	// The replay comes later, still within the window.
	err := g.Admit([]byte("hello one"), now.Add(9*time.Second), until)
	if !errors.Is(err, tls.ErrEarlyDataReplay) {
		t.Fatalf("replay: got %v, want ErrEarlyDataReplay", err)
	}
	if err := g.Admit([]byte("hello two"), now.Add(time.Second), until); err != nil {
		t.Fatalf("another ClientHello refused: %v", err)
	}
	// An id that is a prefix of another is a different id.
	if err := g.Admit([]byte("hello"), now.Add(time.Second), until); err != nil {
		t.Fatalf("prefix of an admitted id refused: %v", err)
	}
	if n := g.Len(); n != 3 {
		t.Fatalf("Len = %d, want 3", n)
	}
}

// An entry is forgotten once its until has passed: by then the ticket-age
// check refuses the ClientHello, and keeping it would only cost memory.
func TestEarlyDataGuardExpiry(t *testing.T) {
	g := tls.NewMemoryEarlyDataGuard(16, 10*time.Second)
	now := guardEpoch
	if err := g.Admit([]byte("a"), now, now.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := g.Admit([]byte("b"), now, now.Add(8*time.Second)); err != nil {
		t.Fatal(err)
	}
	// Just before a's until it is still remembered.
	if err := g.Admit([]byte("a"), now.Add(5*time.Second-time.Nanosecond), now.Add(10*time.Second)); !errors.Is(err, tls.ErrEarlyDataReplay) {
		t.Fatalf("a before its until: got %v, want ErrEarlyDataReplay", err)
	}
	later := now.Add(6 * time.Second)
	if err := g.Admit([]byte("c"), later, later.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	// a expired and was dropped; b was not.
	if n := g.Len(); n != 2 {
		t.Fatalf("Len after a expired = %d, want 2 (b and c)", n)
	}
	if err := g.Admit([]byte("b"), later, later.Add(time.Second)); !errors.Is(err, tls.ErrEarlyDataReplay) {
		t.Fatalf("b within its window: got %v, want ErrEarlyDataReplay", err)
	}
	if err := g.Admit([]byte("a"), later, later.Add(time.Second)); err != nil {
		t.Fatalf("a after its until: %v", err)
	}
}

// The guard never holds more than its capacity, and when full it refuses
// rather than forgets an entry that could then be replayed.
func TestEarlyDataGuardBound(t *testing.T) {
	const max = 8
	g := tls.NewMemoryEarlyDataGuard(max, 10*time.Second)
	now := guardEpoch
	for i := range max {
		if err := g.Admit(fmt.Appendf(nil, "id %d", i), now, now.Add(time.Duration(i+1)*time.Second)); err != nil {
			t.Fatalf("id %d: %v", i, err)
		}
	}
	if err := g.Admit([]byte("one too many"), now, now.Add(time.Second)); !errors.Is(err, tls.ErrEarlyDataGuardFull) {
		t.Fatalf("beyond capacity: got %v, want ErrEarlyDataGuardFull", err)
	}
	// Every entry is still there: none was evicted to make room.
	for i := range max {
		if err := g.Admit(fmt.Appendf(nil, "id %d", i), now, now.Add(time.Second)); !errors.Is(err, tls.ErrEarlyDataReplay) {
			t.Fatalf("id %d after the refusal: got %v, want ErrEarlyDataReplay", i, err)
		}
	}
	if n := g.Len(); n != max {
		t.Fatalf("Len = %d, want %d", n, max)
	}
	// Once the earliest two expire, two new ones fit and a third does not.
	now = now.Add(2 * time.Second)
	for _, id := range []string{"new 1", "new 2"} {
		if err := g.Admit([]byte(id), now, now.Add(time.Second)); err != nil {
			t.Fatalf("%s after expiry freed room: %v", id, err)
		}
	}
	if err := g.Admit([]byte("new 3"), now, now.Add(time.Second)); !errors.Is(err, tls.ErrEarlyDataGuardFull) {
		t.Fatalf("new 3: got %v, want ErrEarlyDataGuardFull", err)
	}
}

// An until beyond the guard's window, or already past, is refused: the
// first would keep an entry longer than the guard bounds, the second would
// admit a ClientHello the guard cannot protect.
func TestEarlyDataGuardWindow(t *testing.T) {
	g := tls.NewMemoryEarlyDataGuard(8, 10*time.Second)
	now := guardEpoch
	if err := g.Admit([]byte("far"), now, now.Add(10*time.Second+time.Nanosecond)); !errors.Is(err, tls.ErrEarlyDataWindow) {
		t.Fatalf("until beyond the window: got %v, want ErrEarlyDataWindow", err)
	}
	if err := g.Admit([]byte("past"), now, now); !errors.Is(err, tls.ErrEarlyDataWindow) {
		t.Fatalf("until not after now: got %v, want ErrEarlyDataWindow", err)
	}
	if n := g.Len(); n != 0 {
		t.Fatalf("refused ids were recorded: Len = %d", n)
	}
	if err := g.Admit([]byte("edge"), now, now.Add(10*time.Second)); err != nil {
		t.Fatalf("until exactly at the window: %v", err)
	}
}

func TestEarlyDataGuardDefaults(t *testing.T) {
	g := tls.NewMemoryEarlyDataGuard(0, 0)
	now := guardEpoch
	if err := g.Admit([]byte("x"), now, now.Add(20*time.Second)); err != nil {
		t.Fatalf("default window refused 20s: %v", err)
	}
	if err := g.Admit([]byte("y"), now, now.Add(21*time.Second)); !errors.Is(err, tls.ErrEarlyDataWindow) {
		t.Fatalf("default window accepted 21s: %v", err)
	}
}

// Racing admissions of one id let exactly one through; distinct ids all
// pass. Run with -race to check the locking too.
func TestEarlyDataGuardConcurrent(t *testing.T) {
	const workers, perWorker = 8, 200
	g := tls.NewMemoryEarlyDataGuard(workers*perWorker+1, 10*time.Second)
	now := guardEpoch
	until := now.Add(5 * time.Second)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		admitted int
		errs     []error
	)
	start := make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range perWorker {
				err := g.Admit([]byte("the replayed one"), now, until)
				mu.Lock()
				if err == nil {
					admitted++
				} else if !errors.Is(err, tls.ErrEarlyDataReplay) {
					errs = append(errs, err)
				}
				mu.Unlock()
				if err := g.Admit(fmt.Appendf(nil, "%d/%d", w, i), now, until); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("distinct id %d/%d: %w", w, i, err))
					mu.Unlock()
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d unexpected errors, first: %v", len(errs), errs[0])
	}
	if admitted != 1 {
		t.Fatalf("the same id was admitted %d times, want once", admitted)
	}
	if n, want := g.Len(), workers*perWorker+1; n != want {
		t.Fatalf("Len = %d, want %d", n, want)
	}
}

// BenchmarkEarlyDataGuardAdmit measures an admission in steady state: the
// guard full of entries that expire as fast as new ones come.
func BenchmarkEarlyDataGuardAdmit(b *testing.B) {
	const live = 4096
	g := tls.NewMemoryEarlyDataGuard(live, time.Minute)
	now := guardEpoch
	id := make([]byte, 32+32) // a random and a binder
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Millisecond)
		id[0], id[1], id[2], id[3] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		if err := g.Admit(id, now, now.Add(live*time.Millisecond)); err != nil {
			b.Fatal(err)
		}
	}
}

// Entries admitted with untils out of order expire each at its own until.
func TestEarlyDataGuardExpiryOrder(t *testing.T) {
	g := tls.NewMemoryEarlyDataGuard(64, time.Minute)
	now := guardEpoch
	untils := []int{30, 5, 17, 1, 29, 12, 12, 8, 25, 3}
	for i, u := range untils {
		if err := g.Admit(fmt.Appendf(nil, "%d", i), now, now.Add(time.Duration(u)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	for step := 0; step <= 31; step++ {
		at := now.Add(time.Duration(step) * time.Second)
		// A fresh admission drives the expiry; it is counted below.
		if err := g.Admit(fmt.Appendf(nil, "probe %d", step), at, at.Add(time.Nanosecond)); err != nil {
			t.Fatal(err)
		}
		live := 1 // the probe just admitted; earlier probes lived a nanosecond
		for _, u := range untils {
			if u > step {
				live++
			}
		}
		if n := g.Len(); n != live {
			t.Fatalf("at %ds: Len = %d, want %d", step, n, live)
		}
	}
}
