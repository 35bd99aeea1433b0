package tls

import (
	"errors"
	"fmt"
	"time"

	"lucid/internal/conn"
	"lucid/internal/handshake"
)

// 0-RTT early data (RFC 8446 §2.3, §4.2.10, §8) in the public API.
//
// Server: Config.MaxEarlyData > 0 puts early_data in the tickets the server
// issues, and a resumption that offers early data has it accepted only
// when the client offered it with its first PSK, there was no
// HelloRetryRequest, the ticket allows it, the suite, ALPN protocol and
// server name are the session's, the server asks for no client
// certificate, the ticket's age is within 5 seconds of what the client
// reports (RFC 8446 §8.3), and, last, the EarlyDataGuard admits the
// ClientHello. Otherwise the early data is skipped and the handshake goes
// on in 1-RTT. When it is accepted, Handshake returns once the server's
// flight is written; Read returns the early data first, never in the same
// call as data sent after the handshake, and InEarlyData reports true
// until the client's Finished has been read. Writes meanwhile are 0.5-RTT
// data, sent before the client is authenticated by its Finished.
// VerifyConnection runs when Handshake returns, so then too, with
// HandshakeComplete false; since early data is refused when the server
// asks for client certificates, the state it sees names no client either
// way.
//
// Client: Config.SendEarlyData lets the first Write on a Conn whose
// handshake has not run send its bytes as early data in the first flight,
// when the session it resumes allows it (never on a first connection,
// never after a HelloRetryRequest, and only with the session's suite,
// first ALPN protocol and server name). See Write.

// ErrEarlyDataRejected is returned by a client's first Write when the
// server rejected the early data it carried and
// Config.ReportRejectedEarlyData is set: none of the bytes was delivered,
// the handshake has completed, and the application decides whether to
// send them again.
var ErrEarlyDataRejected = errors.New("tls: the server rejected the early data; nothing was written")

// EarlyDataState is what became of 0-RTT data on a connection.
type EarlyDataState struct {
	// Offered says the client offered early data; Accepted that the
	// server accepted it.
	Offered, Accepted bool
	// Reason says why early data was not accepted, "" when it was. The
	// values are stable: "not offered" (server: the client did not offer
	// it), "disabled" (this side is not configured for it), "no session"
	// (client: no session to resume or the server did not resume it;
	// server: no ticket accepted), "ticket forbids" (the ticket carries
	// no early_data), "ticket age" (not fresh, RFC 8446 §8.3), "replay"
	// (the EarlyDataGuard saw this ClientHello), "guard refused" (the
	// guard could not vouch for it: full, or out of reach), "suite
	// mismatch", "alpn mismatch", "sni mismatch" (differs from the
	// session's), "hello retry request", "not first psk" (server chose
	// another PSK), "client auth" (the server asks for client
	// certificates, and Lucid reads early data only from clients the PSK
	// alone authenticates) and "peer declined" (client: the server
	// resumed but did not accept it).
	Reason string
}

// The reasons EarlyDataState.Reason takes.
const (
	EarlyDataNotOffered        = handshake.EarlyNotOffered
	EarlyDataDisabled          = handshake.EarlyDisabled
	EarlyDataNoSession         = handshake.EarlyNoSession
	EarlyDataTicketForbids     = handshake.EarlyTicketForbids
	EarlyDataTicketAge         = handshake.EarlyTicketAge
	EarlyDataReplay            = handshake.EarlyReplay
	EarlyDataGuardRefused      = handshake.EarlyGuardRefused
	EarlyDataSuiteMismatch     = handshake.EarlySuiteMismatch
	EarlyDataALPNMismatch      = handshake.EarlyALPNMismatch
	EarlyDataSNIMismatch       = handshake.EarlySNIMismatch
	EarlyDataHelloRetryRequest = handshake.EarlyHelloRetry
	EarlyDataNotFirstPSK       = handshake.EarlyNotFirstPSK
	EarlyDataClientAuth        = handshake.EarlyClientAuth
	EarlyDataPeerDeclined      = handshake.EarlyPeerDeclined
)

// earlyDataState reads the engine's record of early data.
func earlyDataState(r *handshake.Result) EarlyDataState {
	e := r.EarlyData
	return EarlyDataState{Offered: e.Offered, Accepted: e.Accepted, Reason: e.Reason}
}

// InEarlyData reports whether a server is reading 0-RTT data: true from
// the moment it accepted the client's early data until it has processed
// the client's Finished. What Read returns meanwhile may be a replay as
// far as the handshake can tell (RFC 8446 §8): an application acts on it
// only if doing so twice is harmless (RFC 8470). Always false for a
// client.
func (c *Conn) InEarlyData() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.core != nil && c.core.InEarlyData()
}

// earlyDataConfig fills the engine's early-data settings.
func (c *Conn) earlyDataConfig(hc *handshake.Config) {
	cfg := c.config
	if c.isClient {
		hc.SendEarlyData = cfg.SendEarlyData
		return
	}
	if cfg.MaxEarlyData == 0 || cfg.SessionTicketsDisabled {
		return
	}
	hc.MaxEarlyData = cfg.MaxEarlyData
	guard := cfg.EarlyDataGuard
	if cfg.SessionStore != nil {
		// The fleet's guard: a replay sent to another server of the
		// fleet must be caught too (RFC 8446 §8).
		guard = storeGuard{cfg.SessionStore}
	} else if guard == nil {
		guard = cfg.serverResumption().defaultEarlyDataGuard()
	}
	hc.AdmitEarlyData = func(id []byte, now, until time.Time) error {
		err := guard.Admit(id, now, until)
		if errors.Is(err, ErrEarlyDataReplay) {
			return fmt.Errorf("%w: %w", handshake.ErrEarlyDataReplay, err)
		}
		return err
	}
}

// defaultEarlyDataGuard is the guard of a server Config that sets
// MaxEarlyData without an EarlyDataGuard, made on first use: an in-memory
// one with NewMemoryEarlyDataGuard's default bounds (65536 ClientHellos,
// each for at most 20 seconds). A Config's clones share it, since they
// share the ticket keys a replay would use.
func (r *serverResumption) defaultEarlyDataGuard() EarlyDataGuard {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.earlyGuard == nil {
		r.earlyGuard = NewMemoryEarlyDataGuard(0, 0)
	}
	return r.earlyGuard
}

// handshakeForWrite runs the handshake for a Write of b. A client that
// may send early data sends what of b it can in its first flight; sent is
// how much of b the handshake delivered that way, which the Write then
// does not send again. When the server rejected it, sent is 0 and the
// Write sends b whole as 1-RTT data, or, with ReportRejectedEarlyData,
// fails with ErrEarlyDataRejected.
func (c *Conn) handshakeForWrite(b []byte) (sent int, err error) {
	if !c.isClient || !c.config.SendEarlyData || c.handshakeDone.Load() || len(b) == 0 {
		return 0, c.Handshake()
	}
	n, err := c.handshake(nil, b)
	if err != nil || n == 0 {
		return 0, err
	}
	c.mu.Lock()
	accepted := c.core.Result().EarlyData.Accepted
	c.mu.Unlock()
	if accepted {
		return n, nil
	}
	if c.config.ReportRejectedEarlyData {
		return 0, ErrEarlyDataRejected
	}
	return 0, nil
}

// writeEarlyData seals as much of b as the session allows under the
// client's early key, right after the first flight, and reports how much.
// Called by the handshake with the core just started.
func (c *Conn) writeEarlyData(core *conn.Core, b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if core.EarlyDataRoom() == 0 {
		return 0, nil
	}
	n, err := core.WriteEarly(b)
	if err != nil {
		return 0, publicError(err)
	}
	return n, nil
}
