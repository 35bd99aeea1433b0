package main

import (
	"errors"
	"fmt"
	"slices"

	"lucid/tls"
)

// 0-RTT early data, as BoringSSL's shim drives it.
//
// A BoringSSL client resuming with early data enabled finishes
// SSL_do_handshake as soon as its ClientHello is out, writes its "hello"
// as early data and completes the handshake in the first SSL_read. Lucid's
// client does the same in its first Write: it sends the ClientHello, as
// much of the bytes as the ticket allows as early data, completes the
// handshake and sends the rest as 1-RTT data. So the shim skips the
// explicit Handshake on such a connection and lets the write drive it.
//
// On rejection BoringSSL's SSL_read fails with
// SSL_ERROR_EARLY_DATA_REJECTED; its shim resets the connection to 1-RTT
// and goes on under the -on-retry flags, without writing the "hello" again
// unless those flags say so. ReportRejectedEarlyData gives the same
// contract: the Write fails with ErrEarlyDataRejected having delivered
// nothing, and the connection is complete.
//
// A BoringSSL server that accepts early data also returns from the
// handshake early, and so does Lucid's: the echo loop reads the early data
// and answers it as 0.5-RTT data, as the runner expects. BoringSSL checks
// acceptance and its reason only once out of early data; the shim checks
// them at the same point, and, for a connection still in early data after
// Handshake, again once the echo loop has ended.

// maxEarlyDataAccepted is the limit a BoringSSL server puts in its
// tickets (kMaxEarlyDataAccepted in ssl/internal.h); the runner's
// TLS13-MaxEarlyData-Server sends one byte more and expects a refusal.
const maxEarlyDataAccepted = 14336

// clientWritesEarly is whether this client connection's first write goes
// out as early data, if the session and server allow: BoringSSL's client
// with early data enabled, resuming, writing first.
func clientWritesEarly(s *settings, resumed bool) bool {
	return !s.server && resumed && s.enableEarlyData && s.shimWritesFirst
}

// writeEarly is the first write of a client connection that may send early
// data. It returns the settings the rest of the connection follows: the
// retry ones when the server rejected the early data.
func (sh *shim) writeEarly(tc *tls.Conn, s *settings, o *observed) (*settings, error) {
	_, err := tc.Write([]byte(hello))
	if errors.Is(err, tls.ErrEarlyDataRejected) {
		if !s.expectRejectEarlyData {
			return nil, fmt.Errorf(":EARLY_DATA_REJECTED: %w", err)
		}
		if s.expectEarlyDataReason != "" {
			// BoringSSL's shim refuses the same test error.
			return nil, errors.New("test error: client reject -expect-early-data-reason flags should be configured with -on-retry, not -on-resume")
		}
		// The retry is another exchange for BoringSSL, which asks
		// whether early data was offered only before it.
		retry := sh.p.retry
		retry.expectNoOfferEarlyData = false
		if err := sh.checkHandshake(tc.ConnectionState(), &retry, o, true, false); err != nil {
			return nil, err
		}
		if retry.shimWritesFirst {
			if err := write(tc, []byte(hello)); err != nil {
				return nil, err
			}
		}
		return &retry, nil
	}
	if err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	if s.expectRejectEarlyData {
		return nil, errors.New("0-RTT exchange unexpectedly succeeded")
	}
	cs := tc.ConnectionState()
	checks := s
	if cs.EarlyData.Offered {
		// BoringSSL's shim checks a client that offered early data
		// while it is in early data, when the reason is not known yet,
		// so it never checks it on acceptance; neither does this one.
		c := *s
		c.expectEarlyDataReason = ""
		checks = &c
	}
	return s, sh.checkHandshake(cs, checks, o, true, false)
}

// checkEarlyData is the early-data part of checkHandshake: what BoringSSL
// checks once a connection is out of early data, and
// -expect-no-offer-early-data on a resuming client.
func (sh *shim) checkEarlyData(cs tls.ConnectionState, s *settings, o *observed, resumed, inEarly bool) error {
	if !s.server && resumed && s.expectNoOfferEarlyData && cs.EarlyData.Offered {
		return errors.New("client unexpectedly offered early data")
	}
	if inEarly {
		return nil
	}
	accepted := cs.EarlyData.Accepted
	if (s.expectAcceptEarlyData && !accepted) || (s.expectRejectEarlyData && accepted) {
		not := " not"
		if accepted {
			not = ""
		}
		return fmt.Errorf("early data was%s accepted, but we expected the opposite (reason %q)", not, cs.EarlyData.Reason)
	}
	if s.expectEarlyDataReason != "" {
		if got := sh.boringEarlyReason(cs, s, o, resumed); got != s.expectEarlyDataReason {
			return fmt.Errorf("early data reason was %q (lucid: %q), expected %q", got, cs.EarlyData.Reason, s.expectEarlyDataReason)
		}
	}
	return nil
}

// boringEarlyReason names what became of early data on the connection as
// BoringSSL's SSL_early_data_reason_string does. Lucid's reasons are finer
// in some places and coarser in others:
//   - Lucid's server says "not offered" whenever the ClientHello lacks
//     early_data; BoringSSL first asks whether a ticket was offered
//     (no_session_offered), resumed (session_not_resumed) and allows early
//     data (unsupported_for_session) before blaming the client
//     (peer_declined). The shim tells these apart from the ClientHello's
//     extensions, the resumption, and whether the tickets it issued
//     allowed early data.
//   - "no session" covers both a client without a session to offer and a
//     server that did not resume: which one follows from whether early data
//     was offered (client) or a PSK was (server).
//   - Lucid's client decides about early data before the version is known,
//     so a TLS 1.2 connection is reported as BoringSSL does from the
//     version itself: protocol_version.
//   - Lucid's server names a HelloRetryRequest as the reason even when it
//     then declines the ticket too; BoringSSL names the session first
//     (session_not_resumed), and so does the shim.
//   - Lucid refuses early data for reasons BoringSSL does not have: a
//     replayed or unvouched ClientHello (its anti-replay guard), a suite or
//     server name differing from the session's, a PSK other than the first,
//     and a server asking for client certificates. They have no BoringSSL
//     name and are reported as "lucid:" and Lucid's reason, which no test
//     expects.
func (sh *shim) boringEarlyReason(cs tls.ConnectionState, s *settings, o *observed, resumed bool) string {
	e := cs.EarlyData
	if e.Accepted {
		return "accepted"
	}
	if e.Reason == tls.EarlyDataDisabled || !s.enableEarlyData {
		return "disabled"
	}
	if cs.Version < tls.VersionTLS13 {
		return "protocol_version"
	}
	switch e.Reason {
	case tls.EarlyDataNoSession:
		if s.server {
			if o.offeredPSK.Load() {
				return "session_not_resumed"
			}
			return "no_session_offered"
		}
		if e.Offered {
			return "session_not_resumed"
		}
		return "no_session_offered"
	case tls.EarlyDataNotOffered, "":
		// A server whose ClientHello had no early_data.
		switch {
		case !o.offeredPSK.Load():
			return "no_session_offered"
		case !cs.DidResume:
			return "session_not_resumed"
		case !sh.issuedEarlyTickets:
			return "unsupported_for_session"
		}
		return "peer_declined"
	case tls.EarlyDataTicketForbids:
		return "unsupported_for_session"
	case tls.EarlyDataTicketAge:
		return "ticket_age_skew"
	case tls.EarlyDataALPNMismatch:
		return "alpn_mismatch"
	case tls.EarlyDataHelloRetryRequest:
		if s.server && !cs.DidResume {
			// BoringSSL asks about the session before the retry: a
			// server that also declined the ticket names that.
			return "session_not_resumed"
		}
		return "hello_retry_request"
	case tls.EarlyDataPeerDeclined:
		return "peer_declined"
	}
	return "lucid:" + e.Reason
}

// checkTicketEarlyData is BoringSSL's check, at the end of a TLS 1.3
// client connection that received a new session, that the session
// allows early data exactly when -expect-ticket-supports-early-data says
// so. BoringSSL records the ticket's limit whether or not early data is
// enabled, and so does Lucid.
func (sh *shim) checkTicketEarlyData(cs tls.ConnectionState, s *settings, o *observed) error {
	if s.server || cs.Version != tls.VersionTLS13 || s.expectNoSession || s.shimShutsDown {
		return nil
	}
	last := sh.clientCache.last.Load()
	if last == nil || sh.clientCache.stored.Load() <= o.storedBefore {
		// No new session arrived; the TLS 1.3 new-session check is
		// not one the shim makes (tickets may come after the echo).
		return nil
	}
	limit, _ := last.EarlyData()
	got := limit > 0
	if got != s.expectTicketSupportsEarlyData {
		not := " not"
		if got {
			not = ""
		}
		return fmt.Errorf("new session did%s support early data, but we expected the opposite", not)
	}
	return nil
}

// offersPSK is whether a ClientHello's extension list names
// pre_shared_key.
func offersPSK(extensions []string) bool {
	return slices.Contains(extensions, "pre_shared_key")
}
