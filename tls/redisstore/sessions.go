package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"lucid/internal/session"
	"lucid/tls"
)

// PutSession implements tls.SessionStore: SET with an expiry of ttl,
// capped at 24 hours. The expiry is sent as a duration (PX) rather than as
// a moment (PXAT) so that it runs on Redis's clock from the moment Redis
// receives it: a server whose clock differs from Redis's then neither
// loses sessions early nor keeps them late.
func (s *Store) PutSession(ctx context.Context, id, sealed []byte, ttl time.Duration) error {
	if err := checkSessionID(id); err != nil {
		return err
	}
	if len(sealed) > tls.MaxStoredSessionLen {
		return fmt.Errorf("redisstore: sealed session of %d bytes is longer than %d", len(sealed), tls.MaxStoredSessionLen)
	}
	ttl = min(ttl, session.MaxServerCacheAge)
	if ttl < time.Millisecond {
		// Already expired: there is nothing unexpired to store, and
		// GetSession must not find it.
		return nil
	}
	err := s.client.Do(ctx, "SET", s.sessionKey(id), sealed, "PX", ttl.Milliseconds()).Err()
	s.observe(ctx, err)
	if err != nil {
		return wrap("storing a session", err)
	}
	return nil
}

// GetSession implements tls.SessionStore. A value longer than
// tls.MaxStoredSessionLen is an error, whoever put it there.
func (s *Store) GetSession(ctx context.Context, id []byte) ([]byte, error) {
	if err := checkSessionID(id); err != nil {
		return nil, err
	}
	key := s.sessionKey(id)
	// GETRANGE reads at most one byte more than a session may have, so a
	// value somebody stored huge is refused without being read whole, in
	// the one round trip a GET takes. (A Redis that lies about a reply's
	// length is another matter: the store trusts Redis to answer.) It answers a missing key with an
	// empty value, which no session is.
	v, err := s.client.GetRange(ctx, key, 0, tls.MaxStoredSessionLen).Bytes()
	s.observe(ctx, err)
	switch {
	case errors.Is(err, redis.Nil) || err == nil && len(v) == 0:
		return nil, tls.ErrSessionNotFound
	case err != nil:
		return nil, wrap("reading a session", err)
	case len(v) > tls.MaxStoredSessionLen:
		return nil, fmt.Errorf("redisstore: the session stored under %s is %d bytes, longer than %d", key, len(v), tls.MaxStoredSessionLen)
	}
	return v, nil
}

func checkSessionID(id []byte) error {
	if len(id) == 0 || len(id) > session.MaxSessionIDLen {
		return fmt.Errorf("redisstore: session ID of %d bytes; it must be 1 to %d", len(id), session.MaxSessionIDLen)
	}
	return nil
}

func (s *Store) sessionKey(id []byte) string {
	return s.prefix + "s:" + hex.EncodeToString(id)
}
