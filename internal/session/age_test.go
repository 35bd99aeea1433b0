package session

import (
	"testing"
	"time"

	"lucid/internal/version"
)

func ticket(lifetime time.Duration, ageAdd uint32) *State {
	s := minimalState()
	s.Version = version.TLS13
	s.CreatedAt = t0
	s.Lifetime = lifetime
	s.AgeAdd = ageAdd
	return s
}

func TestObfuscatedAge(t *testing.T) {
	for _, tc := range []struct {
		age    time.Duration
		ageAdd uint32
		want   uint32
	}{
		{0, 0, 0},
		{1500 * time.Millisecond, 1000, 2500},
		{1500*time.Millisecond + 999*time.Microsecond, 0, 1500}, // whole ms
		// RFC 8446 §4.2.11.1: the sum is taken modulo 2^32.
		{time.Second, 0xffffffff - 499, 500},
		{time.Second, 0xfffffc18, 0},
		// An age past 2^32 ms (49.7 days) wraps too, and does not panic.
		{(1<<32 + 7) * time.Millisecond, 3, 10},
		// The clock went back: age zero.
		{-time.Hour, 42, 42},
	} {
		if got := ObfuscatedAge(ticket(time.Hour, tc.ageAdd), t0.Add(tc.age)); got != tc.want {
			t.Errorf("age %v, add %#x: got %d, want %d", tc.age, tc.ageAdd, got, tc.want)
		}
	}
	if ObfuscatedAge(nil, t0) != 0 {
		t.Error("nil state")
	}
}

func TestAgeOK(t *testing.T) {
	const tol = 10 * time.Second
	lifetime := 2 * time.Hour
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	obf := func(st *State, clientAge time.Duration) uint32 {
		return uint32(clientAge.Milliseconds()) + st.AgeAdd
	}
	for _, tc := range []struct {
		name      string
		ageAdd    uint32
		lifetime  time.Duration
		server    time.Duration // server's age of the ticket
		client    time.Duration // age the client reports
		tolerance time.Duration
		want      bool
	}{
		{"fresh", 7, lifetime, 0, 0, tol, true},
		{"agree", 7, lifetime, time.Minute, time.Minute, 0, true},
		{"sub-ms server age", 7, lifetime, time.Minute + 600*time.Microsecond, time.Minute, 0, true},
		{"client behind at tolerance", 7, lifetime, time.Minute, time.Minute - tol, tol, true},
		{"client ahead at tolerance", 7, lifetime, time.Minute, time.Minute + tol, tol, true},
		{"client behind past tolerance", 7, lifetime, time.Minute, time.Minute - tol - time.Millisecond, tol, false},
		{"client ahead past tolerance", 7, lifetime, time.Minute, time.Minute + tol + time.Millisecond, tol, false},
		{"negative tolerance is zero", 7, lifetime, time.Minute, time.Minute, -tol, true},
		{"negative tolerance rejects skew", 7, lifetime, time.Minute, time.Minute + time.Millisecond, -tol, false},
		{"just inside lifetime", 7, lifetime, lifetime - time.Nanosecond, lifetime - time.Millisecond, tol, true},
		{"exactly the lifetime", 7, lifetime, lifetime, lifetime - time.Second, tol, false},
		{"past the lifetime", 7, lifetime, lifetime + time.Second, lifetime, tol, false},
		{"client claims the lifetime", 7, lifetime, lifetime - time.Second, lifetime, tol, false},
		{"zero lifetime", 7, 0, 0, 0, tol, false},
		{"created in the future", 7, lifetime, -time.Millisecond, 0, tol, false},
		{"lifetime over 7 days clamped", 7, 8 * 24 * time.Hour, MaxLifetime, MaxLifetime - time.Second, tol, false},
		{"7 days less 1ms", 7, MaxLifetime, MaxLifetime - time.Millisecond, MaxLifetime - time.Millisecond, 0, true},
		// ticket_age_add near 2^32: the client's sum wraps, the
		// server's subtraction unwraps.
		{"wrapped sum", 0xffffff00, lifetime, 5 * time.Second, 5 * time.Second, 0, true},
		{"wrapped sum, skewed", 0xffffff00, lifetime, 5 * time.Second, 4 * time.Second, time.Second, true},
		{"wrapped sum, too skewed", 0xffffff00, lifetime, 5 * time.Second, 3 * time.Second, time.Second, false},
	} {
		st := ticket(tc.lifetime, tc.ageAdd)
		if got := AgeOK(st, obf(st, tc.client), at(tc.server), tc.tolerance); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	// A value below ticket_age_add unwraps to a huge age: refused, not
	// mistaken for a small one.
	st := ticket(lifetime, 1000)
	if AgeOK(st, 999, at(time.Second), tol) {
		t.Error("accepted an age that unwraps to ~49 days")
	}
	if AgeOK(nil, 0, t0, tol) {
		t.Error("nil state accepted")
	}
}

// TestAgeRoundTrip is the client and server halves together, including a
// wrapping ticket_age_add and a server whose clock runs a little ahead.
func TestAgeRoundTrip(t *testing.T) {
	for _, add := range []uint32{0, 1, 0x7fffffff, 0xfffffffe, 0xffffffff} {
		server := ticket(time.Hour, add)
		client := server.Clone()
		client.CreatedAt = t0.Add(40 * time.Millisecond) // NewSessionTicket in flight
		now := t0.Add(30*time.Minute + 123456789)
		age := ObfuscatedAge(client, now)
		if !AgeOK(server, age, now.Add(25*time.Millisecond), 100*time.Millisecond) {
			t.Errorf("add %#x: round trip rejected", add)
		}
		if AgeOK(server, age, now.Add(time.Second), 100*time.Millisecond) {
			t.Errorf("add %#x: a second of skew accepted", add)
		}
	}
}
