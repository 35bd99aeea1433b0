package tls

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"lucid/internal/handshake"
	"lucid/internal/session"
)

// A server with a SessionStore keeps nothing of resumption for itself:
// tickets are sealed with the fleet's keys, TLS 1.2 sessions go to the
// store sealed with the same keys, and the early-data guard is the
// store's. Each call to the store is bounded by SessionStoreTimeout, and
// each failure costs only what needed the store.

// storeContext bounds one call to a SessionStore.
func storeContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), SessionStoreTimeout)
}

// fleetSealer turns the fleet's ticket keys into a Sealer, made again only
// when the keys change.
type fleetSealer struct {
	mu     sync.Mutex
	keys   [][32]byte
	sealer *session.Sealer
}

// current returns the sealer for the keys store gives now.
func (f *fleetSealer) current(store SessionStore) (*session.Sealer, error) {
	ctx, cancel := storeContext()
	keys, err := store.TicketKeys(ctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("tls: the session store gave no ticket keys: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sealer != nil && slices.Equal(keys, f.keys) {
		return f.sealer, nil
	}
	sealer, err := session.NewSealer(keys)
	if err != nil {
		return nil, fmt.Errorf("tls: the session store's ticket keys: %w", err)
	}
	f.keys, f.sealer = slices.Clone(keys), sealer
	return sealer, nil
}

// fleetResumptionConfig fills a server's resumption settings from its
// SessionStore. Without the fleet's keys it issues no ticket and keeps no
// session, and opens none: full handshakes go on.
func (c *Conn) fleetResumptionConfig(hc *handshake.Config, r *serverResumption) {
	cfg := c.config
	hc.SharedSessions = true
	sealer, err := r.fleet.current(cfg.SessionStore)
	if err != nil {
		c.storeFailed(err)
		return
	}
	if !cfg.SessionTicketsDisabled {
		hc.Tickets = sealer
	}
	hc.SessionIDs = &storedSessions{store: cfg.SessionStore, sealer: sealer, rand: cfg.rand(), failed: c.storeFailed}
}

// storeFailed reports a store that did not answer as a decision event: the
// store itself says once when it goes down and comes back, the events say
// what it cost each connection.
func (c *Conn) storeFailed(err error) {
	c.observe(Event{Kind: EventDecision, Name: "session_store", Detail: err.Error(), Err: err})
}

// storedSessions keeps TLS 1.2 sessions by ID in a SessionStore. Each is
// sealed with the fleet's ticket keys together with its ID, so the store
// holds nothing usable in clear, and an entry moved to another ID in the
// store does not open there.
type storedSessions struct {
	store  SessionStore
	sealer *session.Sealer
	rand   io.Reader
	failed func(error)
}

// sessionPlain is what storedSessions seals: the ID with its length, then
// the state.
func sessionPlain(id []byte, st []byte) []byte {
	return append(append([]byte{byte(len(id))}, id...), st...)
}

func (s *storedSessions) Put(id []byte, st *session.State, now time.Time) {
	if len(id) == 0 || len(id) > session.MaxSessionIDLen {
		return
	}
	plain := st.Marshal()
	if plain == nil {
		return
	}
	sealed, err := s.sealer.Seal(s.rand, sessionPlain(id, plain))
	if err != nil || len(sealed) > MaxStoredSessionLen {
		// Too large to share: the client then cannot resume it.
		return
	}
	expires := st.CreatedAt.Add(min(st.Lifetime, session.MaxServerCacheAge))
	ctx, cancel := storeContext()
	defer cancel()
	if err := s.store.PutSession(ctx, id, sealed, expires); err != nil {
		s.failed(fmt.Errorf("tls: storing the TLS 1.2 session: %w", err))
	}
}

func (s *storedSessions) Get(id []byte, now time.Time) (*session.State, bool) {
	if len(id) == 0 || len(id) > session.MaxSessionIDLen {
		return nil, false
	}
	ctx, cancel := storeContext()
	sealed, err := s.store.GetSession(ctx, id)
	cancel()
	switch {
	case errors.Is(err, ErrSessionNotFound):
		return nil, false
	case err != nil:
		s.failed(fmt.Errorf("tls: looking up the TLS 1.2 session: %w", err))
		return nil, false
	case len(sealed) > MaxStoredSessionLen:
		s.failed(fmt.Errorf("tls: the session store returned %d bytes for a session, more than %d", len(sealed), MaxStoredSessionLen))
		return nil, false
	}
	plain, err := s.sealer.Open(sealed)
	if err != nil || len(plain) < 1+len(id) || int(plain[0]) != len(id) || !bytes.Equal(plain[1:1+len(id)], id) {
		return nil, false
	}
	st, err := session.Unmarshal(plain[1+len(id):])
	if err != nil {
		return nil, false
	}
	return st, true
}

// storeGuard is a SessionStore's anti-replay guard as an EarlyDataGuard,
// each call bounded by SessionStoreTimeout. A store that does not answer
// in time refuses: early data it cannot check is not accepted.
type storeGuard struct{ store SessionStore }

func (g storeGuard) Admit(id []byte, now, until time.Time) error {
	ctx, cancel := storeContext()
	defer cancel()
	return g.store.Admit(ctx, id, now, until)
}
