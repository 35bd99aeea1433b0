package handshake

import (
	"crypto"
	"crypto/hmac"
	"slices"
	"time"

	"lucid/internal/alert"
	"lucid/internal/keys"
	"lucid/internal/session"
	"lucid/internal/suites"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// TLS 1.3 resumption (RFC 8446 §2.2, §4.2.11, §4.6.1): the server hands out
// tickets after the handshake; a client offers one as a pre-shared key,
// proven by a binder, and both skip the certificate on the next handshake
// while still running a fresh (EC)DHE exchange (psk_dhe_ke).

// ticketAgeTolerance is how far the client's idea of a ticket's age may
// drift from the server's before the ticket is refused (RFC 8446 §8.3
// leaves the window to the server; clocks and round trips need seconds).
const ticketAgeTolerance = 10 * time.Second

// binder computes a PSK binder: the Finished MAC keyed by the binder key
// (from keys.NewResumptionEarlySecret) over the transcript up to and
// including the truncated ClientHello.
func binder(h crypto.Hash, binderKey, transcriptHash []byte) []byte {
	return keys.FinishedMAC(h, binderKey, transcriptHash)
}

// offerPSK adds the session's ticket to a ClientHello being built, with a
// placeholder binder that attachBinder replaces once the rest of the
// message is fixed. It returns false when the session cannot be offered.
func (c *client) offerPSK(h *wire.ClientHello) bool {
	s := c.session
	if s == nil || s.State.Version != version.TLS13 || len(s.Ticket) == 0 {
		return false
	}
	suite := suites.Lookup13(s.State.Suite)
	if suite == nil || !c.offersHash(h, suite.Hash) {
		return false
	}
	now := c.cfg.now()
	h.PSKIdentities = []wire.PSKIdentity{{Identity: s.Ticket, ObfuscatedTicketAge: session.ObfuscatedAge(s.State, now)}}
	h.PSKBinders = [][]byte{make([]byte, suite.Hash.Size())}
	c.pskSuite = suite
	return true
}

// offersHash reports whether a TLS 1.3 suite with hash h is offered.
func (c *client) offersHash(h *wire.ClientHello, hash crypto.Hash) bool {
	for _, id := range h.CipherSuites {
		if s := suites.Lookup13(id); s != nil && s.Hash == hash {
			return true
		}
	}
	return false
}

// attachBinder fills in the binder over prefix (the transcript before this
// ClientHello, empty for the first) and the truncated ClientHello. A hello
// that does not encode (maxOfferedTicket keeps a server's ticket from
// making one) is an internal_error, not a slice past its end.
func (c *client) attachBinder(h *wire.ClientHello, prefix *transcript) error {
	bp := helloScratch.Get().(*[]byte)
	defer putHelloScratch(bp)
	full := h.AppendMarshal((*bp)[:0])
	*bp = full[:0]
	if len(full) <= h.BindersLen() {
		return alert.New(alert.InternalError, "the ClientHello offering a PSK does not encode")
	}
	truncated := full[:len(full)-h.BindersLen()]
	var th []byte
	if prefix == nil {
		d := c.pskSuite.Hash.New()
		d.Write(truncated)
		th = d.Sum(nil)
	} else {
		th = prefix.sumWith(truncated)
	}
	var binderKey []byte
	c.pskEarly, binderKey = keys.NewResumptionEarlySecret(c.pskSuite.Hash, c.session.State.Secret)
	h.PSKBinders[0] = binder(c.pskSuite.Hash, binderKey, th)
	return nil
}

// maxOfferedTicket is the longest ticket a client keeps to offer later,
// and the longest admitOffer lets it offer. RFC 8446 §4.6.1 and RFC 5077
// §3.3 let a server send up to 2^16-1 bytes, but a ClientHello's
// extensions must fit in 2^16-1 bytes too, beside the GREASE
// encrypted_client_hello, which is padded to the hello's own size: such
// a ticket could never be offered. Tickets are a few hundred bytes in
// practice; a longer one is dropped, and the next connection makes a
// full handshake.
const maxOfferedTicket = 16 << 10

// acceptPSK checks the server's choice of our PSK (RFC 8446 §4.2.11) and
// returns the early secret the schedule starts from: the PSK's, or the
// one without a PSK.
func (c *client) acceptPSK(sh *wire.ServerHello, suite *suites.Suite) (keys.EarlySecret, error) {
	if !sh.HasPSK {
		return keys.NewEarlySecret(suite.Hash, nil), nil
	}
	if len(c.hello.PSKIdentities) == 0 {
		return keys.EarlySecret{}, alert.New(alert.IllegalParameter, "server selected a PSK that was not offered")
	}
	if sh.SelectedIdentity != 0 {
		return keys.EarlySecret{}, alert.New(alert.IllegalParameter, "server selected PSK %d of %d offered", sh.SelectedIdentity, len(c.hello.PSKIdentities))
	}
	if suite.Hash != c.pskSuite.Hash {
		return keys.EarlySecret{}, alert.New(alert.IllegalParameter, "server resumed with %s, whose hash differs from the ticket's", suite.Name)
	}
	how := ResumedPSK
	if sh.KeyShare.Group == 0 {
		how = ResumedPSKOnly
	}
	c.result.resume(c.admitted, how)
	c.cfg.decide(DecisionResumption, "server accepted the session ticket")
	if c.pskEarly.Hash() != suite.Hash {
		// attachBinder made it for pskSuite, whose hash was checked above.
		return keys.EarlySecret{}, alert.New(alert.InternalError, "no early secret for the offered PSK")
	}
	return c.pskEarly, nil
}

// SessionFromTicket turns a TLS 1.3 NewSessionTicket into a session the
// client can offer later (RFC 8446 §4.6.1). A zero lifetime means the
// server wants it forgotten, and a ticket longer than maxOfferedTicket
// could not be offered: nil is returned for both.
func SessionFromTicket(r *Result, nst *wire.NewSessionTicket, now time.Time, serverName string) (*ClientSession, error) {
	if nst.Lifetime > uint32(session.MaxLifetime/time.Second) {
		return nil, alert.New(alert.IllegalParameter, "ticket lifetime of %d s exceeds the 7 days RFC 8446 §4.6.1 allows", nst.Lifetime)
	}
	if nst.Lifetime == 0 || r.Suite == nil || len(r.Resumption) == 0 || len(nst.Ticket) > maxOfferedTicket {
		return nil, nil
	}
	st := r.newSession(version.TLS13, r.Suite.ID, now)
	st.Secret = keys.ResumptionPSK(r.Suite.Hash, r.Resumption, nst.Nonce)
	st.Lifetime = time.Duration(nst.Lifetime) * time.Second
	st.AgeAdd, st.ServerName = nst.AgeAdd, serverName
	st.MaxEarlyData = nst.MaxEarlyData
	return &ClientSession{State: st, Ticket: append([]byte(nil), nst.Ticket...)}, nil
}

// resumable13 looks for a ticket the server can accept among the client's
// identities. A ticket that fails to open, has expired, was issued for
// another name or a suite of another hash, or that today's policy no longer
// admits (admitSession) is passed over (a full handshake follows); a ticket
// chosen this way whose binder is wrong aborts, as RFC 8446 §4.2.11
// requires.
func (s *server) resumable13(n *negotiation, msg []byte) error {
	cfg, ch := s.cfg, n.hello
	dhe := slices.Contains(ch.PSKModes, pskDHEKE)
	if cfg.Tickets == nil || len(ch.PSKIdentities) == 0 || !(dhe || (cfg.PSKWithoutKeyExchange && slices.Contains(ch.PSKModes, pskKE))) {
		return nil
	}
	now := cfg.now()
	for i, id := range ch.PSKIdentities {
		if i >= 4 || i >= len(ch.PSKBinders) {
			break
		}
		plain, err := cfg.Tickets.Open(id.Identity)
		if err != nil {
			continue
		}
		st, err := session.Unmarshal(plain)
		if err != nil || st.Version != version.TLS13 || st.ServerName != ch.ServerName {
			continue
		}
		orig := suites.Lookup13(st.Suite)
		if orig == nil || orig.Hash != n.suite.Hash || !session.AgeOK(st, id.ObfuscatedTicketAge, now, ticketAgeTolerance) {
			continue
		}
		a, err := s.admitSession(st)
		if err != nil {
			cfg.emitDeclined(err)
			continue
		}
		// The binders cover the ClientHello up to the binders list.
		truncated := msg[:len(msg)-ch.BindersLen()]
		early, binderKey := keys.NewResumptionEarlySecret(n.suite.Hash, st.Secret)
		want := binder(n.suite.Hash, binderKey, s.tr.sumWith(truncated))
		if !hmac.Equal(want, ch.PSKBinders[i]) {
			return alert.New(alert.DecryptError, "PSK binder does not match the ClientHello")
		}
		n.psk, n.pskEarly, n.pskIndex, n.resumed = st.Secret, early, uint16(i), a
		n.pskOnly = !dhe
		cfg.decide(DecisionResumption, "accepted session ticket "+string(rune('0'+i))+cfg.sessionOrigin(st))
		return nil
	}
	return nil
}

// ticketsWanted reports whether the server issues tickets at all: it has
// a sealer, and the client takes a PSK mode the server would resume with
// (RFC 8446 §4.2.9: no ticket the client could not use).
func (s *server) ticketsWanted() bool {
	cfg, modes := s.cfg, s.pskModes
	return cfg.Tickets != nil && (slices.Contains(modes, pskDHEKE) || (cfg.PSKWithoutKeyExchange && slices.Contains(modes, pskKE)))
}

// issueTicket adds one NewSessionTicket, made from the resumption master
// secret psk, to the outbox, and reports whether it did; the caller
// flushes. It goes out either in the server's first flight
// (ticketsInFirstFlight) or after the client's Finished.
func (s *server) issueTicket(psk []byte) (bool, error) {
	cfg := s.cfg
	r := &s.result
	if !s.ticketsWanted() {
		return false, nil
	}
	ageAdd, err := cfg.random(4)
	if err != nil {
		return false, err
	}
	nonce := []byte{0}
	now := cfg.now()
	st := r.newSession(version.TLS13, r.Suite.ID, now)
	st.Secret = keys.ResumptionPSK(r.Suite.Hash, psk, nonce)
	st.AgeAdd = uint32(ageAdd[0])<<24 | uint32(ageAdd[1])<<16 | uint32(ageAdd[2])<<8 | uint32(ageAdd[3])
	st.ServerName = r.ServerName
	st.Issuer = cfg.Issuer
	// The ticket records the allowance, and with the ALPN protocol, name
	// and suite above what a 0-RTT resumption must match (RFC 8446
	// §4.2.10).
	st.MaxEarlyData = cfg.MaxEarlyData
	// A session the resumption it came from leaves no time to gets no
	// ticket: RFC 8446 §4.6.1 has ticket_lifetime zero mean "discard".
	if st.Lifetime = r.sessionLifetime(cfg.TicketLifetime, st, now); st.Lifetime <= 0 {
		return false, nil
	}
	lifetime := st.Lifetime
	plain := st.Marshal()
	if plain == nil {
		return false, nil
	}
	ticket, err := cfg.Tickets.Seal(cfg.Rand, plain)
	if err != nil {
		return false, nil
	}
	s.sendAfterHandshake(&wire.NewSessionTicket{Lifetime: uint32(lifetime / time.Second), AgeAdd: st.AgeAdd, Nonce: nonce, Ticket: ticket, MaxEarlyData: st.MaxEarlyData})
	return true, nil
}
