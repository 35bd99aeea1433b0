// Package teststore is a tls.SessionStore in memory for tests: the
// servers of a fleet in one process, with a store a test can take down.
package teststore

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"lucid/tls"
)

// Store is a tls.SessionStore in memory that a test can take down or
// tamper with: one ticket key, sessions and admitted ids in maps. Tests
// that need it to misbehave lock Mu and change the fields.
type Store struct {
	Mu       sync.Mutex
	Keys     [][32]byte
	Sessions map[string][]byte
	Admitted map[string]bool
	// Down fails every call with ErrDown; Oversize makes GetSession
	// return more than tls.MaxStoredSessionLen.
	Down, Oversize bool
	// Puts and Gets count the sessions stored and looked up.
	Puts, Gets int
}

// ErrDown is what a Store that is down returns.
var ErrDown = errors.New("teststore: down")

// New returns a Store that works.
func New() *Store {
	return &Store{Keys: [][32]byte{{'f', 'l', 'e', 'e', 't'}}, Sessions: map[string][]byte{}, Admitted: map[string]bool{}}
}

// SetDown takes the store down or brings it back.
func (m *Store) SetDown(down bool) {
	m.Mu.Lock()
	m.Down = down
	m.Mu.Unlock()
}

// TicketKeys returns Keys.
func (m *Store) TicketKeys(ctx context.Context) ([][32]byte, error) {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	if m.Down {
		return nil, ErrDown
	}
	return append([][32]byte(nil), m.Keys...), nil
}

// PutSession keeps sealed under id, refusing a call without a deadline.
func (m *Store) PutSession(ctx context.Context, id, sealed []byte, ttl time.Duration) error {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	if m.Down {
		return ErrDown
	}
	if _, ok := ctx.Deadline(); !ok {
		return errors.New("Store: a call without a deadline")
	}
	m.Sessions[string(id)] = bytes.Clone(sealed)
	m.Puts++
	return nil
}

// GetSession returns what PutSession kept under id.
func (m *Store) GetSession(ctx context.Context, id []byte) ([]byte, error) {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	m.Gets++
	switch s, ok := m.Sessions[string(id)]; {
	case m.Down:
		return nil, ErrDown
	case m.Oversize:
		return make([]byte, tls.MaxStoredSessionLen+1), nil
	case !ok:
		return nil, tls.ErrSessionNotFound
	default:
		return bytes.Clone(s), nil
	}
}

// Admit admits each id once.
func (m *Store) Admit(ctx context.Context, id []byte, now, until time.Time) error {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	if m.Down {
		return ErrDown
	}
	if m.Admitted[string(id)] {
		return tls.ErrEarlyDataReplay
	}
	m.Admitted[string(id)] = true
	return nil
}
