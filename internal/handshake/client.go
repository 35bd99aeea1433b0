package handshake

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"

	"lucid/internal/alert"
	"lucid/internal/kex"
	"lucid/internal/keys"
	"lucid/internal/session"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// client holds what every client state shares: the configuration, the
// transcript, the hello it sent and the key shares it still owns.
type client struct {
	*Engine
	// first is the state Start leaves the engine in, kept here so that
	// starting allocates it with the client.
	first   expectServerHello
	hello   *wire.ClientHello
	shares  []*kex.Private
	sentCCS bool
	// pskSuite is the suite of the ticket offered as a PSK, if any.
	pskSuite *suites.Suite
	// pskEarly is that ticket's early secret, made with its binder.
	pskEarly keys.EarlySecret
	// sessionID is the random legacy_session_id the hello carries, when
	// it is not a session's (buildHello).
	sessionID [32]byte
	// serverSessionID is a TLS 1.2 server's session ID, for resumption.
	serverSessionID []byte
	// offered12 says the ClientHello offers a TLS 1.2 session, by ID or
	// by ticket; only then may a TLS 1.2 server echo our session ID.
	offered12 bool
	// session is the configured session if it was admitted, with the
	// admission a resumption of it is recorded through; nil otherwise.
	session  *ClientSession
	admitted admission
	// ech is the client's Encrypted Client Hello, real or GREASE; nil
	// when it sends none.
	ech *echClient
	// mem is room, in the client's own allocation, for what building
	// the first hello would otherwise allocate piece by piece.
	mem clientMem
}

// clientMem holds the first ClientHello and its lists, the key shares, a
// GREASE encrypted_client_hello and the TLS 1.3 states after ServerHello:
// each made once per handshake, and none needed after it, like the client
// that holds them.
type clientMem struct {
	// conv12 is the TLS 1.2 conversation, when the server chose TLS 1.2.
	conv12    conv12
	hello     wire.ClientHello
	u16       [48]uint16
	shares    [2]*kex.Private
	shareRoom [2]kex.Private
	keyShares [2]wire.KeyShare
	greaseECH wire.ECHClientHello
	grease    echClient
	// The TLS 1.3 states after ServerHello, each entered once.
	ee  expectEncryptedExtensions
	cv  expectCertificateVerify
	fin expectServerFinished
	// content is what a CertificateVerify signs, the server's checked and
	// then the client's own made: 64 spaces, a context string, a zero
	// byte and a transcript hash.
	content [contentRoom]byte
	// The client's answer to a CertificateRequest.
	request CertRequest
	cert    wire.Certificate
	entries [3]wire.CertificateEntry
	ownCV   wire.CertificateVerify
	// pending holds the first hello until the transcript has its hash;
	// a longer one is copied out to an array of its own.
	pending [1024]byte
}

// contentRoom holds a TLS 1.3 CertificateVerify's signed content with a
// hash of up to 64 bytes.
const contentRoom = 64 + 40 + 64

// carve takes n values' room from the front of *room, or makes a new
// slice when it has too little left; either way the result has length 0
// and capacity n, so appending to it cannot run into what follows.
func carve(room *[]uint16, n int) []uint16 {
	r := *room
	if n > len(r) {
		return make([]uint16, 0, n)
	}
	*room = r[n:]
	return r[:0:n]
}

// NewClient returns a client engine. Call Start for the first flight.
func NewClient(cfg *Config) *Engine {
	b := fromPool[clientStart](&clientStarts)
	b.live.begin(b, cfg)
	b.live.client = &b.c
	return &Engine{isClient: true, live: &b.live}
}

// Start builds the ClientHello (RFC 8446 §4.1.2) and returns the first flight.
func (e *Engine) Start() ([]Action, error) {
	if e.live == nil || e.live.client == nil || e.live.client.Engine != nil {
		return nil, errors.New("Start is for a client engine that has not started")
	}
	c := e.live.client
	c.Engine = e
	c.first.c = c
	e.track.start(SideClient)
	if err := c.buildHello(); err != nil {
		return nil, err
	}
	// The hello waits as bytes until the server picks the hash.
	c.tr.pending = c.mem.pending[:0]
	hello, err := c.sendHello()
	if err != nil {
		return nil, err
	}
	c.startEarlyData(hello)
	c.out.flush()
	return e.advance(&c.first, nil)
}

// offerable admits the configured session, if there is one, against the
// configuration as it is now; a session it declines is dropped.
func (c *client) offerable() {
	cs := c.cfg.Session
	if cs == nil {
		return
	}
	a, err := c.admitOffer(cs)
	if err != nil {
		c.cfg.emitDeclined(err)
		if c.cfg.DropSession != nil {
			c.cfg.DropSession()
		}
		return
	}
	c.session, c.admitted = cs, a
}

func (c *client) buildHello() error {
	cfg := c.cfg
	// Read straight into the result, which keeps it anyway, before the
	// session ID, as the deterministic transcripts expect.
	if err := cfg.fill(c.result.ClientRandom[:]); err != nil {
		return fmt.Errorf("reading client random: %w", err)
	}
	tls13, tls12 := cfg.allows(version.TLS13), cfg.allows(version.TLS12)
	if cfg.ECHConfigList != nil {
		// RFC 9849 §6.1: the inner hello offers TLS 1.3 alone, and so does
		// the outer one, which is built from it.
		if !tls13 {
			return errors.New("Encrypted Client Hello requires TLS 1.3, which the configuration does not allow")
		}
		tls12 = false
	}
	c.offerable()
	s12 := c.session
	if s12 != nil && (s12.State.Version != version.TLS12 || !tls12) {
		s12 = nil
	}
	byID := s12 != nil && len(s12.SessionID) > 0 && s12.Ticket == nil
	byTicket := s12 != nil && s12.Ticket != nil && cfg.TicketsWanted
	c.offered12 = byID || byTicket
	// RFC 8446 §D.4: a non-empty legacy_session_id puts the handshake in
	// middlebox compatibility mode, which real networks need; in TLS 1.2
	// the same random ID tells a client offering a ticket whether the
	// server resumed (RFC 5077 §3.4). Otherwise it stays empty, as RFC
	// 5246 §7.4.1.2 has it when there is no session to name.
	var sid []byte
	var err error
	switch {
	case byID:
		sid = s12.SessionID
	case tls13 || byTicket:
		// Read into the client, which lives as long as its hello.
		if err = cfg.fill(c.sessionID[:]); err != nil {
			return fmt.Errorf("reading session id: %w", err)
		}
		sid = c.sessionID[:]
	}
	room := c.mem.u16[:]
	h := &c.mem.hello
	*h = wire.ClientHello{
		LegacyVersion:        version.TLS12,
		SessionID:            sid,
		CompressionMethods:   nullCompression[:1:1],
		SupportedGroups:      cfg.Groups,
		SignatureSchemes:     appendSchemes(carve(&room, len(cfg.Schemes)), cfg.Schemes),
		SignatureSchemesCert: appendSchemes(carve(&room, len(cfg.CertSchemes)), cfg.CertSchemes),
		ALPN:                 cfg.NextProtos,
		// Asking costs the server nothing it does not have, and lets
		// the caller see a staple or timestamps if there are any.
		StatusRequest: true,
		SCT:           true,
	}
	h.Random = c.result.ClientRandom
	// Sized once for both versions' suites and versions.
	h.SupportedVersions = carve(&room, 2)
	h.CipherSuites = carve(&room, len(cfg.CipherSuites)+len(cfg.Suites12))
	if tls13 {
		h.CipherSuites = append(h.CipherSuites, cfg.CipherSuites...)
		h.SupportedVersions = append(h.SupportedVersions, version.TLS13)
		h.HasKeyShare = true
		h.PSKModes = pskModes[0:1:1]
		if cfg.PSKWithoutKeyExchange {
			h.PSKModes = pskModes[1:2:2]
		}
		h.CertCompressionAlgorithms = cfg.certCompressionOffer()
	}
	if !tls13 {
		// The hybrid group exists only in TLS 1.3; with nothing else
		// configured it stays, and the server finds no group in common.
		var classic []uint16
		for _, g := range cfg.Groups {
			if g != kex.X25519MLKEM768 {
				classic = append(classic, g)
			}
		}
		if classic != nil {
			h.SupportedGroups = classic
		}
	}
	if tls12 {
		h.CipherSuites = append(h.CipherSuites, cfg.Suites12...)
		h.SupportedVersions = append(h.SupportedVersions, version.TLS12)
		h.ExtendedMasterSecret = true
		h.SecureRenegotiationSupported = true
		h.ECPointFormats = nullCompression[:1:1] // uncompressed, also 0
		if cfg.TicketsWanted {
			h.TicketSupported = true
			if byTicket {
				h.SessionTicket = s12.Ticket
			}
		}
	}
	c.offerRecordSizeLimit(h, tls13)
	// RFC 6066 §3: server_name carries a DNS host name without its
	// trailing dot; an IP literal, or anything else that is no host name,
	// is not sent (certificate checks still use cfg.ServerName).
	if name := strings.TrimSuffix(cfg.ServerName, "."); wire.CheckHostName(name) == nil {
		h.ServerName = name
	}
	c.result.ClientRandom = h.Random
	if tls13 {
		// Browsers send a share for the hybrid group and one for X25519,
		// so a server without ML-KEM still completes in one round trip.
		want := carve(&room, 2)
		want = append(want, cfg.Groups[0])
		if cfg.Groups[0] == kex.X25519MLKEM768 && slices.Contains(cfg.Groups, kex.X25519) {
			want = append(want, kex.X25519)
		}
		c.shares = c.mem.shares[:0:len(c.mem.shares)]
		h.KeyShares = c.mem.keyShares[:0:len(c.mem.keyShares)]
		for i, g := range want {
			p := &c.mem.shareRoom[i]
			if err := kex.GenerateInto(p, g, cfg.Rand); err != nil {
				return err
			}
			c.shares = append(c.shares, p)
			h.KeyShares = append(h.KeyShares, wire.KeyShare{Group: g, Data: p.Share()})
		}
	}
	// A TLS 1.2 CertificateVerify signs raw messages; keep them until the
	// version is known, if the client has a certificate to sign with.
	c.tr.keepRaw = tls12 && cfg.GetClientCertificate != nil
	// The ECH extension precedes pre_shared_key, which the binder covers.
	if err := c.prepareECH(h); err != nil {
		return err
	}
	if tls13 && c.offerPSK(h) {
		// early_data precedes pre_shared_key, which the binder covers.
		// Lucid sends no 0-RTT data inside an encrypted hello.
		if !c.echOffered() {
			c.offerEarlyData(h)
		}
		if err := c.attachBinder(h, nil); err != nil {
			return err
		}
	} else if cfg.SendEarlyData {
		c.result.EarlyData.Reason = EarlyNoSession
	}
	if len(h.CipherSuites) == 0 {
		return errors.New("no cipher suite is enabled for the versions allowed")
	}
	c.hello = h
	return nil
}

// psk_key_exchange_modes values (RFC 8446 §4.2.9).
const (
	pskKE    uint8 = 0
	pskDHEKE uint8 = 1
)

// The one-value lists every ClientHello sends, shared rather than made per
// hello; a hello's slices are only ever read or replaced, never written.
var (
	nullCompression = []uint8{0}
	pskModes        = []uint8{pskDHEKE, pskKE}
)

type expectServerHello struct{ c *client }

func (s *expectServerHello) handle(typ uint8, msg []byte) (state, error) {
	c := s.c
	sh, err := receive(c.cfg, typ, msg, wire.TypeServerHello, wire.ParseServerHelloOwned)
	if err != nil {
		return nil, err
	}
	// RFC 8446 §4.2.1: no supported_versions means TLS 1.2 or older, which
	// can never follow a HelloRetryRequest.
	if sh.SupportedVersion == 0 && !sh.IsHelloRetryRequest() && !c.result.DidHRR {
		if c.echOffered() {
			return nil, alert.New(alert.ProtocolVersion, "server chose TLS 1.2, but Encrypted Client Hello offers TLS 1.3 alone")
		}
		if c.result.EarlyData.Offered {
			// A server that takes a TLS 1.3 session's PSK speaks TLS 1.3;
			// one that answers in TLS 1.2 has 0-RTT records it cannot read.
			return nil, alert.New(alert.ProtocolVersion, "server chose TLS 1.2 after 0-RTT data was sent")
		}
		return c.serverHello12(sh, msg)
	}
	suite, err := c.checkServerHello(sh)
	if err != nil {
		return nil, err
	}
	c.tr.setHash(suite.Hash)
	c.echSetHash(sh)
	if sh.IsHelloRetryRequest() {
		if err := c.echRetry(sh, msg); err != nil {
			return nil, err
		}
		return c.retry(sh, msg, suite)
	}
	if err := c.echServerHello(sh, msg); err != nil {
		return nil, err
	}
	return c.serverHello(sh, msg, suite)
}

// checkServerHello applies the checks common to ServerHello and
// HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4).
func (c *client) checkServerHello(sh *wire.ServerHello) (*suites.Suite, error) {
	if sh.SupportedVersion != version.TLS13 || !c.cfg.allows(version.TLS13) {
		return nil, alert.New(alert.IllegalParameter, "server selected version 0x%04x, which was not offered", sh.SupportedVersion)
	}
	if sh.LegacyVersion != version.TLS12 {
		return nil, alert.New(alert.IllegalParameter, "ServerHello legacy_version is 0x%04x, want 0x0303", sh.LegacyVersion)
	}
	if !bytes.Equal(sh.SessionID, c.hello.SessionID) {
		return nil, alert.New(alert.IllegalParameter, "server did not echo legacy_session_id")
	}
	if !slices.Contains(c.hello.CipherSuites, sh.CipherSuite) {
		return nil, alert.New(alert.IllegalParameter, "server chose cipher suite 0x%04x, which was not offered", sh.CipherSuite)
	}
	suite := suites.Lookup13(sh.CipherSuite)
	if suite == nil {
		return nil, alert.New(alert.IllegalParameter, "server chose cipher suite 0x%04x, which is not a TLS 1.3 suite", sh.CipherSuite)
	}
	if c.result.Suite != nil && c.result.Suite != suite {
		// RFC 8446 §4.1.4: the suite in ServerHello must match the HRR's.
		return nil, alert.New(alert.IllegalParameter, "ServerHello suite %s differs from HelloRetryRequest's %s", suite.Name, c.result.Suite.Name)
	}
	for _, ext := range sh.Extensions {
		switch ext {
		case wire.ExtSupportedVersions, wire.ExtKeyShare, wire.ExtCookie:
		case wire.ExtEncryptedClientHello:
			// Only a HelloRetryRequest parses with it; echRetry checks
			// it was offered.
		case wire.ExtPreSharedKey:
			if len(c.hello.PSKIdentities) == 0 {
				return nil, alert.New(alert.UnsupportedExtension, "server sent pre_shared_key, but no PSK was offered")
			}
		default:
			return nil, alert.New(alert.UnsupportedExtension, "server sent extension %s in ServerHello", wire.ExtensionName(ext))
		}
	}
	c.result.Suite = suite
	return suite, nil
}

// retry answers a HelloRetryRequest with a second ClientHello (RFC 8446 §4.1.4).
func (c *client) retry(hrr *wire.ServerHello, msg []byte, suite *suites.Suite) (state, error) {
	if c.result.DidHRR {
		return nil, alert.New(alert.UnexpectedMessage, "second HelloRetryRequest")
	}
	c.result.DidHRR = true
	g := hrr.SelectedGroup
	if g == 0 && hrr.Cookie == nil {
		return nil, alert.New(alert.IllegalParameter, "HelloRetryRequest would not change the ClientHello")
	}
	if g != 0 {
		if !slices.Contains(c.hello.SupportedGroups, g) {
			return nil, alert.New(alert.IllegalParameter, "HelloRetryRequest selected group %s, which was not offered", kex.Name(g))
		}
		for _, p := range c.shares {
			if p.Group() == g {
				return nil, alert.New(alert.IllegalParameter, "HelloRetryRequest asked for %s, for which a share was already sent", kex.Name(g))
			}
		}
	}
	c.tr.replaceWithMessageHash()
	c.tr.add(msg)
	c.cfg.decide(DecisionHelloRetry, fmt.Sprintf("server asked for group %s", kex.Name(g)))

	h := *c.hello
	h.Cookie = hrr.Cookie
	// RFC 8446 §4.1.2: the second ClientHello drops early_data.
	h.EarlyData = false
	c.leaveEarlyKey()
	if g != 0 {
		// The first hello's private keys go now, not at ServerHello:
		// their room takes the one share the server asked for.
		clear(c.mem.shareRoom[:])
		p := &c.mem.shareRoom[0]
		if err := kex.GenerateInto(p, g, c.cfg.Rand); err != nil {
			return nil, err
		}
		c.mem.shares = [2]*kex.Private{p}
		c.shares = c.mem.shares[:1]
		h.KeyShares = []wire.KeyShare{{Group: g, Data: p.Share()}}
	}
	if len(h.PSKIdentities) > 0 {
		// RFC 8446 §4.1.2: recompute the age and binder, or drop a PSK
		// whose hash no longer fits the suite the server asked for.
		if suite.Hash != c.pskSuite.Hash {
			h.PSKIdentities, h.PSKBinders = nil, nil
		} else {
			h.PSKIdentities = []wire.PSKIdentity{{Identity: c.session.Ticket, ObfuscatedTicketAge: session.ObfuscatedAge(c.session.State, c.cfg.now())}}
			h.PSKBinders = [][]byte{make([]byte, suite.Hash.Size())}
			if err := c.attachBinder(&h, &c.tr); err != nil {
				return nil, err
			}
		}
	}
	c.hello = &h
	// RFC 8446 §D.4: in compatibility mode the client's change_cipher_spec
	// goes right before its second flight, unless it followed the first
	// ClientHello already, as it does with 0-RTT data.
	if !c.sentCCS {
		c.out.ccs()
		c.sentCCS = true
	}
	if _, err := c.sendHello(); err != nil {
		return nil, err
	}
	c.out.flush()
	return &expectServerHello{c}, nil
}

func (c *client) serverHello(sh *wire.ServerHello, msg []byte, suite *suites.Suite) (state, error) {
	var share *kex.Private
	for _, p := range c.shares {
		if p.Group() == sh.KeyShare.Group {
			share = p
		}
	}
	var shared []byte
	switch {
	case sh.KeyShare.Group == 0 && sh.HasPSK && slices.Contains(c.hello.PSKModes, pskKE):
		// psk_ke: the PSK alone keys the handshake (RFC 8446 §4.2.9).
	case sh.KeyShare.Group == 0:
		return nil, alert.New(alert.MissingExtension, "ServerHello has no key_share")
	case share == nil:
		return nil, alert.New(alert.IllegalParameter, "server's key share is for %s, for which no share was sent", kex.Name(sh.KeyShare.Group))
	default:
		var err error
		if shared, err = share.Shared(sh.KeyShare.Data); err != nil {
			return nil, err
		}
		c.result.Group = share.Group()
	}
	c.shares = nil
	clear(c.mem.shares[:])
	clear(c.mem.shareRoom[:]) // wipes the private keys
	c.tr.keepRaw, c.tr.raw = false, nil
	c.result.Version = version.TLS13
	c.tr.add(msg)
	early, err := c.acceptPSK(sh, suite)
	if err != nil {
		return nil, err
	}
	hs := early.Handshake(shared)
	th := c.tr.sum()
	cs, ss, ms := hs.TrafficAndMaster(th)
	c.cfg.keyLog(keys.LogClientHandshake, c.result.ClientRandom, cs)
	c.cfg.keyLog(keys.LogServerHandshake, c.result.ClientRandom, ss)
	serverFinishedKey := c.out.readHandshakeKey(suite, ss)
	// RFC 8446 §D.4: the compatibility change_cipher_spec precedes the
	// client's first protected record. Queued now, it goes out ahead of
	// the Finished flight or of an alert raised before it.
	if !c.sentCCS {
		c.out.ccs()
		c.sentCCS = true
	}
	if c.result.EarlyData.Offered && !c.result.DidHRR {
		if c.result.DidResume {
			// The early key writes on until EncryptedExtensions says
			// whether the server reads it: EndOfEarlyData goes under it
			// if so.
			c.mem.ee = expectEncryptedExtensions{c: c, ms: ms, clientHandshake: cs, serverFinishedKey: serverFinishedKey}
			return &c.mem.ee, nil
		}
		// A server that did not take the PSK cannot read the early data
		// (RFC 8446 §4.2.10): the handshake goes on in full, and the
		// client's handshake key takes over at once, as in any full
		// handshake.
		c.earlyRejected(EarlyNoSession)
	}
	// Installed now so that an alert the client raises before its Finished
	// is protected, as the server expects (RFC 8446 §5.1).
	clientFinishedKey := c.out.writeHandshakeKey(suite, cs)
	c.mem.ee = expectEncryptedExtensions{c: c, ms: ms, clientFinishedKey: clientFinishedKey, serverFinishedKey: serverFinishedKey}
	return &c.mem.ee, nil
}

// handshakeKeys travels from ServerHello to Finished: the secrets the rest
// of the handshake is protected and authenticated with.
type handshakeKeys struct {
	c  *client
	ms keys.MasterSecret
	// clientFinishedKey and serverFinishedKey are the finished_keys of the
	// two handshake traffic secrets.
	clientFinishedKey []byte
	serverFinishedKey []byte
	request           *wire.CertificateRequest
	// clientHandshake is the client's handshake traffic secret while the
	// early key still writes (0-RTT offered), nil once installed;
	// earlyAccepted says EndOfEarlyData must precede the switch.
	clientHandshake []byte
	earlyAccepted   bool
}

type expectEncryptedExtensions handshakeKeys

func (s *expectEncryptedExtensions) handle(typ uint8, msg []byte) (state, error) {
	c := s.c
	ee, err := receive(c.cfg, typ, msg, wire.TypeEncryptedExtensions, wire.ParseEncryptedExtensionsOwned)
	if err != nil {
		return nil, err
	}
	for _, ext := range ee.Extensions {
		switch ext {
		case wire.ExtServerName:
			if c.hello.ServerName == "" {
				return nil, alert.New(alert.UnsupportedExtension, "server acknowledged server_name, which was not sent")
			}
		case wire.ExtALPN:
			if len(c.hello.ALPN) == 0 {
				return nil, alert.New(alert.UnsupportedExtension, "server sent ALPN, which was not offered")
			}
		case wire.ExtSupportedGroups:
			// RFC 8446 §4.2.7: the server's preference, for future use.
		case wire.ExtEarlyData:
			if err := c.checkEarlyAccepted(ee); err != nil {
				return nil, err
			}
		case wire.ExtEncryptedClientHello:
			if err := c.echEncryptedExtensions(ee); err != nil {
				return nil, err
			}
		case wire.ExtRecordSizeLimit:
			if c.hello.RecordSizeLimit == 0 {
				return nil, alert.New(alert.UnsupportedExtension, "server sent record_size_limit, which was not offered")
			}
			if err := c.acceptRecordSizeLimit(ee.RecordSizeLimit, version.TLS13); err != nil {
				return nil, err
			}
		default:
			return nil, alert.New(alert.UnsupportedExtension, "server sent unsolicited extension %s", wire.ExtensionName(ext))
		}
	}
	if ee.ALPN != "" {
		found := false
		for _, p := range c.hello.ALPN {
			found = found || p == ee.ALPN
		}
		if !found {
			return nil, alert.New(alert.IllegalParameter, "server chose protocol %q, which was not offered", ee.ALPN)
		}
		c.result.ALPN = ee.ALPN
	}
	c.result.ServerName = c.cfg.ServerName
	c.tr.add(msg)
	if s.clientHandshake != nil {
		if c.result.EarlyData.Accepted {
			s.earlyAccepted = true
		} else {
			reason := EarlyPeerDeclined
			if !c.result.DidResume {
				reason = EarlyNoSession
			}
			c.earlyRejected(reason)
			s.clientFinishedKey = c.out.writeHandshakeKey(c.result.Suite, s.clientHandshake)
			s.clientHandshake = nil
		}
	}
	if c.result.DidResume {
		// A resumed handshake authenticates through the PSK: no
		// Certificate or CertificateVerify follows (RFC 8446 §2.2). The
		// server is who the session says, as admitOffer checked it again.
		server, err := serverBySession(c.admitted)
		if err != nil {
			return nil, err
		}
		return newServerFinished13(handshakeKeys(*s), server), nil
	}
	return (*expectCertificate)(s), nil
}

type expectCertificate handshakeKeys

func (s *expectCertificate) handle(typ uint8, msg []byte) (state, error) {
	c := s.c
	switch {
	case typ == wire.TypeCertificateRequest && s.request == nil:
		// Client certificates arrive with the mutual-TLS work; until then
		// a request is answered with an empty Certificate (RFC 8446 §4.4.2).
		cr, err := wire.ParseCertificateRequestOwned(msg[wire.HeaderLen:])
		if err != nil {
			return nil, err
		}
		c.cfg.emitMessage(MessageReceived, typ, len(msg), cr)
		// RFC 8446 §4.3.2: the context is empty except in post-handshake
		// authentication.
		if len(cr.Context) != 0 {
			return nil, alert.New(alert.IllegalParameter, "CertificateRequest in the handshake has a non-empty context")
		}
		c.tr.add(msg)
		next := *s
		next.request = cr
		return &next, nil
	case typ == wire.TypeCertificate, typ == wire.TypeCompressedCertificate && len(c.hello.CertCompressionAlgorithms) > 0:
	default:
		return nil, unexpected(typ, "Certificate or CertificateRequest")
	}
	cert, err := c.receiveCertificate13(typ, msg, c.hello.CertCompressionAlgorithms)
	if err != nil {
		return nil, err
	}
	if len(cert.RequestContext) != 0 {
		return nil, alert.New(alert.IllegalParameter, "server Certificate has a non-empty request context")
	}
	// RFC 8446 §4.4.2.4: an empty server Certificate is decode_error.
	if len(cert.Entries) == 0 {
		return nil, alert.New(alert.DecodeError, "server sent no certificate")
	}
	chain := make([][]byte, len(cert.Entries))
	for i, e := range cert.Entries {
		chain[i] = e.Data
		// RFC 8446 §4.4.2: entry extensions must answer ones the client
		// sent in its ClientHello.
		if e.OCSPStaple != nil && !c.hello.StatusRequest {
			return nil, alert.New(alert.UnsupportedExtension, "server stapled an OCSP response that was not requested")
		}
		if e.SCTs != nil && !c.hello.SCT {
			return nil, alert.New(alert.UnsupportedExtension, "server sent SCTs that were not requested")
		}
		if len(e.Unknown) > 0 {
			return nil, alert.New(alert.UnsupportedExtension, "server's certificate entry carries extension %s, which was not requested", wire.ExtensionName(e.Unknown[0]))
		}
	}
	// cert_data is a DER certificate (RFC 8446 §4.4.2); bytes that do not
	// parse as one make a malformed message, answered with decode_error
	// as OpenSSL and BoringSSL do, wherever a peer's certificate fails to
	// parse (parseChain).
	checked, err := c.verifyServerChain(chain)
	if err != nil {
		return nil, err
	}
	if err := checkKeyUsage(checked.leaf(), x509.KeyUsageDigitalSignature, "server"); err != nil {
		return nil, err
	}
	c.result.OCSPResponse, c.result.SCTs = cert.Entries[0].OCSPStaple, cert.Entries[0].SCTs
	c.tr.add(msg)
	s.c.mem.cv = expectCertificateVerify{keys: handshakeKeys(*s), chain: checked}
	return &s.c.mem.cv, nil
}

type expectCertificateVerify struct {
	keys  handshakeKeys
	chain checkedChain
}

func (s *expectCertificateVerify) handle(typ uint8, msg []byte) (state, error) {
	c := s.keys.c
	cv, err := receive(c.cfg, typ, msg, wire.TypeCertificateVerify, wire.ParseCertificateVerifyOwned)
	if err != nil {
		return nil, err
	}
	scheme := signature.Scheme(cv.Scheme)
	// RFC 8446 §4.4.3: the scheme must be one the client offered.
	if !slices.Contains(c.hello.SignatureSchemes, cv.Scheme) {
		return nil, alert.New(alert.IllegalParameter, "server signed with %s, which was not offered", scheme)
	}
	content := signature.AppendContent13(c.mem.content[:0], signature.ServerContext13, c.tr.sum())
	sig, err := verifySignature(s.chain, version.TLS13, scheme, content, cv.Signature)
	if err != nil {
		c.cfg.check(CheckCertificateVerify, "", err)
		return nil, err
	}
	if c.cfg.Observe != nil { // the detail is built only for an observer
		c.cfg.check(CheckCertificateVerify, "signature over the transcript verified with "+scheme.String(), nil)
	}
	c.tr.add(msg)
	return newServerFinished13(s.keys, serverBySignature(sig)), nil
}

// expectServerFinished takes the server's Finished, which it accepts only
// from a server proven to be who it claims.
type expectServerFinished struct {
	keys   handshakeKeys
	server authenticatedServer
	// peer is room for the Finished this state receives.
	peer wire.Finished
}

func newServerFinished13(k handshakeKeys, server authenticatedServer) *expectServerFinished {
	if k.c == nil {
		return &expectServerFinished{keys: k, server: server}
	}
	// Made once per handshake, in the client's room for it.
	st := &k.c.mem.fin
	*st = expectServerFinished{keys: k, server: server}
	return st
}

func (s *expectServerFinished) handle(typ uint8, msg []byte) (state, error) {
	if !s.server.valid() {
		return nil, unproven("server")
	}
	k := s.keys
	c := k.c
	suite := c.result.Suite
	if err := checkFinished(c.cfg, &c.tr, suite, k.serverFinishedKey, typ, msg, SideServer, &s.peer); err != nil {
		return nil, err
	}
	// A server that did not use the encrypted hello, and proved it is the
	// public name, gets a complete handshake before the client aborts it
	// with ech_required (RFC 9849 §6.1.6): its Finished, and never a
	// client certificate (§6.1.7). The result says so; the caller sends
	// the alert and nothing else.
	rejected := c.echRejected()
	c.result.ECHRejected = rejected
	s.server.record(&c.result)
	// The application secrets cover the transcript up to here, the
	// resumption secret up to the client's Finished: both are derived once
	// that Finished is sent, under one HMAC of the master secret.
	var applicationHash [64]byte
	th := applicationHash[:copy(applicationHash[:], c.tr.sum())]

	if k.earlyAccepted {
		// RFC 8446 §4.5: EndOfEarlyData, under the early key, ends the
		// 0-RTT data; the handshake key protects what follows.
		c.send(&wire.EndOfEarlyData{})
		k.clientFinishedKey = c.out.writeHandshakeKey(suite, k.clientHandshake)
	}
	switch {
	case k.request != nil && rejected != nil:
		c.send(&wire.Certificate{RequestContext: k.request.Context})
	case k.request != nil:
		if err := c.answerRequest13(k.request); err != nil {
			return nil, err
		}
	}
	c.send(&wire.Finished{VerifyData: keys.AppendFinishedMACKeyed(c.finishedBuf(), suite.Hash, k.clientFinishedKey, c.tr.sum())})
	r := &c.result
	r.ClientTraffic, r.ServerTraffic, r.Exporter, r.Resumption = k.ms.ApplicationAndResumption(th, c.tr.sum())
	logApplicationSecrets(c.cfg, r.ClientRandom, r)
	c.out.readKey(suite, r.ServerTraffic, LevelApplication)
	c.out.writeKey(suite, r.ClientTraffic, LevelApplication)
	c.out.flush()
	return nil, nil
}
