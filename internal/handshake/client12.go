package handshake

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"slices"
	"time"

	"lucid/internal/alert"
	"lucid/internal/kex"
	"lucid/internal/keys"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// The TLS 1.2 client (RFC 5246 §7.3), reached when a ServerHello carries
// no supported_versions. Its states hold a conv12: the randoms, the
// transcript and, once known, the master secret.
type conv12 struct {
	c      *client
	suite  *suites.Suite12
	server [32]byte
	master []byte
	// prf is the PRF under master, for the key block and both Finished.
	prf keys.MasterPRF
	// keys is the record protection the master secret expands to.
	keys   keys12
	chain  checkedChain
	preMas []byte
	// clientShare is the client's ECDHE public value for ClientKeyExchange.
	clientShare []byte
	request     *wire.CertificateRequest12
	resumed     *ClientSession
	ticketOK    bool // the server will send a NewSessionTicket
	statusOK    bool // the server may send a CertificateStatus
	ticket      []byte
	lifetime    time.Duration
	// room holds the states and messages of the handshake, each made
	// once, so they come with the conv12 rather than one by one.
	room client12Room
}

// client12Room is what a TLS 1.2 client's handshake would otherwise
// allocate piece by piece after ServerHello. None of it outlives the
// handshake: the record protection and what the Result keeps are
// allocated on their own.
type client12Room struct {
	cert   expectCertificate12
	ske    expectServerKeyExchange
	done   expectServerHelloDone
	ticket expectTicket12
	ccs    expectCCS12
	// fin is reached only by newServerFinished12.
	fin expectServerFinished12
	// signed is the content a ServerKeyExchange signature covers: both
	// randoms and ServerECDHParams, whose point has at most 255 bytes.
	signed   [64 + 4 + 255]byte
	cke      wire.ClientKeyExchange
	ckeData  [1 + 255]byte
	ownCert  wire.Certificate12
	finished wire.Finished
	keyBlock keyBlockRoom
	peerCert wire.Certificate12
	peerSKE  wire.ServerKeyExchangeECDHE
	mine     kex.Private
}

// serverHello12 checks a TLS 1.2 ServerHello and chooses between a full and
// an abbreviated handshake.
func (c *client) serverHello12(sh *wire.ServerHello, msg []byte) (state, error) {
	cfg := c.cfg
	if sh.LegacyVersion != version.TLS12 {
		return nil, alert.New(alert.ProtocolVersion, "server offers %s; Lucid speaks TLS 1.2 and 1.3 only", version.Name(sh.LegacyVersion))
	}
	if !cfg.allows(version.TLS12) {
		return nil, alert.New(alert.ProtocolVersion, "server chose TLS 1.2, below the configured minimum")
	}
	// RFC 8446 §4.1.3: a client that offered TLS 1.3 and meets the
	// sentinel is being downgraded by someone in the middle.
	if cfg.allows(version.TLS13) && hasDowngradeSentinel(sh.Random) {
		return nil, alert.New(alert.IllegalParameter, "downgrade detected: the server supports TLS 1.3 but the ServerHello was for TLS 1.2")
	}
	if !bytes.Equal(sh.SessionID, c.hello.SessionID) && len(sh.SessionID) > 32 {
		return nil, alert.New(alert.IllegalParameter, "server session ID is too long")
	}
	suite := suites.Lookup12(sh.CipherSuite)
	if suite == nil || !slices.Contains(c.hello.CipherSuites, sh.CipherSuite) {
		return nil, alert.New(alert.IllegalParameter, "server chose cipher suite 0x%04x, which was not offered for TLS 1.2", sh.CipherSuite)
	}
	if sh.CompressionMethod != 0 {
		return nil, alert.New(alert.IllegalParameter, "server chose compression %d", sh.CompressionMethod)
	}
	for _, ext := range sh.Extensions {
		offered := true
		switch ext {
		case wire.ExtRenegotiationInfo, wire.ExtExtendedMasterSecret, wire.ExtECPointFormats, wire.ExtSupportedGroups:
		case wire.ExtALPN:
			offered = len(c.hello.ALPN) > 0
		case wire.ExtSessionTicket:
			offered = c.hello.TicketSupported
		case wire.ExtServerName:
			offered = c.hello.ServerName != ""
		case wire.ExtStatusRequest:
			offered = c.hello.StatusRequest
		case wire.ExtSCT:
			offered = c.hello.SCT
		case wire.ExtRecordSizeLimit:
			offered = c.hello.RecordSizeLimit != 0
		default:
			offered = false
		}
		if !offered {
			return nil, alert.New(alert.UnsupportedExtension, "server sent extension %s, which was not offered", wire.ExtensionName(ext))
		}
	}
	// RFC 5746 §3.4: the server must show it knows secure renegotiation,
	// and in an initial handshake its renegotiated_connection is empty.
	if !sh.SecureRenegotiationSupported {
		return nil, alert.New(alert.HandshakeFailure, "server does not support secure renegotiation (RFC 5746)")
	}
	if len(sh.SecureRenegotiation) != 0 {
		return nil, alert.New(alert.HandshakeFailure, "server sent a non-empty renegotiation_info in an initial handshake")
	}
	// RFC 7627: Lucid requires the extended master secret, which binds
	// the master secret to the whole handshake.
	if !sh.ExtendedMasterSecret {
		return nil, alert.New(alert.HandshakeFailure, "server does not support the extended master secret (RFC 7627)")
	}
	if sh.ECPointFormats != nil && !bytes.Contains(sh.ECPointFormats, []byte{0}) {
		return nil, alert.New(alert.IllegalParameter, "server does not accept uncompressed points")
	}
	if sh.ALPN != "" {
		if !slices.Contains(c.hello.ALPN, sh.ALPN) {
			return nil, alert.New(alert.IllegalParameter, "server chose protocol %q, which was not offered", sh.ALPN)
		}
		c.result.ALPN = sh.ALPN
	}
	if sh.RecordSizeLimit != 0 {
		if err := c.acceptRecordSizeLimit(sh.RecordSizeLimit, version.TLS12); err != nil {
			return nil, err
		}
	}
	c.tr.setHash(suite.PRF)
	c.tr.add(msg)
	c.shares = nil
	clear(c.mem.shares[:])
	clear(c.mem.shareRoom[:])
	c.serverSessionID = sh.SessionID
	c.result.Version = version.TLS12
	c.result.Suite12 = suite
	c.result.ServerRandom = sh.Random
	c.result.ServerName = cfg.ServerName
	v := &c.mem.conv12
	*v = conv12{c: c, suite: suite, server: sh.Random, ticketOK: sh.TicketSupported, statusOK: sh.StatusRequest}
	r := &v.room

	// An abbreviated handshake: the server echoed the session ID we sent
	// with a session we offered (RFC 5246 §7.3, RFC 5077 §3.4). An echo
	// of an ID that names no session (TLS 1.3's compatibility ID, or a
	// ticket we did not send) is a server resuming something we never
	// offered.
	echoed := len(sh.SessionID) > 0 && bytes.Equal(sh.SessionID, c.hello.SessionID)
	if echoed && !c.offered12 {
		return nil, alert.New(alert.IllegalParameter, "server echoed a session ID that names no session the client offered")
	}
	if s := c.session; echoed {
		if s.State.Suite != suite.ID {
			return nil, alert.New(alert.IllegalParameter, "server resumed a session with a different cipher suite")
		}
		if !s.State.EMS {
			return nil, alert.New(alert.HandshakeFailure, "resumed session lacks the extended master secret")
		}
		v.resumed, v.master = s, s.State.Secret
		c.cfg.keyLog(keys.LogMaster, c.result.ClientRandom, v.master)
		if err := v.expandKeys(); err != nil {
			return nil, err
		}
		how := ResumedSessionID
		if c.hello.SessionTicket != nil {
			how = ResumedTicket
		}
		c.result.resume(c.admitted, how)
		c.cfg.decide(DecisionResumption, "server resumed the TLS 1.2 session")
		server, err := serverBySession(c.admitted)
		if err != nil {
			return nil, err
		}
		if v.ticketOK {
			r.ticket = expectTicket12{v, server}
			return &r.ticket, nil
		}
		return v.expectServerCCS(server), nil
	}
	// SCTs vouch for the certificate of a full handshake; a resumption
	// keeps the session's (RFC 6962 §3.3.1), so any list it carries is
	// ignored above.
	c.result.SCTs = sh.SCTs
	r.cert = expectCertificate12{v}
	return &r.cert, nil
}

type expectCertificate12 struct{ v *conv12 }

func (s *expectCertificate12) handle(typ uint8, msg []byte) (state, error) {
	v := s.v
	c := v.c
	// The list is not made in room: the chain outlives the handshake.
	cert := &v.room.peerCert
	if err := receiveInto(c.cfg, typ, msg, wire.TypeCertificate, cert, wire.ParseCertificate12Into); err != nil {
		return nil, err
	}
	if len(cert.Certificates) == 0 {
		// The same answer as TLS 1.3's (RFC 8446 §4.4.2.4): a server
		// must authenticate, so an empty list is a malformed message.
		return nil, alert.New(alert.DecodeError, "server sent no certificate")
	}
	checked, err := c.verifyServerChain(cert.Certificates)
	if err != nil {
		return nil, err
	}
	leaf := checked.leaf()
	if !v.suite.KeyFits(leaf.PublicKey) {
		return nil, alert.New(alert.UnsupportedCertificate, "server certificate's %s does not fit %s", keyKind(leaf), v.suite.Name)
	}
	if !ecdsaCurveIn(leaf.PublicKey, c.hello.SupportedGroups) {
		return nil, alert.New(alert.IllegalParameter, "server certificate's ECDSA key is on a curve the client did not offer (RFC 8422 §5.3)")
	}
	usage := x509.KeyUsageDigitalSignature
	if v.suite.KeyExchange == suites.RSAKeyTransport {
		usage = x509.KeyUsageKeyEncipherment
	}
	if err := checkKeyUsage(leaf, usage, "server"); err != nil {
		return nil, err
	}
	v.chain = checked
	c.tr.add(msg)
	next, err := v.afterCertificate()
	if err != nil {
		return nil, err
	}
	if v.statusOK {
		return &expectCertificateStatus{v, next}, nil
	}
	return next, nil
}

// afterCertificate is what follows the server's Certificate (and its
// CertificateStatus, if any): with RSA key transport nothing more proves
// the server than its chain, whose key the client encrypts to.
func (v *conv12) afterCertificate() (state, error) {
	if v.suite.KeyExchange == suites.RSAKeyTransport {
		server, err := serverByKeyTransport(v.chain)
		if err != nil {
			return nil, err
		}
		v.room.done = expectServerHelloDone{v: v, server: server}
		return &v.room.done, nil
	}
	v.room.ske = expectServerKeyExchange{v}
	return &v.room.ske, nil
}

// expectCertificateStatus takes the OCSP staple a server that acknowledged
// status_request may send after its Certificate. RFC 6066 §8 lets it send
// none even then, so any other message goes on to the next state.
type expectCertificateStatus struct {
	v    *conv12
	next state
}

func (s *expectCertificateStatus) handle(typ uint8, msg []byte) (state, error) {
	if typ != wire.TypeCertificateStatus {
		return s.next.handle(typ, msg)
	}
	c := s.v.c
	cs, err := receive(c.cfg, typ, msg, wire.TypeCertificateStatus, wire.ParseCertificateStatus)
	if err != nil {
		return nil, err
	}
	c.result.OCSPResponse = cs.OCSPResponse
	c.tr.add(msg)
	return s.next, nil
}

type expectServerKeyExchange struct{ v *conv12 }

func (s *expectServerKeyExchange) handle(typ uint8, msg []byte) (state, error) {
	v := s.v
	c := v.c
	ske := &v.room.peerSKE
	if err := receiveInto(c.cfg, typ, msg, wire.TypeServerKeyExchange, ske, wire.ParseServerKeyExchangeECDHEInto); err != nil {
		return nil, err
	}
	if !slices.Contains(c.hello.SupportedGroups, ske.Group) || ske.Group == kex.X25519MLKEM768 {
		return nil, alert.New(alert.IllegalParameter, "server chose group %s, which was not offered for TLS 1.2", kex.Name(ske.Group))
	}
	scheme := signature.Scheme(ske.Scheme)
	if !slices.Contains(c.hello.SignatureSchemes, ske.Scheme) {
		return nil, alert.New(alert.IllegalParameter, "server signed with %s, which was not offered", scheme)
	}
	signed := signedParams12(v.room.signed[:0], &c.hello.Random, &v.server, ske)
	sig, err := verifySignature(v.chain, version.TLS12, scheme, signed, ske.Signature)
	if err != nil {
		c.cfg.check(CheckServerKeyExchange, "", err)
		return nil, err
	}
	if c.cfg.Observe != nil { // the detail is built only for an observer
		c.cfg.check(CheckServerKeyExchange, "ECDHE parameters signed with "+scheme.String(), nil)
	}
	mine := &v.room.mine
	if err := kex.GenerateInto(mine, ske.Group, c.cfg.Rand); err != nil {
		return nil, err
	}
	pms, err := mine.Shared(ske.PublicKey)
	if err != nil {
		return nil, err
	}
	c.result.Group = ske.Group
	v.preMas = pms
	v.clientShare = mine.Share()
	*mine = kex.Private{} // the private key goes once the secret is made
	c.tr.add(msg)
	v.room.done = expectServerHelloDone{v: v, server: serverBySignature(sig)}
	return &v.room.done, nil
}

// expectServerHelloDone ends the server's flight, after which the client
// sends its own; server is the proof the flight gave of who the server is.
type expectServerHelloDone struct {
	v      *conv12
	server authenticatedServer
}

func (s *expectServerHelloDone) handle(typ uint8, msg []byte) (state, error) {
	v := s.v
	c := v.c
	if typ == wire.TypeCertificateRequest && v.request == nil {
		cr, err := receive(c.cfg, typ, msg, wire.TypeCertificateRequest, wire.ParseCertificateRequest12)
		if err != nil {
			return nil, err
		}
		v.request = cr
		c.tr.add(msg)
		return s, nil
	}
	if _, err := receive(c.cfg, typ, msg, wire.TypeServerHelloDone, wire.ParseServerHelloDone); err != nil {
		return nil, err
	}
	c.tr.add(msg)
	var mine *Certificate
	var scheme signature.Scheme
	if cr := v.request; cr != nil {
		// RFC 5246 §7.4.6: with no suitable certificate the client still
		// answers, with an empty list.
		var err error
		mine, scheme, err = c.cfg.clientCertificate(&CertRequest{Version: version.TLS12, SignatureSchemes: cr.SignatureSchemes, AcceptableCAs: cr.CertificateAuthorities, CertificateTypes: cr.CertificateTypes})
		if err != nil {
			return nil, err
		}
		msg := &v.room.ownCert
		if mine != nil {
			msg.Certificates = mine.Chain
		}
		c.send(msg)
	}
	var cke *wire.ClientKeyExchange
	if v.suite.KeyExchange == suites.RSAKeyTransport {
		pub, _ := s.server.chain.leaf().PublicKey.(*rsa.PublicKey)
		pms, enc, err := rsaPreMaster(c.cfg, pub, c.hello.LegacyVersion)
		if err != nil {
			return nil, err
		}
		v.preMas = pms
		cke = wire.NewClientKeyExchangeRSA(enc)
	} else {
		cke = &v.room.cke
		cke.SetECDHE(v.room.ckeData[:0], v.clientShare)
	}
	c.send(cke)
	// RFC 7627 §4: the session hash covers everything up to and
	// including ClientKeyExchange.
	v.master = keys.ExtendedMasterSecret(v.suite.PRF, v.preMas, c.tr.sum())
	v.preMas = nil
	c.cfg.keyLog(keys.LogMaster, c.result.ClientRandom, v.master)
	if err := v.expandKeys(); err != nil {
		return nil, err
	}
	if mine != nil {
		// RFC 5246 §7.4.8: the signature covers every handshake message
		// so far, as bytes, not a PRF-hash transcript.
		sig, err := signature.Sign(c.cfg.Rand, mine.Key, scheme, c.tr.raw)
		if err != nil {
			return nil, alert.New(alert.InternalError, "signing the client CertificateVerify: %v", err)
		}
		c.send(&wire.CertificateVerify{Scheme: uint16(scheme), Signature: sig})
	}
	c.tr.keepRaw, c.tr.raw = false, nil
	v.sendFinished()
	c.out.flush()
	if v.ticketOK {
		v.room.ticket = expectTicket12{v, s.server}
		return &v.room.ticket, nil
	}
	return v.expectServerCCS(s.server), nil
}

// expandKeys derives the record keys once the master secret is known.
func (v *conv12) expandKeys() error {
	var err error
	v.keys, err = protections12(v.suite, &v.prf, &v.room.keyBlock, v.master, v.c.result.ClientRandom, v.server, true, v.c.cfg.Rand)
	return err
}

// sendFinished installs the client's write keys behind a change_cipher_spec
// and sends Finished (RFC 5246 §7.4.9).
func (v *conv12) sendFinished() {
	c := v.c
	c.out.ccs()
	c.out.writeProtection(v.keys.write, v.keys.keyLen)
	v.room.finished = wire.Finished{VerifyData: v.prf.AppendFinishedVerifyData(c.finishedBuf(), v.suite.PRF, v.master, true, c.tr.sum())}
	c.send(&v.room.finished)
}

// expectTicket12 takes the NewSessionTicket a server that promised one
// sends before its change_cipher_spec.
type expectTicket12 struct {
	v      *conv12
	server authenticatedServer
}

func (s *expectTicket12) handle(typ uint8, msg []byte) (state, error) {
	v := s.v
	nst, err := receive(v.c.cfg, typ, msg, wire.TypeNewSessionTicket, wire.ParseNewSessionTicket12)
	if err != nil {
		return nil, err
	}
	if len(nst.Ticket) <= maxOfferedTicket {
		// A longer one could never be offered (maxOfferedTicket): the
		// session is kept without it.
		v.ticket = nst.Ticket
	}
	v.lifetime = time.Duration(nst.LifetimeHint) * time.Second
	v.c.tr.add(msg)
	return v.expectServerCCS(s.server), nil
}

// keyKind names a certificate's key for an error: its algorithm, or that
// x509 could not parse it (ML-DSA, for one, in this Go).
func keyKind(cert *x509.Certificate) string {
	if cert.PublicKey == nil {
		return "key, of an algorithm Go's x509 does not parse,"
	}
	return cert.PublicKeyAlgorithm.String() + " key"
}

func (v *conv12) expectServerCCS(server authenticatedServer) state {
	v.room.ccs = expectCCS12{out: &v.c.out, keys: v.keys, next: newServerFinished12(v, server)}
	return &v.room.ccs
}

// expectServerFinished12 takes the server's Finished, which it accepts
// only from a server proven to be who it claims.
type expectServerFinished12 struct {
	v      *conv12
	server authenticatedServer
	// peer is room for the Finished this state receives.
	peer wire.Finished
}

func newServerFinished12(v *conv12, server authenticatedServer) *expectServerFinished12 {
	if v == nil {
		return &expectServerFinished12{v: v, server: server}
	}
	// Made once per handshake, in the conv12's room for it.
	st := &v.room.fin
	*st = expectServerFinished12{v: v, server: server}
	return st
}

func (s *expectServerFinished12) handle(typ uint8, msg []byte) (state, error) {
	if !s.server.valid() {
		return nil, unproven("server")
	}
	v := s.v
	c := v.c
	// The server's Finished is the last thing the master secret MACs,
	// or the one before the client's in an abbreviated handshake.
	defer v.prf.Release()
	if err := checkFinished12(c.cfg, &c.tr, v.suite, &v.prf, v.master, SideServer, typ, msg, &s.peer); err != nil {
		return nil, err
	}
	s.server.record(&c.result)
	c.result.Master12 = v.master
	if v.resumed != nil {
		// Abbreviated: the client's CCS and Finished follow the server's.
		v.sendFinished()
		c.out.flush()
	}
	v.remember()
	return nil, nil
}

// remember hands the session to the client's cache.
func (v *conv12) remember() {
	c := v.c
	if c.cfg.OnSession == nil {
		return
	}
	st := c.result.newSession(version.TLS12, v.suite.ID, c.cfg.now())
	st.Secret, st.Lifetime, st.ServerName, st.EMS = v.master, v.lifetime, c.cfg.ServerName, true
	if v.resumed != nil && v.ticket == nil {
		st.CreatedAt = v.resumed.State.CreatedAt
		st.Lifetime = v.resumed.State.Lifetime
	}
	if st.Lifetime <= 0 {
		// No hint (RFC 5077 §3.3: zero means unspecified) or a session
		// ID: RFC 5246 §F.1.4 suggests sessions live at most a day.
		st.Lifetime = 24 * time.Hour
	}
	cs := &ClientSession{State: st, Ticket: v.ticket}
	if v.ticket == nil {
		if v.resumed != nil {
			cs.Ticket = v.resumed.Ticket
		}
		cs.SessionID = c.serverSessionID
	}
	if cs.Ticket == nil && len(cs.SessionID) == 0 {
		return
	}
	c.cfg.OnSession(cs)
}
