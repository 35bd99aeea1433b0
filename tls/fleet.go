package tls

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
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

// fleetSealer turns the fleet's ticket keys into a Sealer and the keys
// that tag session IDs, made again only when the keys change.
type fleetSealer struct {
	mu     sync.Mutex
	keys   [][32]byte
	sealer *session.Sealer
	tagKey [][]byte // one per key, in the same order
}

// current returns the sealer for the keys store gives now and their
// session-ID tag keys, newest first.
func (f *fleetSealer) current(store SessionStore) (*session.Sealer, [][]byte, error) {
	ctx, cancel := storeContext()
	keys, err := store.TicketKeys(ctx)
	cancel()
	if err != nil {
		return nil, nil, fmt.Errorf("tls: the session store gave no ticket keys: %w", err)
	}
	if len(keys) > maxFleetKeys {
		return nil, nil, fmt.Errorf("tls: the session store gave %d ticket keys, more than %d", len(keys), maxFleetKeys)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sealer != nil && slices.Equal(keys, f.keys) {
		return f.sealer, f.tagKey, nil
	}
	sealer, err := session.NewSealer(keys)
	if err != nil {
		return nil, nil, fmt.Errorf("tls: the session store's ticket keys: %w", err)
	}
	tags := make([][]byte, len(keys))
	for i := range keys {
		// A key of its own for the tags, so that no ticket key is used
		// for two purposes (RFC 5077 §5.5 asks ticket keys to serve
		// tickets only).
		if tags[i], err = hkdf.Key(sha256.New, keys[i][:], nil, "lucid fleet session id tag", sha256.Size); err != nil {
			return nil, nil, fmt.Errorf("tls: deriving a session ID tag key: %w", err)
		}
	}
	// Replaced, never changed in place, so callers may keep them.
	f.keys, f.sealer, f.tagKey = slices.Clone(keys), sealer, tags
	return sealer, tags, nil
}

// fleetResumptionConfig fills a server's resumption settings from its
// SessionStore. Without the fleet's keys it issues no ticket and keeps no
// session, and opens none: full handshakes go on.
func (c *Conn) fleetResumptionConfig(hc *handshake.Config, r *serverResumption) {
	cfg := c.config
	hc.SharedSessions = true
	sealer, tagKeys, err := r.fleet.current(cfg.SessionStore)
	if err != nil {
		c.storeFailed(err)
		return
	}
	if !cfg.SessionTicketsDisabled {
		hc.Tickets = sealer
	}
	hc.SessionIDs = &storedSessions{store: cfg.SessionStore, sealer: sealer, tagKeys: tagKeys, rand: cfg.rand(), failed: c.storeFailed}
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
// store does not open there. The IDs it makes carry a tag under the
// fleet's keys: a session ID the fleet never issued, such as the random
// legacy_session_id of a client that also offers TLS 1.3, costs no
// round trip to the store.
type storedSessions struct {
	store   SessionStore
	sealer  *session.Sealer
	tagKeys [][]byte // one per fleet key, newest first
	rand    io.Reader
	failed  func(error)
}

// idTagLen is how much of a fleet session ID is its tag; the rest is
// random.
const idTagLen = 16

// idTag is the tag of a session ID's random part under key.
func idTag(key, random []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(random)
	return m.Sum(nil)[:idTagLen]
}

func (s *storedSessions) NewID(random []byte) []byte {
	n := len(random) - idTagLen
	return append(random[:n:n], idTag(s.tagKeys[0], random[:n])...)
}

// issued reports whether id carries a tag under one of the fleet's keys.
func (s *storedSessions) issued(id []byte) bool {
	if len(id) <= idTagLen {
		return false
	}
	n := len(id) - idTagLen
	for _, k := range s.tagKeys {
		if hmac.Equal(id[n:], idTag(k, id[:n])) {
			return true
		}
	}
	return false
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
	ttl := st.CreatedAt.Add(min(st.Lifetime, session.MaxServerCacheAge)).Sub(now)
	if ttl <= 0 {
		return
	}
	ctx, cancel := storeContext()
	defer cancel()
	if err := s.store.PutSession(ctx, id, sealed, ttl); err != nil {
		s.failed(fmt.Errorf("tls: storing the TLS 1.2 session: %w", err))
	}
}

func (s *storedSessions) Get(id []byte, now time.Time) (*session.State, bool) {
	if len(id) == 0 || len(id) > session.MaxSessionIDLen || !s.issued(id) {
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
	// A session ID names a session for at most MaxServerCacheAge, as in
	// the server's own cache, whatever the store kept.
	if err != nil || !now.Before(st.CreatedAt.Add(min(st.Lifetime, session.MaxServerCacheAge))) {
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
	return g.store.Admit(ctx, id, now, until.Add(FleetClockSkew))
}
