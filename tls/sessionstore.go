package tls

import (
	"context"
	"errors"
	"time"

	"lucid/internal/session"
)

// A fleet of servers behind one load balancer must behave, for resumption,
// like one server: a session one of them issued resumes on any other, a
// ticket key rotates everywhere at once, and early data accepted by one is
// refused as a replay by all (RFC 8446 §8: anti-replay must span every
// server that can open the ticket). A SessionStore is the one place they
// share for that. Lucid never trusts what comes out of it: tickets and
// sessions are sealed by the servers themselves before they reach the store,
// and every resumption, wherever its session came from, is admitted against
// the accepting server's own Config.

// SessionStore is what the servers of a fleet share for resumption: the
// ticket keys, the TLS 1.2 sessions named by session ID, and the early-data
// anti-replay guard. Set Config.SessionStore on every server of the fleet.
// Implementations must be safe for concurrent use. The package
// lucid/tls/redisstore keeps one in Redis.
//
// Every call gets a context with a deadline SessionStoreTimeout ahead. A
// store that fails or times out costs its connection nothing but
// resumption: the server then completes a full handshake, issues no ticket
// it could not seal with the fleet's keys, and refuses early data it could
// not check.
//
// The store is trusted to keep what it is given, for as long as it is
// asked to, and to answer: one that loses guard entries early (a Redis
// evicting keys under memory pressure) lets replays in, and one that
// answers with huge replies can exhaust the server's memory. It is never
// trusted with a secret or a decision: what it returns is opened and
// checked like a ticket from the network.
type SessionStore interface {
	// TicketKeys returns the fleet's session ticket keys, the one to
	// seal new tickets with first; every key opens tickets. It is
	// called for every handshake that issues or opens a ticket, so it
	// should answer from memory and reach the shared store only now and
	// then. Creating the first key and rotating keys are the store's
	// business; a key that some server may already seal with must be
	// returned by every server, so a store publishes a new key to all
	// before any seals with it.
	TicketKeys(ctx context.Context) ([][32]byte, error)

	// PutSession stores a TLS 1.2 session under its session ID for ttl,
	// counted on the store's own clock. sealed is opaque, already
	// encrypted and authenticated with the fleet's ticket keys, and at
	// most MaxStoredSessionLen bytes.
	PutSession(ctx context.Context, id, sealed []byte, ttl time.Duration) error

	// GetSession returns what PutSession stored under id, or
	// ErrSessionNotFound when there is nothing unexpired.
	GetSession(ctx context.Context, id []byte) (sealed []byte, err error)

	// Admit is the anti-replay guard of EarlyDataGuard, kept where every
	// server of the fleet checks it: a set-if-absent of id that lasts at
	// least until until. ctx bounds the call. The server has already
	// added FleetClockSkew to until.
	Admit(ctx context.Context, id []byte, now, until time.Time) error
}

// FleetClockSkew is how far apart the clocks of a fleet's servers may be.
// A server whose clock runs behind another's still accepts a ClientHello's
// ticket age after the other's window for it has closed, so the shared
// guard keeps each entry this much longer than the accepting server's own
// window (RFC 8446 §8.2). Keep the fleet's clocks within it (NTP does).
const FleetClockSkew = 5 * time.Second

// maxFleetKeys bounds the ticket keys a server takes from its store: each
// costs a key derivation whenever the set changes. With daily rotation and
// week-long tickets a fleet holds about nine.
const maxFleetKeys = 64

// SessionStoreTimeout bounds each call a server makes to its SessionStore,
// well under any handshake timeout: a store slower than this costs a
// connection its resumption or its early data, never its handshake.
const SessionStoreTimeout = 250 * time.Millisecond

// MaxStoredSessionLen is the longest sealed session a server hands to
// SessionStore.PutSession, and the longest GetSession may return: a
// store that returns more is treated as failing.
const MaxStoredSessionLen = 1<<16 - 1

// MaxServerIDLen is the longest Config.ServerID: the issuer's name travels
// inside every ticket.
const MaxServerIDLen = session.MaxIssuerLen

// ErrSessionNotFound is what SessionStore.GetSession returns when no
// unexpired session is stored under the id.
var ErrSessionNotFound = errors.New("tls: no such session in the store")
