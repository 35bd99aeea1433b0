package handshake

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"slices"
	"sync"
	"time"

	"lucid/internal/alert"
	"lucid/internal/kex"
	"lucid/internal/session"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/wire"
)

// Result is what a finished handshake established. Its fields are in an
// order that packs them: every held connection carries one.
type Result struct {
	Suite      *suites.Suite   // TLS 1.3
	Suite12    *suites.Suite12 // TLS 1.2
	ALPN       string
	ServerName string
	// PeerChain is the peer's chain as sent (or as its session recorded
	// it), PeerCerts the same parsed, and VerifiedChains the chains that
	// led to a trusted root, nil when this side did not verify. All three
	// are set together, by setPeer or resume, and only once the chain has
	// passed this side's checks.
	PeerChain      [][]byte
	PeerCerts      []*x509.Certificate
	VerifiedChains [][]*x509.Certificate
	// AuthTime is when the peers authenticated in a full handshake: now
	// for one, the session's for a resumption. Sessions made from this
	// connection inherit it.
	AuthTime time.Time
	// OCSPResponse and SCTs are what the server sent with its leaf
	// certificate (client role): a stapled OCSP response (RFC 6066 §8)
	// and signed certificate timestamps (RFC 6962 §3.3).
	OCSPResponse []byte
	SCTs         [][]byte
	ClientRandom [32]byte
	ServerRandom [32]byte
	// ECHRejected, on a client, says the server answered the outer hello
	// of its Encrypted Client Hello: the handshake completed with the
	// public name authenticated and must now be aborted with this error's
	// ech_required alert (RFC 9849 §6.1.6); the connection carries nothing.
	ECHRejected *alert.Error
	// Master12 is the TLS 1.2 master secret, for the exporter.
	Master12 []byte
	// Application traffic secrets, for the record layer and KeyUpdate.
	ClientTraffic []byte
	ServerTraffic []byte
	Exporter      []byte
	Resumption    []byte
	// hello is what fingerprints read of the hello the server answered
	// (server role), without the bulk only the handshake needed; see
	// ClientHello.
	hello helloPrint
	// EarlyData is what became of 0-RTT data (TLS 1.3).
	EarlyData EarlyData
	// resumed is the session this connection resumed, nil after a full
	// handshake, and resumedBy how.
	resumed *session.State

	Version    uint16
	Group      uint16
	PeerScheme signature.Scheme
	// RecordSizeLimit and PeerRecordSizeLimit are the record size limits
	// both sides sent (RFC 8449), 0 when the extension was not
	// negotiated: the largest protected record plaintext this side
	// accepts and the largest it may send, content type and padding
	// included in TLS 1.3. They hold for the records under the keys this
	// handshake made, and are set once known: from the ClientHello on a
	// server, from EncryptedExtensions or the TLS 1.2 ServerHello on a
	// client.
	RecordSizeLimit, PeerRecordSizeLimit uint16
	// Shape is the handshake that happened, from the shape table; set
	// once the handshake completes.
	Shape     Shape
	resumedBy ResumeMode
	DidResume bool
	DidHRR    bool
	// ECHAccepted says the handshake used the inner ClientHello of an
	// Encrypted Client Hello (RFC 9849).
	ECHAccepted bool
	// SessionFromStore says a server's resumed session came through a
	// fleet's shared store (Config.SharedSessions).
	SessionFromStore bool
}

// setPeer records the peer's chain as the proof that authenticated it
// established: the chain as sent (or as its session recorded it), parsed,
// and the verified chains if this side verified.
func (r *Result) setPeer(chain [][]byte, v *Verification) {
	r.PeerChain = sharedRaw(chain, v.Certs)
	r.PeerCerts, r.VerifiedChains = v.Certs, v.Chains
}

// sharedRaw returns chain with each certificate's bytes taken from its
// parse, which has a copy of them: a chain as received points into the
// handshake message that carried it, and keeping it would keep that whole
// message alive as long as the connection. Only bytes that are equal are
// swapped, and chain itself is left as it is, since it may belong to a
// session other connections share.
func sharedRaw(chain [][]byte, certs []*x509.Certificate) [][]byte {
	if len(certs) != len(chain) {
		return chain
	}
	var out [][]byte
	for i, der := range chain {
		raw := certs[i].Raw
		if len(der) == 0 || len(raw) != len(der) || &raw[0] == &der[0] || !bytes.Equal(raw, der) {
			continue
		}
		if out == nil {
			out = slices.Clone(chain)
		}
		out[i] = raw
	}
	if out == nil {
		return chain
	}
	return out
}

// SessionIssuer is, on a server that resumed, the Issuer recorded in the
// session it resumed; "" after a full handshake.
func (r *Result) SessionIssuer() string {
	if r.resumed == nil {
		return ""
	}
	return r.resumed.Issuer
}

// resume records that the handshake resumed an admitted session, and how:
// the peers authenticated when the session was made; the group is reported
// again when the resumption runs no key exchange of its own, as a TLS 1.2
// or TLS 1.3 psk_ke resumption does. Who the peer is comes from the
// proof the admission mints (serverBySession, clientBySession), when the
// Finished that completes the resumption is accepted.
func (r *Result) resume(a admission, how ResumeMode) {
	st := a.st
	r.DidResume = true
	r.resumed, r.resumedBy = st, how
	r.AuthTime = st.AuthTime
	if how != ResumedPSK {
		r.Group = st.Group
	}
}

// newSession starts the state of a session made from this connection, now:
// the parts every version and role share. A resumption passes on the
// identity it resumed — the recorded chain, whether it was verified, when
// the peers authenticated — untouched, since it proved nothing new.
func (r *Result) newSession(v, suite uint16, now time.Time) *session.State {
	st := &session.State{
		Version:    v,
		Suite:      suite,
		CreatedAt:  now,
		AuthTime:   r.AuthTime,
		ALPN:       r.ALPN,
		Group:      r.Group,
		PeerScheme: uint16(r.PeerScheme),
		PeerCerts:  r.PeerChain,
		Verified:   len(r.VerifiedChains) > 0,
	}
	if st.AuthTime.IsZero() {
		st.AuthTime = now
	}
	if o := r.resumed; o != nil {
		st.AuthTime, st.PeerCerts, st.Verified, st.PeerScheme = o.AuthTime, o.PeerCerts, o.Verified, o.PeerScheme
		st.ShareCertificates(o)
	} else if st.Verified {
		st.RecordVerification(r.PeerCerts, r.VerifiedChains)
	}
	return st
}

// ecdsaCurveIn reports whether pub, if it is an ECDSA key, lies on one of
// the NIST curves among groups. Keys of other kinds always pass: RFC 8422
// §5.3 constrains only ECDSA certificates by supported_groups.
func ecdsaCurveIn(pub crypto.PublicKey, groups []uint16) bool {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return true
	}
	var g uint16
	switch k.Curve {
	case elliptic.P256():
		g = kex.P256
	case elliptic.P384():
		g = kex.P384
	case elliptic.P521():
		g = kex.P521
	}
	return g != 0 && slices.Contains(groups, g)
}

// ccsState is a TLS 1.2 step that waits for the peer's change_cipher_spec,
// which is not a handshake message but switches the read keys.
type ccsState interface {
	changeCipherSpec() (state, error)
}

// state is one step of an engine: it accepts the message it expects and
// returns the next step.
type state interface {
	handle(typ uint8, msg []byte) (state, error)
}

// Engine is a client or server handshake.
type Engine struct {
	result Result
	// live is what only the handshake itself needs, dropped when it
	// completes: an idle connection should not carry its transcript,
	// its configuration or its state.
	*live
	// after is what the engine keeps of cfg once the handshake
	// completes and cfg is let go (posthandshake.go).
	after afterConfig
	// spent is the handshake's memory once it completed, until
	// ReleaseHandshake gives it back for another handshake to reuse.
	spent    *live
	done     bool
	failed   bool
	isClient bool
}

// live is the part of an engine that lives only as long as the handshake:
// its configuration, the actions of the current call, the current state,
// its transcript and its place in the shape table. What the messages after
// the handshake need is in Engine.after and the result.
type live struct {
	cfg   *Config
	out   outbox
	cur   state
	tr    transcript
	track tracker
	// client is a client engine's state, allocated with live.
	client *client
	// actions is the outbox's first array of actions, made with live:
	// a TLS 1.3 server's flight takes seven.
	actions [8]Action
	// flights is the outbox's first flight buffer, made with live: room
	// for a hybrid key share's ClientHello, or for a server's whole
	// flight with a compressed chain, both of which the Core copies
	// into records before the memory can be released.
	flights [flightsRoom]byte
	// start is the clientStart or serverStart this live is part of.
	start any
}

// clientStart and serverStart are what a client and a server engine
// allocate at the start, in one piece each: all of it but the Engine
// lives only as long as the handshake. ReleaseHandshake gives a completed
// handshake's piece back, cleared, for the next engine of its side, which
// takes a third off the bytes a TLS 1.2 resumption allocates.
type clientStart struct {
	live live
	c    client
}

type serverStart struct {
	live  live
	s     server
	first expectClientHello
}

// Pools of cleared start pieces. A pool empties over two collections, so
// a server that stops accepting connections does not keep them.
var (
	clientStarts sync.Pool
	serverStarts sync.Pool
)

// fromPool takes a cleared start piece from p, or makes a new one.
func fromPool[T clientStart | serverStart](p *sync.Pool) *T {
	if b, ok := p.Get().(*T); ok {
		return b
	}
	return new(T)
}

// begin readies the live part of start, a cleared piece, for a handshake
// under cfg: its outbox starts in the piece's own rooms.
func (l *live) begin(start any, cfg *Config) {
	l.start, l.cfg = start, cfg
	l.out.spare, l.out.spareFlight = l.actions[:0], l.flights[:0]
}

// ReleaseHandshake gives back the memory a completed handshake lived in,
// cleared at once, for the next engine to reuse. Call it after carrying
// out the actions of the call that completed the handshake, whose arrays
// are in that memory; nothing the engine keeps after the handshake (its
// Result, what post-handshake messages need) is. It does nothing for an
// engine whose handshake has not completed, whose memory is already back,
// or whose configuration has an observer (Config.Observe), which may keep
// the messages its events carried: those pieces are left to the
// collector.
func (e *Engine) ReleaseHandshake() {
	spent := e.spent
	if spent == nil {
		return
	}
	e.spent = nil
	switch b := spent.start.(type) {
	case *clientStart:
		*b = clientStart{}
		clientStarts.Put(b)
	case *serverStart:
		*b = serverStart{}
		serverStarts.Put(b)
	}
}

// Handle feeds one whole handshake message (header included) to the engine
// and returns what to do about it. The engine keeps msg, parsing it in
// place: the caller must not change it afterwards. The actions, and the
// bytes of their flights, are the caller's until its next call into the
// engine, which reuses their arrays.
func (e *Engine) Handle(msg []byte) ([]Action, error) {
	if len(msg) < wire.HeaderLen {
		return nil, alert.New(alert.DecodeError, "handshake message of %d bytes is shorter than its header", len(msg))
	}
	if e.done && !e.failed {
		return e.afterHandshake(msg)
	}
	if e.live == nil || e.cur == nil {
		state := "before the handshake started"
		switch {
		case e.done:
			state = "after the handshake finished"
		case e.failed:
			state = "after the handshake failed"
		}
		return nil, alert.New(alert.UnexpectedMessage, "handshake message %s %s", wire.MessageName(msg[0]), state)
	}
	typ, n, ok := wire.Header(msg)
	if !ok || n != len(msg)-wire.HeaderLen {
		return nil, alert.New(alert.DecodeError, "handshake message framing is inconsistent")
	}
	next, err := e.cur.handle(typ, msg)
	if err == nil {
		err = e.track.received(msg)
	}
	return e.advance(next, err)
}

// advance ends a call into the current state: the actions it produced go
// through the shape tracker, and a handshake that is over gets its shape.
func (e *Engine) advance(next state, err error) ([]Action, error) {
	if err == nil {
		err = e.track.did(e.out.actions)
	}
	if err == nil && next == nil {
		e.result.Shape, err = e.track.finish(&e.result)
	}
	if err != nil {
		e.cur, e.failed = nil, true
		e.stopTracking()
		e.out.take()
		return nil, err
	}
	actions, err := e.out.take()
	if err != nil {
		e.cur, e.failed = nil, true
		e.stopTracking()
		return nil, err
	}
	e.cur = next
	if next == nil {
		e.done = true
		e.cfg.decide(DecisionShape, e.result.Shape.String())
		if !e.result.DidResume {
			e.result.AuthTime = e.cfg.now()
		}
		// The transcript and the shape are settled, and of the
		// configuration what follows the handshake (posthandshake.go)
		// needs only a little.
		e.after = afterConfigOf(e.cfg)
		if e.cfg.Observe == nil {
			// An observer may keep the messages its events carry,
			// which live in this memory: then it is left to the
			// collector rather than reused.
			e.spent = e.live
		}
		e.live = nil
	}
	return actions, nil
}

// stopTracking ends shape tracking after a failure; a handshake that
// completed has nothing left to stop.
func (e *Engine) stopTracking() {
	if e.live != nil {
		e.track.stop()
	}
}

// SuiteID returns the negotiated cipher suite's code point, or 0.
func (r *Result) SuiteID() uint16 {
	switch {
	case r.Suite != nil:
		return r.Suite.ID
	case r.Suite12 != nil:
		return r.Suite12.ID
	}
	return 0
}

// ExpectsChangeCipherSpec reports whether the engine is waiting for a TLS
// 1.2 change_cipher_spec, which then goes to ChangeCipherSpec.
func (e *Engine) ExpectsChangeCipherSpec() bool {
	if e.live == nil {
		return false
	}
	_, ok := e.cur.(ccsState)
	return ok
}

// ChangeCipherSpec feeds a TLS 1.2 change_cipher_spec to the engine.
func (e *Engine) ChangeCipherSpec() ([]Action, error) {
	if e.live == nil {
		// Over: nothing is expected any more.
		e.failed = true
		return nil, alert.New(alert.UnexpectedMessage, "change_cipher_spec where none was expected")
	}
	st, ok := e.cur.(ccsState)
	if !ok {
		return e.advance(nil, alert.New(alert.UnexpectedMessage, "change_cipher_spec where none was expected"))
	}
	next, err := st.changeCipherSpec()
	if err == nil {
		err = e.track.receivedCCS()
	}
	return e.advance(next, err)
}

// Version returns the version chosen so far, 0 before ServerHello.
func (e *Engine) Version() uint16 { return e.result.Version }

// Done reports whether the handshake completed.
func (e *Engine) Done() bool { return e.done }

// Result returns what the handshake established; valid once Done.
func (e *Engine) Result() *Result { return &e.result }

// message is what every wire message offers the engines.
type message interface {
	Type() uint8
	AppendMarshal(dst []byte) []byte
}

// send is how an engine sends a handshake message: into the transcript,
// the outbox and the events, in one place.
func (e *Engine) send(m message) []byte {
	b := e.out.appendMessage(m)
	e.tr.add(b)
	e.cfg.emitMessage(MessageSent, m.Type(), len(b), m)
	return b
}

// sendAfterHandshake sends a message that follows the handshake and so
// stays out of its transcript (RFC 8446 §4.6).
func (e *Engine) sendAfterHandshake(m message) {
	b := e.out.appendMessage(m)
	e.cfg.emitMessage(MessageSent, m.Type(), len(b), m)
}

// receive is the gate every state passes its message through: a message of
// the wrong type is unexpected_message, a malformed one carries its parser's
// alert, and a good one becomes an event.
func receive[M any](cfg *Config, typ uint8, msg []byte, want uint8, parse func([]byte) (M, error)) (M, error) {
	var zero M
	if typ != want {
		return zero, unexpected(typ, wire.MessageName(want))
	}
	m, err := parse(msg[wire.HeaderLen:])
	if err != nil {
		return zero, err
	}
	cfg.emitMessage(MessageReceived, typ, len(msg), m)
	return m, nil
}

// receiveInto is receive for a message parsed into m, room a state keeps
// for it, by a parser that fills what it is given.
func receiveInto[M any](cfg *Config, typ uint8, msg []byte, want uint8, m M, parse func(M, []byte) error) error {
	if typ != want {
		return unexpected(typ, wire.MessageName(want))
	}
	if err := parse(m, msg[wire.HeaderLen:]); err != nil {
		return err
	}
	cfg.emitMessage(MessageReceived, typ, len(msg), m)
	return nil
}

// unexpected is the single gate for messages a state does not expect
// (RFC 8446 §6.2: unexpected_message).
func unexpected(typ uint8, want string) error {
	return alert.New(alert.UnexpectedMessage, "received %s, expected %s", wire.MessageName(typ), want)
}

// appendSchemes appends the code points of s to dst.
func appendSchemes(dst []uint16, s []signature.Scheme) []uint16 {
	for _, v := range s {
		dst = append(dst, uint16(v))
	}
	return dst
}

func u16ToSchemes(s []uint16) []signature.Scheme {
	out := make([]signature.Scheme, len(s))
	for i, v := range s {
		out[i] = signature.Scheme(v)
	}
	return out
}
