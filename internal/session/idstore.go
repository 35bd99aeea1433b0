package session

import "time"

// IDStore keeps TLS 1.2 sessions by session ID for a server (RFC 5246
// §7.4.1.2). ServerCache is the one a server process keeps for itself; a
// fleet's shared store (tls.SessionStore) is reached through another.
// Get hands out a State its caller may keep and change; a store that
// cannot answer reports the session as absent, which costs only the
// resumption.
type IDStore interface {
	// NewID turns 32 random bytes into the ID of a new session. A store
	// may mark them, so that Get can tell an ID it never made without
	// looking it up.
	NewID(random []byte) []byte
	Put(id []byte, st *State, now time.Time)
	Get(id []byte, now time.Time) (*State, bool)
}
