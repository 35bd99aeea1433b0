package tls

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"lucid/internal/session"
	"lucid/internal/version"
)

// oneSession is a SessionStore that hands back one fixed answer.
type oneSession struct {
	sealed []byte
	put    []byte
}

func (o *oneSession) TicketKeys(context.Context) ([][32]byte, error) {
	return nil, errors.New("unused")
}
func (o *oneSession) PutSession(_ context.Context, id, sealed []byte, _ time.Time) error {
	o.put = bytes.Clone(sealed)
	return nil
}
func (o *oneSession) GetSession(context.Context, []byte) ([]byte, error) { return o.sealed, nil }
func (o *oneSession) Admit(context.Context, []byte, time.Time, time.Time) error {
	return errors.New("unused")
}

func fleetTestSessions(t testing.TB, store SessionStore) *storedSessions {
	keys := [][32]byte{{'k', '1'}, {'k', '0'}}
	sealer, err := session.NewSealer(keys)
	if err != nil {
		t.Fatal(err)
	}
	return &storedSessions{store: store, sealer: sealer, keys: keys, rand: rand.Reader, failed: func(error) {}}
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
	id := fleetTestSessions(f, nil).NewID(bytes.Repeat([]byte{9}, 32))
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
