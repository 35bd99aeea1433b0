package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"lucid/tls"
)

// maxAdmitWindow bounds how long an admitted id is kept. The TLS server
// asks for its ticket-age tolerance window, seconds; a window of hours is
// a caller's mistake that would fill Redis, so it is refused (and the
// early data with it) rather than kept.
const maxAdmitWindow = time.Hour

// Admit implements tls.SessionStore: the fleet's early-data anti-replay
// guard (tls.EarlyDataGuard), a SET NX of the SHA-256 of id that expires
// at until. Redis runs SET NX atomically, so of any number of servers
// admitting one id at once exactly one succeeds.
//
// The expiry is sent as until - now (PX), rounded up to the millisecond
// and at least one: it then lasts on Redis's clock as long as the caller
// asked on its own, whatever the difference between the clocks; a PXAT
// moment from a server whose clock runs behind Redis's would expire early
// and let a replay in.
//
// It fails closed: a replay returns an error wrapping
// tls.ErrEarlyDataReplay, and any other failure (Redis unreachable, too
// slow for ctx) returns an error too, on which the server refuses the
// early data.
func (s *Store) Admit(ctx context.Context, id []byte, now, until time.Time) error {
	window := until.Sub(now)
	if window <= 0 {
		// The ticket-age check refuses this ClientHello anyway; like
		// the in-memory guard, say so rather than admit it.
		return tls.ErrEarlyDataWindow
	}
	if window > maxAdmitWindow {
		return fmt.Errorf("redisstore: replay window of %v is longer than %v: %w", window, maxAdmitWindow, tls.ErrEarlyDataWindow)
	}
	ms := (window + time.Millisecond - 1) / time.Millisecond
	d := sha256.Sum256(id)
	key := s.prefix + "ed:" + hex.EncodeToString(d[:])
	err := s.client.Do(ctx, "SET", key, "1", "PX", int64(ms), "NX").Err()
	s.observe(ctx, err)
	switch {
	case errors.Is(err, redis.Nil):
		// SET NX answers nil when the key exists.
		return fmt.Errorf("redisstore: %w", tls.ErrEarlyDataReplay)
	case err != nil:
		return fmt.Errorf("redisstore: early data refused, the replay guard could not be checked: %w", err)
	}
	return nil
}
