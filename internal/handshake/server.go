package handshake

import (
	"bytes"
	"fmt"
	"slices"

	"lucid/internal/alert"
	"lucid/internal/kex"
	"lucid/internal/keys"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// server holds what every server state shares.
type server struct {
	*Engine
	// ech is what the server made of the first hello's
	// encrypted_client_hello; nil when it had none.
	ech *echServer
	// pskModes are the psk_key_exchange_modes of the hello the server
	// answered — the inner one under ECH, not the outer one the result
	// keeps for fingerprints — which decide whether tickets are sent.
	pskModes []uint8
	// mem is room, in the server's own allocation, for what a TLS 1.3
	// handshake would otherwise allocate piece by piece.
	mem serverMem
}

// serverMem holds the messages of a TLS 1.3 server's flight, what it made
// of an encrypted_client_hello and the state that waits for the client's
// Finished: each made once per handshake, and none needed after it, like
// the server that holds them.
type serverMem struct {
	// conv12 is the TLS 1.2 conversation, when the server chose TLS 1.2.
	conv12  conv12s
	sh      wire.ServerHello
	ee      wire.EncryptedExtensions
	cert    wire.Certificate
	entries [3]wire.CertificateEntry
	cv      wire.CertificateVerify
	fin     wire.Finished
	ech     echServer
	last    expectClientFinished
	// content is what a CertificateVerify signs: the server's own made,
	// then a client's checked.
	content [contentRoom]byte
	// A request for a client certificate and the states that wait for
	// the answer.
	request        wire.CertificateRequest
	requestSchemes [16]uint16
	clientCert     expectClientCertificate13
	clientCV       expectClientCertificateVerify13
	// info is what certificate selection learns of the hello, in either
	// version.
	info HelloInfo
}

// NewServer returns a server engine waiting for a ClientHello.
func NewServer(cfg *Config) *Engine {
	b := fromPool[serverStart](&serverStarts)
	b.live.begin(b, cfg)
	e := &Engine{live: &b.live}
	b.s.Engine = e
	b.first.s = &b.s
	e.cur = &b.first
	e.track.start(SideServer)
	return e
}

// expectClientHello waits for the first ClientHello, or for the second one
// after a HelloRetryRequest, in which case retry holds what the first
// round decided.
type expectClientHello struct {
	s     *server
	retry *retryState
}

type retryState struct {
	// firstBody is the first ClientHello as sent, which the second must
	// repeat but for what RFC 8446 §4.1.2 lets it change.
	firstBody []byte
	suite     *suites.Suite
	group     uint16
	cookie    []byte
	// psk says the first ClientHello offered a PSK the server would
	// have resumed; the second may not drop it (RFC 8446 §4.1.2 lets a
	// client remove only PSKs the chosen suite cannot use).
	psk bool
}

// negotiation is what the server decided from a ClientHello.
type negotiation struct {
	// psk, when set, resumes the session resumed admits (RFC 8446 §2.2).
	psk      []byte
	pskEarly keys.EarlySecret // psk's early secret, its binder checked
	pskIndex uint16
	resumed  admission
	pskOnly  bool // psk_ke: no (EC)DHE in this handshake

	hello  *wire.ClientHello
	suite  *suites.Suite
	group  uint16
	share  []byte // the client's share for group; nil: ask again
	cert   *Certificate
	scheme signature.Scheme
	alpn   string
}

func (st *expectClientHello) handle(typ uint8, msg []byte) (state, error) {
	s := st.s
	ch, err := receive(s.cfg, typ, msg, wire.TypeClientHello, wire.ParseClientHelloOwned)
	if err != nil {
		return nil, err
	}
	// RFC 9849 §7.1: ECH is settled before anything else is negotiated,
	// since the inner hello may want other things than the outer one —
	// even another version: an outer hello that offers only TLS 1.2 may
	// carry a TLS 1.3 inner one. The outer hello stays what fingerprints
	// read: it is what the wire carried.
	outer := ch
	// An inner-type extension in a hello that cannot be TLS 1.3 is
	// meaningless, and a TLS 1.2 server ignores it like any extension it
	// does not know; in a TLS 1.3 hello it is refused (openECH).
	if ch.ECH != nil && s.cfg.allows(version.TLS13) && (!ch.ECH.Inner || slices.Contains(ch.SupportedVersions, version.TLS13)) {
		var inner *wire.ClientHello
		var innerMsg []byte
		switch {
		case st.retry == nil:
			inner, innerMsg, err = s.openECH(ch, msg)
		case s.echAccepted():
			inner, innerMsg, err = s.openSecondECH(ch, msg)
		}
		if err != nil {
			return nil, err
		}
		if inner != nil {
			ch, msg = inner, innerMsg
		}
	} else if st.retry != nil && s.echAccepted() {
		return nil, alert.New(alert.MissingExtension, "second ClientHello lacks encrypted_client_hello after the server accepted ECH")
	}
	if ch.ServerNameIP != "" && st.retry == nil {
		s.cfg.decide(DecisionServerName, fmt.Sprintf("server_name held the IP address %q, which names no host (RFC 6066 §3): read as no server name", ch.ServerNameIP))
	}
	if st.retry == nil {
		v, err := s.chooseVersion(ch)
		if err != nil {
			return nil, err
		}
		if v == version.TLS12 {
			return s.hello12(ch, msg)
		}
	}
	if st.retry != nil {
		if err := checkSecondHello(st.retry, ch, msg); err != nil {
			return nil, err
		}
	}
	n, err := s.negotiate(ch, msg, st.retry)
	if err != nil {
		return nil, err
	}
	s.result.hello = printOf(outer)
	s.result.ClientRandom = ch.Random
	s.pskModes = ch.PSKModes
	s.tr.setHash(n.suite.Hash)
	s.tr.add(msg)
	if n.share == nil && !n.pskOnly {
		return s.helloRetry(n, msg)
	}
	return s.respond(n)
}

// fallbackSCSV is TLS_FALLBACK_SCSV (RFC 7507 §6).
const fallbackSCSV = 0x5600

// chooseVersion picks the highest version both sides allow. RFC 8446
// §4.2.1: a client's supported_versions decides, and legacy_version is
// consulted only when the extension is absent.
func (s *server) chooseVersion(ch *wire.ClientHello) (uint16, error) {
	// RFC 8446 §D.5: a legacy_version of SSL 3.0 or less aborts the
	// handshake with protocol_version, whatever supported_versions
	// offers; no client that speaks TLS 1.2 or 1.3 sends one.
	if ch.LegacyVersion <= 0x0300 {
		return 0, alert.New(alert.ProtocolVersion, "ClientHello.legacy_version is %s; SSL 3.0 and older are refused (RFC 8446 §D.5)", version.Name(ch.LegacyVersion))
	}
	offered := ch.SupportedVersions
	// RFC 7507 §3: TLS_FALLBACK_SCSV from a client whose best version is
	// below ours means something forced it down: inappropriate_fallback.
	if slices.Contains(ch.CipherSuites, fallbackSCSV) {
		// RFC 8446 §4.2.1: without supported_versions a hello means TLS
		// 1.2 at most, whatever its legacy_version says.
		clientMax := min(ch.LegacyVersion, version.TLS12)
		if offered != nil {
			clientMax = 0
			for _, v := range offered {
				// Only real versions: GREASE values (RFC 8701) sort higher.
				if v>>8 == 3 && v <= version.TLS13 {
					clientMax = max(clientMax, v)
				}
			}
		}
		ours := s.cfg.MaxVersion
		if ours == 0 {
			ours = version.TLS13
		}
		if clientMax < ours {
			return 0, alert.New(alert.InappropriateFallback, "client sent TLS_FALLBACK_SCSV with %s as its best version, below our %s", version.Name(clientMax), version.Name(ours))
		}
	}
	if offered == nil && ch.LegacyVersion >= version.TLS12 {
		offered = []uint16{version.TLS12}
	}
	for _, v := range []uint16{version.TLS13, version.TLS12} {
		if s.cfg.allows(v) && slices.Contains(offered, v) {
			return v, nil
		}
	}
	if offered == nil {
		return 0, alert.New(alert.ProtocolVersion, "client offers only %s; Lucid accepts %s to %s", version.Name(ch.LegacyVersion), version.Name(s.cfg.MinVersion), version.Name(s.cfg.MaxVersion))
	}
	return 0, alert.New(alert.ProtocolVersion, "client offers versions %s; Lucid accepts %s to %s", versionList(offered), version.Name(s.cfg.MinVersion), version.Name(s.cfg.MaxVersion))
}

func versionList(vs []uint16) string {
	var b bytes.Buffer
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(version.Name(v))
	}
	return b.String()
}

// negotiate picks version, suite, group, certificate, signature scheme and
// protocol, each by the server's preference among what the client offered.
func (s *server) negotiate(ch *wire.ClientHello, msg []byte, retry *retryState) (*negotiation, error) {
	cfg := s.cfg
	if !slices.Contains(ch.SupportedVersions, version.TLS13) {
		return nil, alert.New(alert.IllegalParameter, "second ClientHello no longer offers TLS 1.3")
	}
	// RFC 8446 §4.1.2: TLS 1.3 ClientHellos carry exactly one
	// compression method, null.
	if len(ch.CompressionMethods) != 1 || ch.CompressionMethods[0] != 0 {
		return nil, alert.New(alert.IllegalParameter, "ClientHello offers compression methods %v; TLS 1.3 allows only null", ch.CompressionMethods)
	}
	// RFC 8446 §4.2.9: pre_shared_key without psk_key_exchange_modes is
	// an abort, even for a server that would not resume anyway.
	if len(ch.PSKIdentities) > 0 && len(ch.PSKModes) == 0 {
		return nil, alert.New(alert.MissingExtension, "ClientHello offers a PSK without psk_key_exchange_modes")
	}
	n := &negotiation{hello: ch}
	for _, id := range cfg.CipherSuites {
		if slices.Contains(ch.CipherSuites, id) {
			n.suite = suites.Lookup13(id)
			break
		}
	}
	if n.suite == nil {
		return nil, alert.New(alert.HandshakeFailure, "no cipher suite in common (client offered %s)", suiteList(ch.CipherSuites))
	}
	// RFC 8446 §9.2: supported_groups and key_share come together, and
	// without a PSK signature_algorithms and supported_groups are musts.
	if ch.HasKeyShare != (ch.SupportedGroups != nil) {
		return nil, alert.New(alert.MissingExtension, "ClientHello has one of key_share and supported_groups without the other")
	}
	if len(ch.PSKIdentities) == 0 && !ch.HasKeyShare {
		return nil, alert.New(alert.MissingExtension, "ClientHello lacks key_share and supported_groups, which TLS 1.3 without PSK requires")
	}
	if len(ch.PSKIdentities) == 0 && ch.SignatureSchemes == nil {
		return nil, alert.New(alert.MissingExtension, "ClientHello lacks signature_algorithms")
	}
	// RFC 8446 §4.2.8: shares must be for offered groups. Both lists are
	// the peer's and may hold thousands of entries, so the check goes
	// through a bitmap: linear in the hello, where a search of one list
	// per entry of the other cost a 64 KB hello a third of a second.
	if len(ch.KeyShares) > 0 {
		var offered wire.CodeSet
		for _, g := range ch.SupportedGroups {
			offered.Add(g)
		}
		for _, ks := range ch.KeyShares {
			if !offered.Has(ks.Group) {
				return nil, alert.New(alert.IllegalParameter, "key share for %s, which is not in supported_groups", kex.Name(ks.Group))
			}
		}
	}
	groupErr := s.chooseGroup(n, ch, retry)
	// A hello answered by a HelloRetryRequest is checked for a PSK again
	// in its second form; checking the first costs a binder and decides
	// nothing, except under psk_ke, which needs no group at all.
	s.tr.setHash(n.suite.Hash)
	if err := s.resumable13(n, msg); err != nil {
		return nil, err
	}
	if !n.pskOnly && groupErr != nil {
		return nil, groupErr
	}
	if n.psk == nil {
		if ch.SignatureSchemes == nil {
			return nil, alert.New(alert.MissingExtension, "ClientHello lacks signature_algorithms, and no PSK was accepted")
		}
		if err := s.chooseCertificate(n, ch); err != nil {
			return nil, err
		}
	}
	var err error
	if n.alpn, err = chooseALPN(cfg, ch); err != nil {
		return nil, err
	}
	return n, nil
}

// chooseGroup takes the server's most preferred group that the client sent
// a share for, saving a round trip; failing that, the most preferred group
// the client supports, for which it must be asked (HelloRetryRequest).
func (s *server) chooseGroup(n *negotiation, ch *wire.ClientHello, retry *retryState) error {
	for _, g := range s.cfg.Groups {
		for _, ks := range ch.KeyShares {
			if ks.Group == g {
				n.group, n.share = g, ks.Data
				return nil
			}
		}
	}
	if retry != nil {
		return alert.New(alert.IllegalParameter, "second ClientHello has no share for %s", kex.Name(retry.group))
	}
	for _, g := range s.cfg.Groups {
		if slices.Contains(ch.SupportedGroups, g) {
			n.group = g
			return nil
		}
	}
	return alert.New(alert.HandshakeFailure, "no key exchange group in common (client offered %s)", groupList(ch.SupportedGroups))
}

func (s *server) chooseCertificate(n *negotiation, ch *wire.ClientHello) error {
	info := fillHelloInfo(&s.mem.info, ch, version.TLS13)
	cert, err := s.cfg.GetCertificate(info)
	if err != nil {
		return err
	}
	if cert == nil || len(cert.Chain) == 0 || cert.Key == nil {
		return alert.New(alert.HandshakeFailure, "server has no certificate for %q", ch.ServerName)
	}
	scheme, ok := signature.Choose(cert.Key.Public(), version.TLS13, cert.allowed(s.cfg.signing()), u16ToSchemes(ch.SignatureSchemes))
	if !ok {
		return alert.New(alert.HandshakeFailure, "client accepts no signature scheme the server's key can make (client offered %v)", u16ToSchemes(ch.SignatureSchemes))
	}
	n.cert, n.scheme = cert, scheme
	return nil
}

// checkSecondHello enforces RFC 8446 §4.1.2: the second ClientHello repeats
// the first except for key_share, early_data, cookie, pre_shared_key and
// padding, and those change only as the HelloRetryRequest asked.
func checkSecondHello(r *retryState, ch *wire.ClientHello, msg []byte) error {
	if !bytes.Equal(ch.Cookie, r.cookie) {
		return alert.New(alert.IllegalParameter, "second ClientHello does not echo the cookie")
	}
	// RFC 8446 §9.2: a ClientHello with supported_groups but no key_share
	// is missing_extension.
	if !ch.HasKeyShare {
		return alert.New(alert.MissingExtension, "second ClientHello has no key_share")
	}
	if len(ch.KeyShares) != 1 || ch.KeyShares[0].Group != r.group {
		return alert.New(alert.IllegalParameter, "second ClientHello must carry exactly one share, for %s", kex.Name(r.group))
	}
	if ch.EarlyData {
		return alert.New(alert.IllegalParameter, "second ClientHello offers early data")
	}
	if r.psk && len(ch.PSKIdentities) == 0 {
		return alert.New(alert.IllegalParameter, "second ClientHello drops the PSK the first offered")
	}
	if err := wire.CheckRepeatedHello(r.firstBody, msg[wire.HeaderLen:]); err != nil {
		return err
	}
	if !slices.Contains(ch.CipherSuites, r.suite.ID) {
		return alert.New(alert.IllegalParameter, "second ClientHello no longer offers %s", r.suite.Name)
	}
	return nil
}

func (s *server) helloRetry(n *negotiation, msg []byte) (state, error) {
	// The cookie only checks the client echoes it; the server keeps its
	// state. Behind an accepted ECH it is left out: Go's crypto/tls (1.26)
	// refers to it from the second inner hello without copying it to the
	// outer one, so no server that sends one can open that hello.
	var cookie []byte
	if !s.echAccepted() {
		var err error
		if cookie, err = s.cfg.random(16); err != nil {
			return nil, err
		}
	}
	hrr := &wire.ServerHello{
		LegacyVersion:    version.TLS12,
		Random:           wire.HelloRetryRequestRandom,
		SessionID:        n.hello.SessionID,
		CipherSuite:      n.suite.ID,
		SupportedVersion: version.TLS13,
		SelectedGroup:    n.group,
		Cookie:           cookie,
	}
	s.tr.replaceWithMessageHash()
	if s.echAccepted() {
		s.confirmECHRetry(hrr, n.hello.Random)
	}
	s.send(hrr)
	s.cfg.decide(DecisionHelloRetry, fmt.Sprintf("no usable key share; asking for %s", kex.Name(n.group)))
	// RFC 8446 §D.4: the server's compatibility change_cipher_spec follows
	// its first handshake message, here the HelloRetryRequest. It is a
	// MUST when the client sent a session ID and allowed at any time
	// otherwise, so Lucid always sends it, as BoringSSL does: a middlebox
	// that expects it cannot see the client's session ID policy.
	s.out.ccs()
	s.out.flush()
	s.result.DidHRR = true
	if n.hello.EarlyData {
		s.result.EarlyData = EarlyData{Offered: true, Reason: EarlyHelloRetry}
		s.cfg.decide(DecisionEarlyData, "rejected 0-RTT data: "+EarlyHelloRetry+"; it is skipped until the second ClientHello")
	}
	return &expectClientHello{s: s, retry: &retryState{firstBody: bytes.Clone(msg[wire.HeaderLen:]),
		suite: n.suite, group: n.group, cookie: cookie, psk: n.psk != nil}}, nil
}

func (s *server) respond(n *negotiation) (state, error) {
	cfg := s.cfg
	if n.cert != nil {
		// The ServerHello and, after the key change, the encrypted
		// flight with the chain share one buffer (outbox.flight).
		s.out.expectFlight(2*flightCap + n.cert.wireLen())
	} else if s.ticketsWanted() {
		// A resumption's flight is short, and its ticket is likely to
		// join it (ticketsInFirstFlight): room for both from the start.
		s.out.expectFlight(2 * flightCap)
	}
	var share, shared []byte
	if !n.pskOnly {
		var err error
		if share, shared, err = kex.Respond(n.group, cfg.Rand, n.share, cfg.Deterministic); err != nil {
			return nil, err
		}
	}
	sh := &s.mem.sh
	*sh = wire.ServerHello{
		LegacyVersion:    version.TLS12,
		SessionID:        n.hello.SessionID,
		CipherSuite:      n.suite.ID,
		SupportedVersion: version.TLS13,
		KeyShare:         keyShareFor(n, share),
		HasPSK:           n.psk != nil,
		SelectedIdentity: n.pskIndex,
	}
	if err := cfg.fill(sh.Random[:]); err != nil {
		return nil, err
	}
	if s.echAccepted() {
		s.confirmECH(sh, n.hello.Random)
	}
	// The client's early traffic secret covers the ClientHello alone.
	var earlySecret []byte
	if n.hello.EarlyData && n.psk != nil && !s.result.DidHRR {
		earlySecret = n.pskEarly.ClientEarlyTraffic(s.tr.sum())
	}
	s.send(sh)
	if !s.result.DidHRR {
		s.out.ccs()
	}

	suite := n.suite
	early := n.pskEarly
	if n.psk == nil {
		early = keys.NewEarlySecret(suite.Hash, nil)
	}
	hs := early.Handshake(shared)
	th := s.tr.sum()
	cs, ss, ms := hs.TrafficAndMaster(th)
	cfg.keyLog(keys.LogClientHandshake, n.hello.Random, cs)
	cfg.keyLog(keys.LogServerHandshake, n.hello.Random, ss)
	serverFinishedKey := s.out.writeHandshakeKey(suite, ss)
	accepted := s.decideEarlyData(n)
	if earlySecret != nil {
		// Logged for a rejection too: a reader of the capture can then
		// open the records the server skipped.
		cfg.keyLog(keys.LogClientEarly, n.hello.Random, earlySecret)
		if accepted {
			// The early key reads until EndOfEarlyData, and only then
			// does the client's handshake key take over.
			s.out.readKey(suite, earlySecret, LevelEarly)
		}
	}
	var clientFinishedKey []byte
	if !accepted {
		clientFinishedKey = s.out.readHandshakeKey(suite, cs)
	}

	ee := &s.mem.ee
	*ee = wire.EncryptedExtensions{ALPN: n.alpn, EarlyData: accepted, RecordSizeLimit: s.answerRecordSizeLimit(n.hello, version.TLS13)}
	if s.ech != nil && !s.ech.accepted {
		// RFC 9849 §7.1: a server with keys that answers the outer hello
		// tells the client which configs would work.
		ee.ECHRetryConfigs = s.ech.retry
	}
	// RFC 6066 §3: a server that used the name answers with an empty
	// server_name extension.
	// RFC 6066 §3: not when resuming.
	ee.ServerNameAck = n.hello.ServerName != "" && n.psk == nil
	s.send(ee)
	// RFC 8446 §4.3.2: no CertificateRequest when a PSK authenticates.
	requested := cfg.ClientAuth != NoClientAuth && n.psk == nil
	if requested {
		s.send(cfg.certificateRequest13(&s.mem.request, s.mem.requestSchemes[:0]))
	}

	if n.psk == nil {
		if err := s.sendCertificate(n); err != nil {
			return nil, err
		}
	} else {
		how := ResumedPSK
		if n.pskOnly {
			how = ResumedPSKOnly
		}
		s.result.resume(n.resumed, how)
		s.result.SessionFromStore = s.cfg.SharedSessions
	}
	s.mem.fin = wire.Finished{VerifyData: keys.AppendFinishedMACKeyed(s.finishedBuf(), suite.Hash, serverFinishedKey, s.tr.sum())}
	s.send(&s.mem.fin)

	// What a ticket records of the session is settled by now.
	s.result.Version = version.TLS13
	s.result.Suite = suite
	if !n.pskOnly {
		s.result.Group = n.group
	}
	s.result.ALPN = n.alpn
	s.result.ServerName = n.hello.ServerName
	k := clientFinishKeys{s: s, clientFinishedKey: clientFinishedKey, ms: ms}
	if requested {
		if err := s.endFlight(&k, requested, accepted, n.hello.Random); err != nil {
			return nil, err
		}
		s.mem.clientCert = expectClientCertificate13{k}
		return &s.mem.clientCert, nil
	}
	// Who the client is, when no certificate was asked for, is settled
	// before the flight ends: a ticket in it records the client.
	client, err := unrequestedClient(cfg, n)
	if err != nil {
		return nil, err
	}
	if err := s.endFlight(&k, requested, accepted, n.hello.Random); err != nil {
		return nil, err
	}
	if accepted {
		return &expectEndOfEarlyData{k: k, clientHandshake: cs, client: client}, nil
	}
	return newClientFinished13(k, client), nil
}

// unrequestedClient is who the client is when the server does not ask for
// a certificate: the session's client when a PSK resumes one, else nobody,
// as the policy must then ask.
func unrequestedClient(cfg *Config, n *negotiation) (authenticatedClient, error) {
	if n.psk != nil {
		return clientBySession(n.resumed)
	}
	return clientUnasked(cfg)
}

// sendCertificate sends the chain and the CertificateVerify signature over
// the transcript (RFC 8446 §4.4.2, §4.4.3): the seed's server proving it
// holds the key its certificate names.
func (s *server) sendCertificate(n *negotiation) error {
	cfg := s.cfg
	entries := s.mem.entries[:0:len(s.mem.entries)]
	if len(n.cert.Chain) > len(entries) {
		entries = make([]wire.CertificateEntry, 0, len(n.cert.Chain))
	}
	entries = entries[:len(n.cert.Chain)]
	for i, der := range n.cert.Chain {
		entries[i].Data = der
	}
	if n.hello.StatusRequest {
		entries[0].OCSPStaple = n.cert.OCSPStaple
	}
	if n.hello.SCT {
		entries[0].SCTs = n.cert.SCTs
	}
	s.mem.cert = wire.Certificate{Entries: entries}
	if err := s.sendCertificate13(&s.mem.cert, n.hello.CertCompressionAlgorithms); err != nil {
		return err
	}

	content := signature.AppendContent13(s.mem.content[:0], signature.ServerContext13, s.tr.sum())
	sig, err := signature.Sign(cfg.Rand, n.cert.Key, n.scheme, content)
	if err != nil {
		return fmt.Errorf("signing CertificateVerify with %s: %w", n.scheme, err)
	}
	s.mem.cv = wire.CertificateVerify{Scheme: uint16(n.scheme), Signature: sig}
	s.send(&s.mem.cv)
	return nil
}

// keyShareFor is the ServerHello's key_share: none under psk_ke.
func keyShareFor(n *negotiation, share []byte) wire.KeyShare {
	if n.pskOnly {
		return wire.KeyShare{}
	}
	return wire.KeyShare{Group: n.group, Data: share}
}

// clientFinishKeys travels from the server's flight to the client's
// Finished: what checking that Finished and what follows it need.
type clientFinishKeys struct {
	s *server
	// clientFinishedKey is the finished_key of the client's handshake
	// traffic secret.
	clientFinishedKey []byte
	ms                keys.MasterSecret
	// When the tickets went out in the server's first flight,
	// resumption is the resumption master secret they came from, nil
	// otherwise, and finished[:finishedLen] the client's verify_data it
	// was made with: the one Finished the server then accepts.
	resumption  []byte
	finished    [64]byte
	finishedLen int
}

// endFlight ends the server's first flight after its Finished: the
// application write key, with the tickets when they can go now
// (ticketsInFirstFlight), and the flush.
func (s *server) endFlight(k *clientFinishKeys, requested, accepted bool, clientRandom [32]byte) error {
	if s.ticketsInFirstFlight(requested, accepted) {
		if err := s.issueFirstFlightTicket(k, clientRandom); err != nil {
			return err
		}
	} else {
		r := &s.result
		applicationSecrets(s.cfg, k.ms, s.tr.sum(), clientRandom, r)
		s.out.writeKey(r.Suite, r.ServerTraffic, LevelApplication)
	}
	s.out.flush()
	return nil
}

// ticketsInFirstFlight reports whether the server sends its tickets with
// its Finished rather than after the client's (RFC 8446 §4.6.1): only
// when the rest of the transcript is known now. It is not when the server
// asked for a certificate, whose answer joins the transcript, nor when it
// accepted 0-RTT data, which EndOfEarlyData ends in the transcript; and
// there is nothing to do when no ticket would be issued.
func (s *server) ticketsInFirstFlight(requested, earlyAccepted bool) bool {
	return !requested && !earlyAccepted && s.ticketsWanted()
}

// issueFirstFlightTicket derives the application secrets and installs the
// server's application write key, as every server flight ends, and then
// issues the ticket under it, made from the resumption master secret over
// the transcript the client's Finished will complete: the MAC the server
// expects from the client's finished_key over the transcript through the
// server's Finished.
//
// Issuing before that Finished is checked gives nothing away. The ticket
// travels under the server's application traffic key, which only a
// holder of this handshake's secrets can read, and the PSK it names is
// derived from the same master secret; whoever holds that secret could as
// well compute the right Finished, and so gains nothing by the early
// ticket that completing the handshake would not give. A client whose
// Finished differs derives its resumption secret from its own transcript,
// so its PSK is not the ticket's and the binder of any resumption with it
// fails. The server keeps no state for the ticket (it is sealed and
// self-contained), and the Finished is still checked against the
// transcript before the handshake completes (expectClientFinished), so a
// wrong one fails it with decrypt_error as before. The server asked for
// no certificate, so the Finished authenticates no one the ticket would
// record: it carries what the session had before the client's Finished.
func (s *server) issueFirstFlightTicket(k *clientFinishKeys, clientRandom [32]byte) error {
	cfg, suite, r := s.cfg, s.result.Suite, &s.result
	var thRoom, finRoom [wire.HeaderLen + 64]byte
	th := thRoom[:copy(thRoom[:], s.tr.sum())]
	fin := wire.AppendHeader(finRoom[:0], wire.TypeFinished, suite.Hash.Size())
	fin = keys.AppendFinishedMACKeyed(fin, suite.Hash, k.clientFinishedKey, th)
	k.finishedLen = copy(k.finished[:], fin[wire.HeaderLen:])
	r.ClientTraffic, r.ServerTraffic, r.Exporter, k.resumption = k.ms.ApplicationAndResumption(th, s.tr.sumWith(fin))
	logApplicationSecrets(cfg, clientRandom, r)
	s.out.writeKey(suite, r.ServerTraffic, LevelApplication)
	_, err := s.issueTicket(k.resumption)
	return err
}

// expectClientFinished takes the client's Finished, which it accepts only
// with proof of who the client is, as far as the server's policy asks.
type expectClientFinished struct {
	k      clientFinishKeys
	client authenticatedClient
	// peer is room for the Finished this state receives.
	peer wire.Finished
}

func newClientFinished13(k clientFinishKeys, client authenticatedClient) *expectClientFinished {
	if k.s == nil {
		return &expectClientFinished{k: k, client: client}
	}
	// Made once per handshake, in the server's room for it.
	st := &k.s.mem.last
	*st = expectClientFinished{k: k, client: client}
	return st
}

func (st *expectClientFinished) handle(typ uint8, msg []byte) (state, error) {
	if !st.client.valid() {
		return nil, unproven("client")
	}
	s := st.k.s
	suite := s.result.Suite
	var err error
	if st.k.resumption != nil {
		// The tickets went out already, made with the Finished the
		// server expected over this same transcript: that one only.
		err = matchFinished(s.cfg, &s.tr, typ, msg, SideClient, &st.peer, st.k.finished[:st.k.finishedLen], " Finished MAC matches the transcript")
	} else {
		err = checkFinished(s.cfg, &s.tr, suite, st.k.clientFinishedKey, typ, msg, SideClient, &st.peer)
	}
	if err != nil {
		return nil, err
	}
	st.client.record(&s.result)
	s.out.readKey(suite, s.result.ClientTraffic, LevelApplication)
	if st.k.resumption != nil {
		s.result.Resumption = st.k.resumption
		return nil, nil
	}
	s.result.Resumption = st.k.ms.Resumption(s.tr.sum())
	sent, err := s.issueTicket(s.result.Resumption)
	if err != nil {
		return nil, err
	}
	if sent {
		s.out.flush()
	}
	return nil, nil
}

// listedMax bounds how many entries of a peer's list an error names: a
// hello may offer thousands of suites or groups, and neither the error nor
// the log line it becomes should grow with what a peer chooses to send.
const listedMax = 32

func suiteList(ids []uint16) string {
	var b bytes.Buffer
	for i, id := range ids {
		if i == listedMax {
			fmt.Fprintf(&b, " and %d more", len(ids)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		switch s12 := suites.Lookup12(id); {
		case suites.Lookup13(id) != nil:
			b.WriteString(suites.Lookup13(id).Name)
		case s12 != nil:
			b.WriteString(s12.Name)
		case id == emptyRenegotiationSCSV:
			b.WriteString("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
		default:
			fmt.Fprintf(&b, "0x%04x", id)
		}
	}
	return b.String()
}

func groupList(gs []uint16) string {
	var b bytes.Buffer
	for i, g := range gs {
		if i == listedMax {
			fmt.Fprintf(&b, " and %d more", len(gs)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kex.Name(g))
	}
	return b.String()
}
