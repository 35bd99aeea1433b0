package handshake

import (
	"crypto/hpke"
	"crypto/subtle"
	"errors"
	"fmt"
	"sync"

	"lucid/internal/alert"
	"lucid/internal/keys"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// ECHRejectedError ends a client handshake whose server did not use the
// encrypted inner hello (RFC 9849 §6.1.6): the server proved it holds the
// public name's certificate, and RetryConfigs is the ECHConfigList it sent
// for a new connection, nil if none. It travels with an ech_required alert.
type ECHRejectedError struct {
	RetryConfigs []byte
}

func (e *ECHRejectedError) Error() string {
	if e.RetryConfigs == nil {
		return "the server rejected Encrypted Client Hello and sent no retry configs"
	}
	return "the server rejected Encrypted Client Hello and sent retry configs"
}

// echClient is a client's Encrypted Client Hello: the config it encrypts
// to and the HPKE context, the outer hello it sends, and the transcript
// that hello would make, kept until the server's first answer says which
// of the two hellos it used (RFC 9849 §6.1.4).
type echClient struct {
	grease   bool
	config   wire.ECHConfig
	suite    wire.ECHSuite
	enc      []byte
	sender   *hpke.Sender
	outer    *wire.ClientHello
	outerTr  transcript
	decided  bool
	accepted bool
	// retryConfigs are the server's retry_configs after a rejection.
	retryConfigs []byte
}

// chooseECHConfig picks the first config of the list Lucid can use, and
// its first cipher suite Lucid offers (RFC 9849 §6.1): a known version, no
// mandatory extension, a DHKEM, a public name that is a host name.
func chooseECHConfig(list []byte) (wire.ECHConfig, wire.ECHSuite, hpke.PublicKey, error) {
	configs, err := wire.ParseECHConfigList(list)
	if err != nil {
		return wire.ECHConfig{}, wire.ECHSuite{}, nil, fmt.Errorf("ECH config list: %w", err)
	}
	for _, c := range configs {
		if !c.Known() || c.HasMandatoryExtension() || !ValidPublicName(c.PublicName) {
			continue
		}
		kem, ok := echKEM(c.KEM)
		if !ok {
			continue
		}
		pk, err := kem.NewPublicKey(c.PublicKey)
		if err != nil {
			continue
		}
		for _, s := range c.Suites {
			if _, _, ok := echSuite(s); ok {
				return c, s, pk, nil
			}
		}
	}
	return wire.ECHConfig{}, wire.ECHSuite{}, nil, errors.New("ECH config list holds no config Lucid supports")
}

// prepareECH readies the hello being built for ECH, before a PSK binder
// covers it: with a config list it becomes the inner hello, marked so; for
// GREASE it gets an outer extension no server can open (RFC 9849 §6.2.1).
func (c *client) prepareECH(h *wire.ClientHello) error {
	cfg := c.cfg
	if cfg.ECHConfigList != nil {
		config, suite, pk, err := chooseECHConfig(cfg.ECHConfigList)
		if err != nil {
			return err
		}
		kdf, aead, _ := echSuite(suite)
		enc, sender, err := hpke.NewSender(pk, kdf, aead, echInfo(config.Raw))
		if err != nil {
			return fmt.Errorf("ECH: %w", err)
		}
		c.ech = &echClient{config: config, suite: suite, enc: enc, sender: sender}
		h.ECH = &wire.ECHClientHello{Inner: true}
		return nil
	}
	if !cfg.ECHGrease || !slices13(h) {
		return nil
	}
	// A DHKEM(X25519) enc is 32 bytes, any of which decode; the payload is
	// as long as Lucid's real encrypted hello would be, which refers to
	// the outer key_share rather than repeating it (sendOuter).
	// One read for the config ID, enc and payload, in that order.
	b, err := cfg.random(1 + 32 + echGreaseInnerLen(h) + echTagLen)
	if err != nil {
		return err
	}
	c.mem.greaseECH = wire.ECHClientHello{Suite: wire.ECHSuite{KDF: 1, AEAD: 1}, ConfigID: b[0], Enc: b[1:33:33], Payload: b[33:]}
	h.ECH = &c.mem.greaseECH
	c.mem.grease = echClient{grease: true, decided: true}
	c.ech = &c.mem.grease
	cfg.decide(DecisionECH, "GREASE: sent an encrypted_client_hello no server can open, so that real ones do not stand out (RFC 9849 §6.2)")
	return nil
}

// echGreaseInnerLen is the length of the EncodedClientHelloInner that a
// real encrypted hello would carry for h, padded as sendOuter pads it for
// a config with no maximum_name_length, so that a GREASE payload is as
// long as a real one (RFC 9849 §6.2.1). Every client sends GREASE by
// default, so the length is worked out from h's encoding in a pooled
// buffer rather than by building the inner hello: the inner encoding is
// h's with an empty legacy_session_id and the key_share extension
// replaced by an ech_outer_extensions naming it (echCompressed). A hello
// that does not fit that pattern is encoded in full.
func echGreaseInnerLen(h *wire.ClientHello) int {
	compress := echCompressed(h)
	if h.Extensions != nil || len(h.Unknown) > 0 || len(compress) == 0 {
		return len(wire.EncodeClientHelloInner(h, compress, 0))
	}
	bp := helloScratch.Get().(*[]byte)
	msg := h.AppendMarshal((*bp)[:0])
	n := len(msg)
	*bp = msg[:0]
	putHelloScratch(bp)
	if n == 0 {
		return len(wire.EncodeClientHelloInner(h, compress, 0))
	}
	// key_share: type, length, client_shares length, then each entry's
	// group, length and key (RFC 8446 §4.2.8).
	keyShare := 2 + 2 + 2
	for _, ks := range h.KeyShares {
		keyShare += 2 + 2 + len(ks.Data)
	}
	// ech_outer_extensions: type, length, a one-byte list length and
	// the types it names (RFC 9849 §5.1).
	outerExts := 2 + 2 + 1 + 2*len(compress)
	body := n - wire.HeaderLen - len(h.SessionID) - keyShare + outerExts
	// RFC 9849 §6.1.3 with maximum_name_length 0: a hello without a
	// server_name pads as if it had a name of no length, then the whole
	// rounds up to a multiple of 32.
	pad := 0
	if h.ServerName == "" {
		pad = 9
	}
	l := body + pad
	pad += 31 - (l-1)%32
	return body + pad
}

// helloScratch holds buffers a ClientHello is encoded into to measure it
// or to hash it before its binder is known; none of it is kept.
var helloScratch = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// putHelloScratch returns a buffer to helloScratch unless an unusual
// hello grew it past what a pool should hold for good.
func putHelloScratch(bp *[]byte) {
	if cap(*bp) <= 4096 {
		helloScratch.Put(bp)
	}
}

// slices13 reports whether h offers TLS 1.3, without which GREASE ECH
// would mean nothing.
func slices13(h *wire.ClientHello) bool {
	for _, v := range h.SupportedVersions {
		if v == version.TLS13 {
			return true
		}
	}
	return false
}

// echOffered reports whether the client sent a real encrypted hello.
func (c *client) echOffered() bool { return c.ech != nil && !c.ech.grease }

// sendHello sends c.hello: as is, or encrypted inside an outer hello when
// ECH is offered and not yet rejected.
func (c *client) sendHello() ([]byte, error) {
	if !c.echOffered() || (c.ech.decided && !c.ech.accepted) {
		c.out.expectFlight(helloRoom(c.hello))
		return c.send(c.hello), nil
	}
	return c.sendOuter()
}

// helloRoom is room enough for h's encoding: helloFixedRoom covers the
// fixed fields and the small extensions (Lucid's default hello has about
// 200 bytes of them), and the parts that can be long are added, so that
// the flight is made once at its size rather than grown by doubling (a
// resumption's hello, with its ticket, binder and GREASE
// encrypted_client_hello, is past flightCap; a hello with a post-quantum
// key share is past twice that). A hello that outgrows it anyway, with a
// long cipher suite or ALPN list, costs a copy, nothing more.
func helloRoom(h *wire.ClientHello) int {
	const helloFixedRoom = 320
	n := helloFixedRoom + len(h.ServerName) + len(h.SessionTicket) + len(h.Cookie)
	for _, p := range h.ALPN {
		n += 1 + len(p)
	}
	for _, ks := range h.KeyShares {
		n += len(ks.Data)
	}
	for _, id := range h.PSKIdentities {
		n += len(id.Identity)
	}
	for _, b := range h.PSKBinders {
		n += len(b)
	}
	if h.ECH != nil {
		n += len(h.ECH.Enc) + len(h.ECH.Payload)
	}
	return n
}

// sendOuter builds the outer hello around c.hello (RFC 9849 §6.1,
// §6.1.1): the public name in server_name, a fresh random (the first
// time), no PSK or early data, the key_share referred to rather than
// repeated, and the encrypted inner hello as the payload, sealed with the
// outer hello itself as associated data. The inner hello enters the
// transcript; the outer one goes on the wire and, until the server
// decides, into a transcript of its own.
func (c *client) sendOuter() ([]byte, error) {
	e := c.ech
	inner := c.hello
	encoded := wire.EncodeClientHelloInner(inner, echCompressed(inner), int(e.config.MaxNameLen))
	if encoded == nil {
		return nil, alert.New(alert.InternalError, "the inner ClientHello does not encode")
	}
	o := *inner
	o.Extensions, o.Unknown = nil, nil
	o.ServerName = e.config.PublicName
	o.PSKIdentities, o.PSKBinders, o.EarlyData = nil, nil, false
	o.ECH = &wire.ECHClientHello{Suite: e.suite, ConfigID: e.config.ConfigID, Payload: make([]byte, len(encoded)+echTagLen)}
	if e.outer == nil {
		o.ECH.Enc = e.enc
		if err := c.cfg.fill(o.Random[:]); err != nil {
			return nil, err
		}
	} else {
		// RFC 9849 §6.1.5: the second outer hello has an empty enc, and
		// keeps the first one's random as RFC 8446 §4.1.2 wants.
		o.Random = e.outer.Random
	}
	msg := o.Marshal()
	start, end, ok := wire.ECHPayloadSpan(msg[wire.HeaderLen:])
	if msg == nil || !ok {
		return nil, alert.New(alert.InternalError, "the outer ClientHello does not encode")
	}
	sealed, err := e.sender.Seal(msg[wire.HeaderLen:], encoded)
	if err != nil || len(sealed) != end-start {
		return nil, alert.New(alert.InternalError, "sealing the inner ClientHello failed")
	}
	copy(msg[wire.HeaderLen+start:], sealed)
	o.ECH.Payload = sealed
	first := e.outer == nil
	e.outer = &o

	b := c.out.appendMessage(rawMessage(msg))
	if !e.decided {
		e.outerTr.add(b)
	}
	innerMsg := inner.Marshal()
	c.tr.add(innerMsg)
	c.cfg.emitMessage(MessageSent, wire.TypeClientHello, len(b), &o)
	c.cfg.emitInner(MessageSent, len(innerMsg), inner)
	if first {
		c.cfg.decide(DecisionECH, fmt.Sprintf("offered: the outer hello names %s (config id %d, %s); the inner hello, encrypted, names %s",
			o.ServerName, e.config.ConfigID, e.suite.String(), nameOrNone(inner.ServerName)))
	}
	return b, nil
}

// echCompressed lists the extensions an encoded inner hello refers to in
// the outer one instead of carrying (RFC 9849 §5.1): the key shares, the
// largest part of a hello with ML-KEM, which the outer hello repeats.
func echCompressed(h *wire.ClientHello) []uint16 {
	if len(h.KeyShares) == 0 {
		return nil
	}
	return echKeyShareOnly
}

var echKeyShareOnly = []uint16{wire.ExtKeyShare}

// rawMessage is a handshake message already encoded, header included.
type rawMessage []byte

func (m rawMessage) Type() uint8                     { return m[0] }
func (m rawMessage) AppendMarshal(dst []byte) []byte { return append(dst, m...) }

// echSetHash fixes the outer transcript's hash along with the inner one's.
func (c *client) echSetHash(s *wire.ServerHello) {
	if c.echOffered() && !c.ech.decided {
		c.ech.outerTr.setHash(c.tr.alg)
	}
}

// echRetry reads a HelloRetryRequest's ECH signal (RFC 9849 §6.1.4): with
// no extension, or one that does not confirm, the server is going on with
// the outer hello.
func (c *client) echRetry(hrr *wire.ServerHello, msg []byte) error {
	if c.ech == nil {
		if hrr.ECHConfirmation != nil {
			return alert.New(alert.UnsupportedExtension, "HelloRetryRequest carries encrypted_client_hello, which was not offered")
		}
		return nil
	}
	if !c.echOffered() || c.ech.decided {
		// GREASE: the extension was checked for its length; nothing else.
		return nil
	}
	accepted := false
	if hrr.ECHConfirmation != nil {
		start, end, ok := wire.ServerHelloExtensionSpan(msg[wire.HeaderLen:], wire.ExtEncryptedClientHello)
		if !ok {
			return alert.New(alert.InternalError, "HelloRetryRequest's encrypted_client_hello cannot be found again")
		}
		zeroed := append([]byte(nil), msg...)
		clear(zeroed[wire.HeaderLen+start : wire.HeaderLen+end])
		// The transcript as it will be: message_hash of the first inner
		// hello, then the HelloRetryRequest with the signal zeroed.
		d := c.tr.sum()
		h := c.tr.alg.New()
		h.Write(wire.AppendHeader(nil, wire.TypeMessageHash, len(d)))
		h.Write(d)
		h.Write(zeroed)
		want := keys.ECHConfirmation(c.tr.alg, c.hello.Random[:], keys.LabelECHAcceptHRR, h.Sum(nil))
		accepted = subtle.ConstantTimeCompare(want, hrr.ECHConfirmation) == 1
	}
	c.echDecide(accepted, "the HelloRetryRequest")
	return nil
}

// echServerHello reads the ServerHello's ECH signal (RFC 9849 §6.1.4), or
// checks it is there after a HelloRetryRequest that accepted (§6.1.5).
func (c *client) echServerHello(sh *wire.ServerHello, msg []byte) error {
	if !c.echOffered() {
		return nil
	}
	if c.ech.decided && !c.ech.accepted {
		return nil
	}
	const at = wire.HeaderLen + 2 + 32 - wire.ECHConfirmationLen
	zeroed := append([]byte(nil), msg...)
	clear(zeroed[at : at+wire.ECHConfirmationLen])
	want := keys.ECHConfirmation(c.tr.alg, c.hello.Random[:], keys.LabelECHAccept, c.tr.sumWith(zeroed))
	ok := subtle.ConstantTimeCompare(want, msg[at:at+wire.ECHConfirmationLen]) == 1
	if c.ech.decided {
		if !ok {
			return alert.New(alert.IllegalParameter, "ServerHello does not confirm the ECH the HelloRetryRequest accepted")
		}
		return nil
	}
	c.echDecide(ok, "the ServerHello")
	if !ok && sh.HasPSK {
		// RFC 9849 §6.1.2: the outer hello offered no PSK to resume.
		return alert.New(alert.IllegalParameter, "server resumed a PSK after rejecting ECH; the outer hello offered none")
	}
	return nil
}

// echDecide settles which hello the handshake goes on with. A rejection
// switches to the outer hello and its transcript: from here on the
// handshake is with the public name's server.
func (c *client) echDecide(accepted bool, by string) {
	e := c.ech
	e.decided, e.accepted = true, accepted
	if accepted {
		e.outerTr = transcript{}
		c.result.ECHAccepted = true
		c.cfg.decide(DecisionECH, fmt.Sprintf("accepted: %s confirms the server decrypted the inner hello, for %s", by, nameOrNone(c.hello.ServerName)))
		return
	}
	c.tr = e.outerTr
	e.outerTr = transcript{}
	c.hello = e.outer
	c.result.ClientRandom = e.outer.Random
	c.session = nil
	c.cfg.decide(DecisionECH, fmt.Sprintf("rejected: %s does not confirm ECH; the server answers the outer hello, and must prove it is %s", by, e.config.PublicName))
}

// echEncryptedExtensions reads EncryptedExtensions' encrypted_client_hello
// (RFC 9849 §5, §6.1.6, §6.2.1).
func (c *client) echEncryptedExtensions(ee *wire.EncryptedExtensions) error {
	switch {
	case c.ech == nil:
		return alert.New(alert.UnsupportedExtension, "server sent encrypted_client_hello, which was not offered")
	case c.ech.grease:
		// Checked syntactically by the parser; not kept (§6.2.1).
	case c.ech.accepted:
		return alert.New(alert.UnsupportedExtension, "server sent retry configs after accepting ECH")
	default:
		c.ech.retryConfigs = ee.ECHRetryConfigs
	}
	return nil
}

// echPublicName is the name the server's certificate must be valid for in
// place of the configured one: the public name, after a rejection.
func (c *client) echPublicName() string {
	if c.echOffered() && c.ech.decided && !c.ech.accepted {
		return c.ech.config.PublicName
	}
	return ""
}

// echRejected is the error that ends a handshake whose server proved it is
// the public name but did not use the inner hello, or nil: the client
// completes the handshake, then aborts it with ech_required (RFC 9849
// §6.1.6).
func (c *client) echRejected() *alert.Error {
	if c.echPublicName() == "" {
		return nil
	}
	return &alert.Error{Desc: alert.ECHRequired, Err: &ECHRejectedError{RetryConfigs: c.ech.retryConfigs}}
}
