package handshake

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"lucid/internal/alert"
	"lucid/internal/keys"
	"lucid/internal/record"
	"lucid/internal/session"
	"lucid/internal/suites"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// 0-RTT early data (RFC 8446 §2.3, §4.2.10, §8). A client resuming a
// session whose ticket allowed it sends application data right after its
// ClientHello, under the client_early_traffic_secret; the server reads it
// only if it accepts it, which it says in EncryptedExtensions. Early data
// has no protection against replay from the handshake itself, so the
// server accepts it only after every check below, the last of them a
// single-use guard (Config.AdmitEarlyData).

// earlyDataAgeTolerance is how far the client's view of a ticket's age may
// drift from the server's for early data to be accepted (RFC 8446 §8.3).
// It is half the tolerance resumption allows (ticketAgeTolerance): a
// ClientHello is a replay candidate for as long as it passes this check,
// so the window the guard must remember it for is kept short, while a
// client whose clock drifts more still resumes, in 1-RTT.
const earlyDataAgeTolerance = 5 * time.Second

// The reasons early data is not accepted, as ConnectionState reports them
// and events name them. The strings are stable: tests, the BoGo shim and
// timelines read them.
const (
	// EarlyNotOffered: the client did not offer early data (server).
	EarlyNotOffered = "not offered"
	// EarlyDisabled: this side's configuration does not do 0-RTT.
	EarlyDisabled = "disabled"
	// EarlyNoSession: no session to resume (client), or the server did
	// not accept the session the client offered (server).
	EarlyNoSession = "no session"
	// EarlyTicketForbids: the session's ticket carried no early_data.
	EarlyTicketForbids = "ticket forbids"
	// EarlyTicketAge: the ticket's age is not fresh enough (RFC 8446 §8.3).
	EarlyTicketAge = "ticket age"
	// EarlyReplay: the anti-replay guard has seen this ClientHello.
	EarlyReplay = "replay"
	// EarlyGuardRefused: the anti-replay guard could not vouch for the
	// ClientHello (full, or out of reach) and so refused it.
	EarlyGuardRefused = "guard refused"
	// EarlySuiteMismatch, EarlyALPNMismatch and EarlySNIMismatch: the
	// cipher suite, application protocol or server name differ from the
	// session's (RFC 8446 §4.2.10).
	EarlySuiteMismatch = "suite mismatch"
	EarlyALPNMismatch  = "alpn mismatch"
	EarlySNIMismatch   = "sni mismatch"
	// EarlyHelloRetry: the server answered with a HelloRetryRequest,
	// which rejects early data (RFC 8446 §4.2.10).
	EarlyHelloRetry = "hello retry request"
	// EarlyNotFirstPSK: the server chose another PSK than the first.
	EarlyNotFirstPSK = "not first psk"
	// EarlyClientAuth: the server asks for client certificates, and Lucid
	// reads early data only from clients the PSK alone authenticates.
	EarlyClientAuth = "client auth"
	// EarlyPeerDeclined: the server did not accept it (client role).
	EarlyPeerDeclined = "peer declined"
)

// EarlyData is what became of 0-RTT data in a handshake.
type EarlyData struct {
	// Offered says the client offered early data, Accepted that the
	// server accepted it; Reason says why not, "" when accepted.
	Reason            string
	Offered, Accepted bool
	// Limit is the most early data the session allows, in plaintext
	// bytes: what the client may send, what the server reads.
	Limit uint32
}

// ErrEarlyDataReplay is what Config.AdmitEarlyData returns (wrapped or not)
// for a ClientHello it has admitted before.
var ErrEarlyDataReplay = errors.New("early data replayed")

// decideEarlyData says whether the server reads the early data the
// client's ClientHello n offers, and records why in the result. The
// checks are RFC 8446 §4.2.10's, then the freshness of §8.3, and last the
// guard of §8.2, which is consulted only for a ClientHello that passed
// everything else, so that a refusal never costs it an entry.
func (s *server) decideEarlyData(n *negotiation) bool {
	r := &s.result.EarlyData
	if s.result.DidHRR {
		// The first ClientHello's offer was rejected by the retry, and a
		// second one never offers (checkSecondHello).
		return false
	}
	if !n.hello.EarlyData {
		r.Reason = EarlyNotOffered
		return false
	}
	r.Offered = true
	reason := s.earlyRefusal(n)
	if reason == "" {
		r.Accepted, r.Limit = true, n.resumed.st.MaxEarlyData
		s.cfg.decide(DecisionEarlyData, fmt.Sprintf("accepted up to %d bytes of 0-RTT data", r.Limit))
		return true
	}
	r.Reason = reason
	s.cfg.decide(DecisionEarlyData, "rejected 0-RTT data: "+reason+"; it is skipped and the handshake goes on in 1-RTT")
	return false
}

// earlyRefusal is why the early data of n cannot be accepted, or "".
func (s *server) earlyRefusal(n *negotiation) string {
	cfg := s.cfg
	switch {
	case cfg.MaxEarlyData == 0:
		return EarlyDisabled
	case n.psk == nil:
		return EarlyNoSession
	case n.pskIndex != 0:
		return EarlyNotFirstPSK
	}
	st := n.resumed.st
	switch {
	case st.MaxEarlyData == 0:
		return EarlyTicketForbids
	case st.Suite != n.suite.ID:
		return EarlySuiteMismatch
	case st.ALPN != n.alpn:
		return EarlyALPNMismatch
	case st.ServerName != n.hello.ServerName:
		return EarlySNIMismatch
	case cfg.ClientAuth != NoClientAuth:
		// The client of a resumption is recorded when its Finished
		// arrives (proof.go); data read before that would be read from a
		// client the connection cannot name yet.
		return EarlyClientAuth
	}
	now := cfg.now()
	id := n.hello.PSKIdentities[0]
	if !session.AgeOK(st, id.ObfuscatedTicketAge, now, earlyDataAgeTolerance) {
		return EarlyTicketAge
	}
	if cfg.AdmitEarlyData == nil {
		return EarlyGuardRefused
	}
	// The ClientHello passes the age check until the moment the client's
	// reported age, counted from the ticket's issue, plus the tolerance:
	// the guard must remember it that long and no longer.
	clientAge := time.Duration(id.ObfuscatedTicketAge-st.AgeAdd) * time.Millisecond
	until := st.CreatedAt.Add(clientAge + earlyDataAgeTolerance)
	if err := cfg.AdmitEarlyData(earlyDataID(n.hello), now, until); err != nil {
		if errors.Is(err, ErrEarlyDataReplay) {
			return EarlyReplay
		}
		return EarlyGuardRefused
	}
	return ""
}

// earlyDataID names a ClientHello for the guard: its random and the first
// binder, which together change with every ClientHello and which nobody
// without the PSK can pair differently.
func earlyDataID(ch *wire.ClientHello) []byte {
	h := sha256.New()
	h.Write(ch.Random[:])
	if len(ch.PSKBinders) > 0 {
		h.Write(ch.PSKBinders[0])
	}
	return h.Sum(nil)
}

// expectEndOfEarlyData reads the client's early data until its
// EndOfEarlyData, which goes into the transcript and ends the early key:
// the client's handshake key takes over (RFC 8446 §4.5).
type expectEndOfEarlyData struct {
	k clientFinishKeys
	// clientHandshake is the client's handshake traffic secret, installed
	// once EndOfEarlyData has arrived.
	clientHandshake []byte
	client          authenticatedClient
}

func (st *expectEndOfEarlyData) handle(typ uint8, msg []byte) (state, error) {
	s := st.k.s
	if _, err := receive(s.cfg, typ, msg, wire.TypeEndOfEarlyData, wire.ParseEndOfEarlyData); err != nil {
		return nil, err
	}
	s.tr.add(msg)
	k := st.k
	k.clientFinishedKey = s.out.readHandshakeKey(s.result.Suite, st.clientHandshake)
	return newClientFinished13(k, st.client), nil
}

// earlyOffer says why the client cannot offer early data with the hello
// h it is building, or "" when it can: it opted in, and the session it
// offers allows it with the suite, protocol and name it is resumed with.
func (c *client) earlyOffer(h *wire.ClientHello) string {
	cfg := c.cfg
	if !cfg.SendEarlyData {
		return EarlyDisabled
	}
	if c.session == nil || c.pskSuite == nil || len(h.PSKIdentities) == 0 {
		return EarlyNoSession
	}
	st := c.session.State
	switch {
	case st.MaxEarlyData == 0:
		return EarlyTicketForbids
	case suites.Lookup13(st.Suite) == nil || !containsU16(h.CipherSuites, st.Suite):
		return EarlySuiteMismatch
	case st.ServerName != h.ServerName:
		return EarlySNIMismatch
	case st.ALPN == "" && len(cfg.NextProtos) > 0, st.ALPN != "" && (len(cfg.NextProtos) == 0 || cfg.NextProtos[0] != st.ALPN):
		// The server picks the protocol; only the one the session used,
		// offered first, makes it likely to pick the same again.
		return EarlyALPNMismatch
	}
	return ""
}

func containsU16(s []uint16, v uint16) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// offerEarlyData decides, once the hello is complete but for its binder,
// whether it carries early_data, and records the decision.
func (c *client) offerEarlyData(h *wire.ClientHello) {
	r := &c.result.EarlyData
	if reason := c.earlyOffer(h); reason != "" {
		r.Reason = reason
		if reason != EarlyDisabled {
			c.cfg.decide(DecisionEarlyData, "no 0-RTT data offered: "+reason)
		}
		return
	}
	h.EarlyData = true
	r.Offered, r.Limit = true, c.session.State.MaxEarlyData
}

// startEarlyData follows the first ClientHello with what 0-RTT needs: the
// compatibility change_cipher_spec, which RFC 8446 §D.4 puts right after
// the ClientHello when early data follows, and the early write key.
func (c *client) startEarlyData(hello []byte) {
	if !c.result.EarlyData.Offered {
		return
	}
	c.out.ccs()
	c.sentCCS = true
	h := c.pskSuite.Hash.New()
	h.Write(hello)
	secret := c.pskEarly.ClientEarlyTraffic(h.Sum(nil))
	c.cfg.keyLog(keys.LogClientEarly, c.result.ClientRandom, secret)
	c.out.writeKey(c.pskSuite, secret, LevelEarly)
	c.cfg.decide(DecisionEarlyData, fmt.Sprintf("offered 0-RTT data, up to %d bytes", c.result.EarlyData.Limit))
}

// earlyRejected records that the server did not take the early data
// offered, and why as far as the client can tell.
func (c *client) earlyRejected(reason string) {
	r := &c.result.EarlyData
	if !r.Offered || r.Reason != "" {
		return
	}
	r.Reason = reason
	c.cfg.decide(DecisionEarlyData, "the server rejected the 0-RTT data: "+reason)
}

// leaveEarlyKey puts the client's writing back in the clear after a
// HelloRetryRequest: its second ClientHello is sent unprotected.
func (c *client) leaveEarlyKey() {
	if !c.result.EarlyData.Offered {
		return
	}
	c.earlyRejected(EarlyHelloRetry)
	c.out.add(Action{Kind: SetWriteKey, Sealer: &record.Plain{Version: version.TLS12}, Level: LevelInitial})
}

// checkEarlyAccepted applies RFC 8446 §4.2.10's checks to a server that
// accepts early data: the client offered it, and the handshake resumes
// the session with its suite and protocol.
func (c *client) checkEarlyAccepted(ee *wire.EncryptedExtensions) error {
	r := &c.result.EarlyData
	if !r.Offered || c.result.DidHRR {
		return alert.New(alert.UnsupportedExtension, "server accepted early data, which was not offered")
	}
	st := c.session.State
	switch {
	case !c.result.DidResume:
		return alert.New(alert.IllegalParameter, "server accepted early data without resuming the session")
	case c.result.Suite.ID != st.Suite:
		return alert.New(alert.IllegalParameter, "server accepted early data under %s, not the session's suite", c.result.Suite.Name)
	case ee.ALPN != st.ALPN:
		return alert.New(alert.IllegalParameter, "server accepted early data with protocol %q, not the session's %q", ee.ALPN, st.ALPN)
	}
	r.Accepted = true
	c.cfg.decide(DecisionEarlyData, "the server accepted the 0-RTT data")
	return nil
}
