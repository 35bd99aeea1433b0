package handshake

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"lucid/internal/alert"
	"lucid/internal/session"
	"lucid/internal/version"
)

// Resumption skips the certificates, so a session must earn it again each
// time against the configuration of now: the roots, client-authentication
// policy, clock and revocation lists the side has today, not the ones it had
// when the peer authenticated. A session that fails any check is declined
// and a full handshake follows; nothing here aborts a connection.

// Verification is what checking a peer's chain established: the chain
// parsed, leaf first, and the chains that lead from it to a trusted root,
// nil when this side does not verify (a client with InsecureSkipVerify, a
// server that requests certificates without verifying them).
type Verification struct {
	Certs  []*x509.Certificate
	Chains [][]*x509.Certificate
}

// PeerChain is a peer's certificate chain as VerifyPeer and VerifyClient
// get it: off the wire in a full handshake, or recorded in a session that
// is about to be resumed.
type PeerChain struct {
	// DER is the chain, leaf first, never empty.
	DER [][]byte
	// Parsed is DER already parsed (a session's recorded chain, parsed
	// once per session), for the verifier to use instead of parsing it
	// again; nil for a chain off the wire.
	Parsed []*x509.Certificate
	// Verified are the chains to a trusted root that the handshake which
	// made the session verified for DER; nil for a chain off the wire and
	// for a session decoded from bytes. A verifier may recheck them under
	// today's configuration (pki.Recheck) instead of checking every
	// signature again, and verifies DER in full when none still holds.
	Verified [][]*x509.Certificate
	// PublicName, when set, is the name the chain must be valid for in
	// place of the configured server name: the public name of an ECH
	// config the server rejected (RFC 9849 §6.1.7).
	PublicName string
}

// parseChain parses a peer's chain and does nothing more, for a side that
// does not verify and for a verifier to be handed it parsed.
func parseChain(chain [][]byte) ([]*x509.Certificate, error) {
	certs := make([]*x509.Certificate, 0, len(chain))
	for i, der := range chain {
		cert, err := session.ParseCertificate(der)
		if err != nil {
			return nil, alert.New(alert.DecodeError, "certificate %d from the peer could not be parsed: %v", i, err)
		}
		certs = append(certs, cert)
	}
	return certs, nil
}

// admission is a session the current configuration accepts. Result.resume
// takes nothing else, and only admitSession and admitOffer make one, so a
// resumption cannot skip the checks.
type admission struct {
	st *session.State
	// peer is the peer's recorded chain, checked again as the current
	// policy sees it; the zero proof when the policy would not have asked
	// for a certificate at all. The resumption's proof of who the peer is
	// (serverBySession, clientBySession) is minted from it.
	peer checkedChain
}

// errDeclined marks the reasons a session is not resumed.
var errDeclined = errors.New("session declined")

func decline(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errDeclined, fmt.Sprintf(format, args...))
}

// lifetimeLeft is how much longer a session authenticated at authTime may
// be resumed at now, under a configured lifetime (capped at the 7 days of
// RFC 8446 §4.6.1) and the peer leaf's expiry; zero or less means none.
func lifetimeLeft(configured time.Duration, authTime, now time.Time, leaf *x509.Certificate) time.Duration {
	if configured <= 0 || configured > session.MaxLifetime {
		configured = session.MaxLifetime
	}
	if now.Before(authTime) {
		// The clock went back past the authentication: its age is
		// unknown, so the session is not trusted.
		return 0
	}
	left := min(configured, authTime.Add(configured).Sub(now))
	if leaf != nil {
		left = min(left, leaf.NotAfter.Sub(now))
	}
	return left
}

// sessionLifetime is how long a server lets st, a session of this
// connection made now, be resumed: the configured lifetime, cut short by
// that lifetime counted from when the peers authenticated and by the
// client leaf's expiry, in whole seconds as tickets count them. RFC 8446
// §4.6.1 caps it all at 7 days; TLS 1.2 sessions are held to the same.
func (r *Result) sessionLifetime(configured time.Duration, st *session.State, now time.Time) time.Duration {
	var leaf *x509.Certificate
	if len(r.PeerCerts) > 0 {
		leaf = r.PeerCerts[0]
	}
	return max(lifetimeLeft(configured, st.AuthTime, now, leaf).Truncate(time.Second), 0)
}

// admitSession applies the server's current policy to a session a client
// offers: its age since the client authenticated, then ClientAuth,
// ClientCAs, the clock and the revocation lists (through VerifyClient, which
// also runs the application's callbacks) to the client chain it recorded.
func (s *server) admitSession(st *session.State) (admission, error) {
	cfg := s.cfg
	now := cfg.now()
	if lifetimeLeft(cfg.TicketLifetime, st.AuthTime, now, nil) <= 0 {
		return admission{}, decline("the client authenticated at %s, longer ago than sessions live", st.AuthTime.Format(time.RFC3339))
	}
	if cfg.ClientAuth == NoClientAuth {
		// A full handshake would not ask for a certificate, so the
		// resumed connection reports none.
		return admission{st: st}, nil
	}
	if len(st.PeerCerts) == 0 {
		if cfg.ClientAuth == RequireClientAuth {
			return admission{}, decline("the session has no client certificate, and one is required")
		}
		return admission{st: st}, nil
	}
	return admitChain(st, now, "client", cfg.verifyClientChain)
}

// admitOffer applies the client's current configuration to the session it
// would offer: version, lifetime, age since the server authenticated, the
// server name, and the server's recorded chain against today's roots, name,
// clock and revocation lists (through VerifyPeer).
func (c *client) admitOffer(cs *ClientSession) (admission, error) {
	cfg := c.cfg
	st := cs.State
	now := cfg.now()
	switch {
	case st == nil:
		return admission{}, decline("no session state")
	case !cfg.allows(st.Version):
		return admission{}, decline("the session is %s, which this configuration does not allow", version.Name(st.Version))
	case !now.Before(st.CreatedAt.Add(st.Lifetime)) || now.Before(st.CreatedAt):
		return admission{}, decline("the session's lifetime is over")
	case lifetimeLeft(session.MaxLifetime, st.AuthTime, now, nil) <= 0:
		return admission{}, decline("the server authenticated at %s, more than 7 days ago", st.AuthTime.Format(time.RFC3339))
	case st.ServerName != cfg.ServerName:
		return admission{}, decline("the session was made with server %q, not %q", st.ServerName, cfg.ServerName)
	case len(st.PeerCerts) == 0:
		return admission{}, decline("the session records no server certificate")
	case len(cs.Ticket) > maxOfferedTicket:
		// A cache may hand back what SessionFromTicket would not keep.
		return admission{}, decline("the session's ticket of %d bytes is longer than a ClientHello can carry (%d at most)", len(cs.Ticket), maxOfferedTicket)
	}
	return admitChain(st, now, "server", cfg.checkServerChain)
}

// admitChain checks the peer chain a session recorded (never empty here)
// with verify, as a chain the peer sent now would be, and admits the
// session if it passes. Beyond what verify judges, a chain that was not
// verified when the peer authenticated is not good enough for a side that
// verifies now, and an expired leaf ends the session even for a side that
// does not verify.
func admitChain(st *session.State, now time.Time, who string, verify func(PeerChain) (checkedChain, error)) (admission, error) {
	// The chain is parsed once per session (State.Certificates), not once
	// per resumption; every check below runs each time.
	parsed, err := st.Certificates()
	if err != nil {
		return admission{}, decline("the session's %s certificate: %v", who, err)
	}
	p, err := verify(PeerChain{DER: st.PeerCerts, Parsed: parsed, Verified: st.VerifiedChains()})
	if err != nil {
		return admission{}, decline("the session's %s certificate fails today's checks: %v", who, err)
	}
	if p.v.Chains != nil && !st.Verified {
		return admission{}, decline("the session's %s certificate was not verified when the session was made, and this side verifies", who)
	}
	if leaf := p.leaf(); !now.Before(leaf.NotAfter) {
		return admission{}, decline("the session's %s certificate expired at %s", who, leaf.NotAfter.Format(time.RFC3339))
	}
	return admission{st: st, peer: p}, nil
}

// verifyServerChain checks the chain a server sent in a full handshake,
// and says so in an event when there is a VerifyPeer to check it.
func (c *client) verifyServerChain(chain [][]byte) (checkedChain, error) {
	p, err := c.cfg.checkServerChain(PeerChain{DER: chain, PublicName: c.echPublicName()})
	if c.cfg.VerifyPeer == nil {
		return p, err
	}
	if err != nil {
		c.cfg.check(CheckCertificateChain, "", err)
		return checkedChain{}, err
	}
	c.cfg.check(CheckCertificateChain, "chain verified", nil)
	return p, nil
}

// checkServerChain checks a server's non-empty chain with VerifyPeer, or
// only parses it when there is none.
func (cfg *Config) checkServerChain(pc PeerChain) (checkedChain, error) {
	return checkChain(pc, cfg.VerifyPeer)
}

// verifyClientChain checks a client's non-empty chain with VerifyClient,
// or only parses it when there is none.
func (cfg *Config) verifyClientChain(pc PeerChain) (checkedChain, error) {
	return checkChain(pc, cfg.VerifyClient)
}

// emitDeclined reports a session that was not resumed, and why.
func (cfg *Config) emitDeclined(err error) {
	cfg.check(CheckSession, "session not resumed; a full handshake follows", err)
}
