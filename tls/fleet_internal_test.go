package tls

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"lucid/internal/session"
	"lucid/internal/version"
)

// oneSession is a SessionStore that hands back one fixed answer.
type oneSession struct {
	keys   [][32]byte
	sealed []byte
	put    []byte
	until  time.Time // what Admit was asked to keep its entry until
}

func (o *oneSession) TicketKeys(context.Context) ([][32]byte, error) {
	return o.keys, nil
}
func (o *oneSession) PutSession(_ context.Context, id, sealed []byte, _ time.Duration) error {
	o.put = bytes.Clone(sealed)
	return nil
}
func (o *oneSession) GetSession(context.Context, []byte) ([]byte, error) { return o.sealed, nil }
func (o *oneSession) Admit(_ context.Context, _ []byte, _, until time.Time) error {
	o.until = until
	return nil
}

// The fleet's guard keeps an entry FleetClockSkew past the accepting
// server's window: a server whose clock runs that much behind still
// accepts the ClientHello's age until then.
func TestStoreGuardAllowsForSkew(t *testing.T) {
	store := &oneSession{}
	now := time.Unix(1_800_000_000, 0)
	if err := (storeGuard{store}).Admit([]byte("hello"), now, now.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if want := now.Add(5*time.Second + FleetClockSkew); !store.until.Equal(want) {
		t.Fatalf("the store was asked to keep the entry until %v, want %v", store.until, want)
	}
}

// fleetTestSessions is what a fleet server with keys keeps its TLS 1.2
// sessions in; keys defaults to two.
func fleetTestSessions(t testing.TB, store *oneSession, keys ...[32]byte) *storedSessions {
	if len(keys) == 0 {
		keys = [][32]byte{{'k', '1'}, {'k', '0'}}
	}
	store.keys = keys
	var f fleetSealer
	sealer, tags, err := f.current(store)
	if err != nil {
		t.Fatal(err)
	}
	return &storedSessions{store: store, sealer: sealer, tagKeys: tags, rand: rand.Reader, failed: func(error) {}}
}

// A session ID stays the fleet's across a rotation, for as long as the key
// it was tagged under is among the fleet's, and no longer.
func TestStoredSessionIDAcrossRotation(t *testing.T) {
	k0, k1, k2 := [32]byte{'k', '0'}, [32]byte{'k', '1'}, [32]byte{'k', '2'}
	id := fleetTestSessions(t, &oneSession{}, k0).NewID(bytes.Repeat([]byte{5}, 32))
	if !fleetTestSessions(t, &oneSession{}, k1, k0).issued(id) {
		t.Error("after a rotation the fleet no longer knows its session ID")
	}
	if fleetTestSessions(t, &oneSession{}, k2, k1).issued(id) {
		t.Error("the fleet still knows a session ID whose key it dropped")
	}
	if fleetTestSessions(t, &oneSession{}, k0).issued(bytes.Repeat([]byte{5}, 32)) {
		t.Error("the fleet took a random session ID for its own")
	}
}

// What a fleet stores round-trips: a state put under an ID the fleet
// made comes back whole from that ID, and from no other.
func TestStoredSessionRoundTrip(t *testing.T) {
	store := &oneSession{}
	s := fleetTestSessions(t, store)
	now := time.Unix(1_800_000_000, 0)
	st := &session.State{Version: version.TLS12, Suite: 0xc02b, Secret: bytes.Repeat([]byte{7}, 48), CreatedAt: now,
		AuthTime: now, Lifetime: time.Hour, ServerName: "example.com", EMS: true, Issuer: "edge-a"}
	random := make([]byte, 32)
	rand.Read(random)
	id := s.NewID(random)
	if !s.issued(id) || len(id) != 32 {
		t.Fatalf("NewID made %x, which the fleet does not recognize", id)
	}
	s.Put(id, st, now)
	store.sealed = store.put
	got, ok := s.Get(id, now)
	if !ok || got.Issuer != "edge-a" || !bytes.Equal(got.Secret, st.Secret) || got.ServerName != st.ServerName {
		t.Fatalf("Get after Put: %+v, %v", got, ok)
	}
	other := s.NewID(bytes.Repeat([]byte{1}, 32))
	if _, ok := s.Get(other, now); ok {
		t.Fatal("the session opened under another ID the fleet made")
	}
	if bytes.Contains(store.put, st.Secret) {
		t.Fatal("the store holds the master secret in clear")
	}
	// A session ID lasts at most a day, as in the server's own cache,
	// even when the store keeps a week-long session longer than asked.
	st.Lifetime = 7 * 24 * time.Hour
	s.Put(id, st, now)
	store.sealed = store.put
	if _, ok := s.Get(id, now.Add(23*time.Hour)); !ok {
		t.Fatal("a 23-hour-old session ID did not resume")
	}
	if _, ok := s.Get(id, now.Add(25*time.Hour)); ok {
		t.Fatal("a 25-hour-old session ID resumed")
	}
}

// FuzzStoredSession: whatever a store hands back, sealed with the fleet's
// key around any bytes, Get neither panics nor accepts a state that
// Unmarshal would refuse.
func FuzzStoredSession(f *testing.F) {
	f.Add([]byte{32}, []byte{})
	f.Add(append([]byte{32}, make([]byte, 32)...), []byte{4, 3, 3})
	f.Add([]byte{}, []byte{})
	f.Add([]byte{255, 1, 2}, bytes.Repeat([]byte{0xff}, 64))
	// A session as Put seals it, so the fuzzer starts from the path that
	// accepts.
	id := fleetTestSessions(f, &oneSession{}).NewID(bytes.Repeat([]byte{9}, 32))
	now := time.Now()
	good := &session.State{Version: version.TLS12, Suite: 0xc02b, Secret: []byte{1}, CreatedAt: now, AuthTime: now, Lifetime: time.Hour, EMS: true}
	f.Add(append([]byte{byte(len(id))}, id...), good.Marshal())
	f.Fuzz(func(t *testing.T, prefix, plain []byte) {
		store := &oneSession{}
		s := fleetTestSessions(t, store)
		id := s.NewID(bytes.Repeat([]byte{9}, 32))
		full := append(bytes.Clone(prefix), plain...)
		sealed, err := s.sealer.Seal(rand.Reader, full)
		if err != nil {
			return
		}
		store.sealed = sealed
		st, ok := s.Get(id, time.Now())
		if !ok {
			return
		}
		if err := st.Validate(); err != nil {
			t.Fatalf("Get accepted an invalid state: %v", err)
		}
		if !bytes.HasPrefix(full, append([]byte{byte(len(id))}, id...)) {
			t.Fatal("Get accepted a session not bound to its ID")
		}
	})
}
