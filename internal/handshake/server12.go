package handshake

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"fmt"
	"io"
	"slices"
	"time"

	"lucid/internal/alert"
	"lucid/internal/kex"
	"lucid/internal/keys"
	"lucid/internal/session"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// The TLS 1.2 server (RFC 5246 §7.3). conv12s carries what the states after
// ServerHello share.
type conv12s struct {
	s         *server
	hello     *wire.ClientHello
	suite     *suites.Suite12
	random    [32]byte
	cert      *Certificate
	master    []byte
	prf       keys.MasterPRF // the PRF under master, for the key block and both Finished
	keys      keys12         // the record protection the master secret expands to
	sessionID []byte
	ticket    bool             // a NewSessionTicket goes before our Finished
	requested bool             // a CertificateRequest was sent
	scheme    signature.Scheme // what the server signs its key exchange with
	resumed   *session.State
	// room holds the states and messages of the handshake, each made
	// once, so they come with the conv12s rather than one by one.
	room server12Room
}

// server12Room is what a TLS 1.2 server's handshake would otherwise
// allocate piece by piece. None of it outlives the handshake: the record
// protection and what the Result keeps are allocated on their own.
type server12Room struct {
	sh       wire.ServerHello
	cert     wire.Certificate12
	ske      wire.ServerKeyExchangeECDHE
	finished wire.Finished
	cke      expectClientKeyExchange
	ccert    expectClientCertificate12
	ccv      expectCertificateVerify12
	ccs      expectCCS12
	// fin is reached only by newClientFinished12.
	fin expectClientFinished12
	// signed is the content the ServerKeyExchange signature covers: both
	// randoms and ServerECDHParams, whose point has at most 255 bytes.
	signed   [64 + 4 + 255]byte
	keyBlock keyBlockRoom
	peerCert wire.Certificate12
	peerCKE  wire.ClientKeyExchange
	share    kex.Private
}

func (s *server) hello12(ch *wire.ClientHello, msg []byte) (state, error) {
	cfg := s.cfg
	if !bytes.Contains(ch.CompressionMethods, []byte{0}) {
		return nil, alert.New(alert.IllegalParameter, "ClientHello does not offer null compression")
	}
	// RFC 8422 §5.1.2: a client that lists point formats must accept
	// uncompressed points, the only ones RFC 8422 keeps.
	if ch.ECPointFormats != nil && !bytes.Contains(ch.ECPointFormats, []byte{0}) {
		return nil, alert.New(alert.IllegalParameter, "ClientHello's ec_point_formats lacks uncompressed")
	}
	// RFC 5746 §3.6: in an initial handshake renegotiation_info is empty.
	if len(ch.SecureRenegotiation) != 0 {
		return nil, alert.New(alert.HandshakeFailure, "renegotiation_info is not empty in an initial handshake")
	}
	// RFC 7627 §5.2: a server that does not wish to work with clients
	// lacking the extended master secret aborts; Lucid requires it.
	if !ch.ExtendedMasterSecret {
		return nil, alert.New(alert.HandshakeFailure, "client does not support the extended master secret (RFC 7627), which Lucid requires")
	}
	alpn, err := chooseALPN(cfg, ch)
	if err != nil {
		return nil, err
	}
	v := &s.mem.conv12
	*v = conv12s{s: s, hello: ch}
	if _, err := io.ReadFull(cfg.Rand, v.random[:]); err != nil {
		return nil, err
	}
	if cfg.allows(version.TLS13) {
		// RFC 8446 §4.1.3: tell a 1.3-capable client it was downgraded.
		copy(v.random[24:], downgradeTLS12)
	}
	s.result.Version = version.TLS12
	s.result.hello = printOf(ch)
	s.result.ClientRandom = ch.Random
	s.result.ServerRandom = v.random
	s.result.ALPN = alpn
	s.result.ServerName = ch.ServerName
	v.ticket = cfg.Tickets != nil && ch.TicketSupported

	if a, how, ok := s.resumable12(ch); ok {
		return v.resume(a, how, msg)
	}
	if err := v.negotiate(); err != nil {
		return nil, err
	}
	v.requested = cfg.ClientAuth != NoClientAuth
	s.tr.keepRaw = v.requested
	s.tr.setHash(v.suite.PRF)
	s.tr.add(msg)
	// A session lives in one place: a ticket if the client takes them
	// (RFC 5077 §3.3 lets the ServerHello's session ID be empty then),
	// else the session-ID cache.
	if cfg.SessionIDs != nil && !v.ticket {
		random, err := cfg.random(32)
		if err != nil {
			return nil, err
		}
		v.sessionID = cfg.SessionIDs.NewID(random)
	}
	s.out.expectFlight(flightCap + v.cert.wireLen())
	v.sendServerHello(ch.ServerName != "")
	v.room.cert = wire.Certificate12{Certificates: v.cert.Chain}
	s.send(&v.room.cert)
	if ch.StatusRequest && len(v.cert.OCSPStaple) > 0 {
		s.send(&wire.CertificateStatus{OCSPResponse: v.cert.OCSPStaple})
	}
	if v.suite.KeyExchange != suites.RSAKeyTransport {
		if err := v.sendKeyExchange(); err != nil {
			return nil, err
		}
	}
	if v.requested {
		s.send(cfg.certificateRequest12())
	}
	s.send(&wire.ServerHelloDone{})
	s.out.flush()
	if v.requested {
		v.room.ccert = expectClientCertificate12{v}
		return &v.room.ccert, nil
	}
	client, err := clientUnasked(cfg)
	if err != nil {
		return nil, err
	}
	v.room.cke = expectClientKeyExchange{v: v, client: client}
	return &v.room.cke, nil
}

// suiteServes12 reports whether a certificate key pub, which may sign with
// ours, can serve TLS 1.2 suite su to a client that listed groups and
// schemes, and with which signature scheme (0 for RSA key transport, which
// signs nothing). RFC 8422 §5.3: an ECDSA key must also lie on a curve the
// client listed, if it listed any.
func suiteServes12(su *suites.Suite12, pub crypto.PublicKey, ours []signature.Scheme, groups, schemes []uint16) (signature.Scheme, bool) {
	if !su.KeyFits(pub) || (groups != nil && !ecdsaCurveIn(pub, groups)) {
		return 0, false
	}
	if su.KeyExchange == suites.RSAKeyTransport {
		return 0, true
	}
	return signature.Choose(pub, version.TLS12, ours, u16ToSchemes(schemes))
}

// Serves12 reports whether a TLS 1.2 server with the suites and groups
// enabled could use a certificate key pub, which may sign with ours, for the
// client described by h: some suite both offer fits the key, with a group in
// common if the suite is ECDHE. It lets a caller choosing among
// certificates skip those no suite could use.
func Serves12(pub crypto.PublicKey, ours []signature.Scheme, enabled, groups []uint16, h *HelloInfo) bool {
	ecdhe := group12(groups, h.SupportedGroups) != 0
	su, _ := firstSuite12(enabled, pub, ours, ecdhe, h.CipherSuites, h.SupportedGroups, h.SignatureSchemes)
	return su != nil
}

// firstSuite12 is the first suite of enabled that the client offered and
// the key can serve, with the scheme it signs with; an ECDHE suite counts
// only when there is a group in common (ecdhe). nil if none.
func firstSuite12(enabled []uint16, pub crypto.PublicKey, ours []signature.Scheme, ecdhe bool, offered, groups, schemes []uint16) (*suites.Suite12, signature.Scheme) {
	for _, id := range enabled {
		su := suites.Lookup12(id)
		if su == nil || !slices.Contains(offered, id) || (su.KeyExchange != suites.RSAKeyTransport && !ecdhe) {
			continue
		}
		if scheme, ok := suiteServes12(su, pub, ours, groups, schemes); ok {
			return su, scheme
		}
	}
	return nil, 0
}

// negotiate chooses certificate, suite, group and signature scheme: the
// server's first suite that the client offered and the certificate's key
// can serve (RFC 5246 §7.4.1.3, the seed's "strongest in common").
func (v *conv12s) negotiate() error {
	s, ch, cfg := v.s, v.hello, v.s.cfg
	info := fillHelloInfo(&s.mem.info, ch, version.TLS12)
	cert, err := cfg.GetCertificate(info)
	if err != nil {
		return err
	}
	if cert == nil || len(cert.Chain) == 0 || cert.Key == nil {
		return alert.New(alert.HandshakeFailure, "server has no certificate for %q", ch.ServerName)
	}
	pub := cert.Key.Public()
	group := v.group12()
	if su, scheme := firstSuite12(cfg.Suites12, pub, cert.allowed(cfg.signing()), group != 0, ch.CipherSuites, ch.SupportedGroups, ch.SignatureSchemes); su != nil {
		if su.KeyExchange != suites.RSAKeyTransport {
			s.result.Group, v.scheme = group, scheme
		}
		v.suite, v.cert = su, cert
		s.result.Suite12 = su
		s.cfg.decide(DecisionCipherSuite, su.Name)
		return nil
	}
	return alert.New(alert.HandshakeFailure, "no TLS 1.2 cipher suite in common that the server's %T key can serve (client offered %s)", pub, suiteList(ch.CipherSuites))
}

// group12 picks the server's preferred ECDHE group among the client's. The
// hybrid post-quantum group exists only in TLS 1.3. RFC 8422 §4: a client
// that sends no supported_groups accepts any, so the server takes its first.
func (v *conv12s) group12() uint16 { return group12(v.s.cfg.Groups, v.hello.SupportedGroups) }

func group12(ours, theirs []uint16) uint16 {
	for _, g := range ours {
		if g == kex.X25519MLKEM768 {
			continue
		}
		if theirs == nil || slices.Contains(theirs, g) {
			return g
		}
	}
	return 0
}

// emptyRenegotiationSCSV is TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746
// §3.3), a client's other way of saying it knows secure renegotiation.
const emptyRenegotiationSCSV = 0x00ff

func (v *conv12s) sendServerHello(nameAck bool) {
	s, ch := v.s, v.hello
	sh := &v.room.sh
	*sh = wire.ServerHello{
		LegacyVersion: version.TLS12,
		Random:        v.random,
		SessionID:     v.sessionID,
		CipherSuite:   v.suite.ID,
		// RFC 5746 §3.6: the empty renegotiation_info answers the
		// client's extension or SCSV, and RFC 5246 §7.4.1.4 forbids it
		// otherwise. A client that sent neither is still served: it is
		// exposed only by a renegotiation, which Lucid always refuses
		// (RFC 5746 §4.3), as crypto/tls, OpenSSL and BoringSSL serve it.
		SecureRenegotiationSupported: ch.SecureRenegotiationSupported || slices.Contains(ch.CipherSuites, emptyRenegotiationSCSV),
		ExtendedMasterSecret:         true,
		TicketSupported:              v.ticket,
		ALPN:                         s.result.ALPN,
		ServerNameAck:                nameAck,
		RecordSizeLimit:              s.answerRecordSizeLimit(ch, version.TLS12),
	}
	if ch.ECPointFormats != nil && v.suite.KeyExchange != suites.RSAKeyTransport {
		sh.ECPointFormats = []uint8{0}
	}
	// A staple and timestamps travel only with a Certificate, that is in a
	// full handshake, and only to a client that asked (RFC 6066 §8, RFC
	// 6962 §3.3.1).
	if v.cert != nil && v.resumed == nil {
		sh.StatusRequest = ch.StatusRequest && len(v.cert.OCSPStaple) > 0
		if ch.SCT {
			sh.SCTs = v.cert.SCTs
		}
	}
	s.send(sh)
}

// sendKeyExchange sends the signed ECDHE parameters (RFC 8422 §5.4).
func (v *conv12s) sendKeyExchange() error {
	s := v.s
	share := &v.room.share
	if err := kex.GenerateInto(share, s.result.Group, s.cfg.Rand); err != nil {
		return err
	}
	ske := &v.room.ske
	*ske = wire.ServerKeyExchangeECDHE{Group: s.result.Group, PublicKey: share.Share(), Scheme: uint16(v.scheme)}
	signed := signedParams12(v.room.signed[:0], &v.hello.Random, &v.random, ske)
	sig, err := signature.Sign(s.cfg.Rand, v.cert.Key, v.scheme, signed)
	if err != nil {
		return fmt.Errorf("signing ServerKeyExchange with %s: %w", v.scheme, err)
	}
	ske.Signature = sig
	s.send(ske)
	return nil
}

// expectClientKeyExchange takes the client's key exchange. Who the client
// is is settled already (client) unless it sent a certificate, whose
// CertificateVerify must follow (chain).
type expectClientKeyExchange struct {
	v      *conv12s
	client authenticatedClient
	chain  checkedChain
}

func (st *expectClientKeyExchange) handle(typ uint8, msg []byte) (state, error) {
	v := st.v
	s := v.s
	cke := &v.room.peerCKE
	if err := receiveInto(s.cfg, typ, msg, wire.TypeClientKeyExchange, cke, wire.ParseClientKeyExchangeInto); err != nil {
		return nil, err
	}
	var pms []byte
	if v.suite.KeyExchange == suites.RSAKeyTransport {
		enc, err := cke.EncryptedPreMaster()
		if err != nil {
			return nil, err
		}
		if pms, err = decryptPreMaster(s.cfg, v.cert.Key, enc, v.hello.LegacyVersion); err != nil {
			return nil, err
		}
	} else {
		point, err := cke.ECDHEPointView()
		if err != nil {
			return nil, err
		}
		if pms, err = v.room.share.Shared(point); err != nil {
			return nil, err
		}
		v.room.share = kex.Private{} // the private key goes once the secret is made
	}
	s.tr.add(msg)
	v.master = keys.ExtendedMasterSecret(v.suite.PRF, pms, s.tr.sum())
	s.cfg.keyLog(keys.LogMaster, v.hello.Random, v.master)
	if err := v.expandKeys(); err != nil {
		return nil, err
	}
	if st.chain.valid() {
		v.room.ccv = expectCertificateVerify12{v: v, chain: st.chain}
		return &v.room.ccv, nil
	}
	return v.expectClientCCS(st.client), nil
}

// decryptPreMaster recovers the seed's random without a padding oracle
// (Bleichenbacher, ROBOT; RFC 5246 §7.4.7.1): whatever goes wrong —
// padding, length, version bytes — the handshake carries on with a random
// pre-master secret, so the failure shows only as a Finished mismatch, the
// same alert at the same point as any other wrong key.
func decryptPreMaster(cfg *Config, key crypto.Signer, encrypted []byte, clientVersion uint16) ([]byte, error) {
	fallback, err := cfg.random(48)
	if err != nil {
		return nil, err
	}
	dec, ok := key.(crypto.Decrypter)
	if !ok {
		return nil, alert.New(alert.InternalError, "server key cannot decrypt")
	}
	// SessionKeyLen makes the decryption return random bytes instead of a
	// padding error, in constant time.
	pms, err := dec.Decrypt(cfg.Rand, encrypted, &rsa.PKCS1v15DecryptOptions{SessionKeyLen: 48})
	good := 0
	if err == nil && len(pms) == 48 {
		good = subtle.ConstantTimeByteEq(pms[0], byte(clientVersion>>8)) & subtle.ConstantTimeByteEq(pms[1], byte(clientVersion))
	} else {
		pms = make([]byte, 48)
	}
	subtle.ConstantTimeCopy(1-good, pms, fallback)
	return pms, nil
}

// expandKeys derives the record keys once the master secret is known.
func (v *conv12s) expandKeys() error {
	var err error
	v.keys, err = protections12(v.suite, &v.prf, &v.room.keyBlock, v.master, v.hello.Random, v.random, false, v.s.cfg.Rand)
	return err
}

func (v *conv12s) expectClientCCS(client authenticatedClient) state {
	v.room.ccs = expectCCS12{out: &v.s.out, keys: v.keys, next: newClientFinished12(v, client)}
	return &v.room.ccs
}

// expectClientFinished12 takes the client's Finished, which it accepts
// only with proof of who the client is, as far as the server's policy
// asks.
type expectClientFinished12 struct {
	v      *conv12s
	client authenticatedClient
	// peer is room for the Finished this state receives.
	peer wire.Finished
}

func newClientFinished12(v *conv12s, client authenticatedClient) *expectClientFinished12 {
	if v == nil {
		return &expectClientFinished12{v: v, client: client}
	}
	// Made once per handshake, in the conv12s's room for it.
	st := &v.room.fin
	*st = expectClientFinished12{v: v, client: client}
	return st
}

func (st *expectClientFinished12) handle(typ uint8, msg []byte) (state, error) {
	if !st.client.valid() {
		return nil, unproven("client")
	}
	v := st.v
	s := v.s
	// The client's Finished is the last thing the master secret MACs,
	// or the one before the server's in a full handshake.
	defer v.prf.Release()
	if err := checkFinished12(s.cfg, &s.tr, v.suite, &v.prf, v.master, SideClient, typ, msg, &st.peer); err != nil {
		return nil, err
	}
	st.client.record(&s.result)
	s.result.Master12 = v.master
	if v.resumed != nil {
		return nil, nil
	}
	if err := v.finish(); err != nil {
		return nil, err
	}
	if s.cfg.SessionIDs != nil && len(v.sessionID) > 0 {
		if st := v.state(); st != nil {
			s.cfg.SessionIDs.Put(v.sessionID, st, s.cfg.now())
		}
	}
	return nil, nil
}

// finish sends [NewSessionTicket], change_cipher_spec and Finished.
func (v *conv12s) finish() error {
	s := v.s
	if v.ticket {
		// A session too large for a ticket gets an empty one, which RFC
		// 5077 §3.3 allows: the client then simply cannot resume.
		var ticket []byte
		var hint uint32
		if st := v.state(); st != nil {
			if plain := st.Marshal(); plain != nil {
				ticket, _ = s.cfg.Tickets.Seal(s.cfg.Rand, plain)
				hint = uint32(st.Lifetime / time.Second)
			}
		}
		s.send(&wire.NewSessionTicket12{LifetimeHint: hint, Ticket: ticket})
	}
	s.out.ccs()
	s.out.writeProtection(v.keys.write, v.keys.keyLen)
	v.room.finished = wire.Finished{VerifyData: v.prf.AppendFinishedVerifyData(s.finishedBuf(), v.suite.PRF, v.master, false, s.tr.sum())}
	s.send(&v.room.finished)
	s.out.flush()
	return nil
}

// state is the session this handshake makes, for a ticket or the
// session-ID cache, or nil if it has no lifetime left: a resumption's
// session lives no longer than the one it resumed.
func (v *conv12s) state() *session.State {
	s := v.s
	now := s.cfg.now()
	st := s.result.newSession(version.TLS12, v.suite.ID, now)
	st.Secret, st.ServerName, st.EMS = v.master, v.hello.ServerName, true
	st.Issuer = s.cfg.Issuer
	st.Lifetime = s.result.sessionLifetime(s.cfg.TicketLifetime, st, now)
	if st.Lifetime <= 0 {
		return nil
	}
	return st
}

// resumable12 returns the session a ClientHello asks to resume, if it may
// be: from its ticket, else from its session ID. A session is never
// resumed across versions, into a suite the client no longer offers or
// Lucid no longer enables, under another server name, without the
// extended master secret (RFC 7627 §5.3), past its lifetime, or unless
// today's policy admits it (admitSession).
func (s *server) resumable12(ch *wire.ClientHello) (admission, ResumeMode, bool) {
	cfg := s.cfg
	var st *session.State
	var how ResumeMode
	switch {
	case cfg.Tickets != nil && len(ch.SessionTicket) > 0:
		plain, err := cfg.Tickets.Open(ch.SessionTicket)
		if err != nil {
			return admission{}, NotResumed, false
		}
		if st, err = session.Unmarshal(plain); err != nil {
			return admission{}, NotResumed, false
		}
		how = ResumedTicket
	case cfg.SessionIDs != nil && len(ch.SessionID) > 0:
		var ok bool
		if st, ok = cfg.SessionIDs.Get(ch.SessionID, cfg.now()); !ok {
			return admission{}, NotResumed, false
		}
		how = ResumedSessionID
	default:
		return admission{}, NotResumed, false
	}
	now := cfg.now()
	if st.Version != version.TLS12 || !st.EMS || st.ServerName != ch.ServerName ||
		!slices.Contains(ch.CipherSuites, st.Suite) || !slices.Contains(cfg.Suites12, st.Suite) ||
		now.Before(st.CreatedAt) || !now.Before(st.CreatedAt.Add(st.Lifetime)) {
		return admission{}, NotResumed, false
	}
	a, err := s.admitSession(st)
	if err != nil {
		cfg.emitDeclined(err)
		return admission{}, NotResumed, false
	}
	return a, how, true
}

// resume runs the abbreviated handshake (RFC 5246 §7.3, RFC 5077 §3.1):
// ServerHello, [NewSessionTicket], change_cipher_spec, Finished.
func (v *conv12s) resume(a admission, how ResumeMode, msg []byte) (state, error) {
	s := v.s
	st := a.st
	v.suite = suites.Lookup12(st.Suite)
	v.master = st.Secret
	v.resumed = st
	// RFC 5077 §3.4: accepting a ticket, the server echoes the client's
	// session ID; for a session-ID resumption it is the same ID anyway.
	v.sessionID = v.hello.SessionID
	s.result.Suite12 = v.suite
	s.result.resume(a, how)
	s.result.SessionFromStore = s.cfg.SharedSessions
	client, err := clientBySession(a)
	if err != nil {
		return nil, err
	}
	if err := v.expandKeys(); err != nil {
		return nil, err
	}
	s.tr.setHash(v.suite.PRF)
	s.tr.add(msg)
	s.cfg.decide(DecisionResumption, "resuming a TLS 1.2 session"+s.cfg.sessionOrigin(a.st))
	v.sendServerHello(false)
	if err := v.finish(); err != nil {
		return nil, err
	}
	s.result.Master12 = v.master
	s.cfg.keyLog(keys.LogMaster, v.hello.Random, v.master)
	return v.expectClientCCS(client), nil
}

// chooseALPN picks the server's most preferred protocol the client offered.
// RFC 7301 §3.2: no overlap is no_application_protocol.
func chooseALPN(cfg *Config, ch *wire.ClientHello) (string, error) {
	if len(ch.ALPN) == 0 || len(cfg.NextProtos) == 0 {
		return "", nil
	}
	for _, p := range cfg.NextProtos {
		if slices.Contains(ch.ALPN, p) {
			return p, nil
		}
	}
	return "", alert.New(alert.NoApplicationProtocol, "client offered protocols %q, server supports %q", ch.ALPN, cfg.NextProtos)
}

// expectClientCertificate12 waits for the client's (possibly empty) chain.
type expectClientCertificate12 struct{ v *conv12s }

func (st *expectClientCertificate12) handle(typ uint8, msg []byte) (state, error) {
	v := st.v
	s := v.s
	cert := &v.room.peerCert
	if err := receiveInto(s.cfg, typ, msg, wire.TypeCertificate, cert, wire.ParseCertificate12Into); err != nil {
		return nil, err
	}
	if len(cert.Certificates) == 0 {
		client, err := clientWithoutCertificate(s.cfg, version.TLS12)
		if err != nil {
			return nil, err
		}
		s.tr.add(msg)
		v.room.cke = expectClientKeyExchange{v: v, client: client}
		return &v.room.cke, nil
	}
	checked, err := s.cfg.checkClientChain(cert.Certificates)
	if err != nil {
		return nil, err
	}
	s.tr.add(msg)
	v.room.cke = expectClientKeyExchange{v: v, chain: checked}
	return &v.room.cke, nil
}

// expectCertificateVerify12 checks the client's signature over the raw
// handshake messages (RFC 5246 §7.4.8).
type expectCertificateVerify12 struct {
	v     *conv12s
	chain checkedChain
}

func (st *expectCertificateVerify12) handle(typ uint8, msg []byte) (state, error) {
	v := st.v
	s := v.s
	cv, err := receive(s.cfg, typ, msg, wire.TypeCertificateVerify, wire.ParseCertificateVerifyOwned)
	if err != nil {
		return nil, err
	}
	scheme := signature.Scheme(cv.Scheme)
	if !slices.Contains(s.cfg.Schemes, scheme) {
		return nil, alert.New(alert.IllegalParameter, "client signed with %s, which was not requested", scheme)
	}
	sig, err := verifySignature(st.chain, version.TLS12, scheme, s.tr.raw, cv.Signature)
	if err != nil {
		s.cfg.check(CheckClientCertificateVerify, "", err)
		return nil, err
	}
	if s.cfg.Observe != nil { // the detail is built only for an observer
		s.cfg.check(CheckClientCertificateVerify, "client signature verified with "+scheme.String(), nil)
	}
	s.tr.add(msg)
	s.tr.keepRaw, s.tr.raw = false, nil
	return v.expectClientCCS(clientBySignature(sig)), nil
}
