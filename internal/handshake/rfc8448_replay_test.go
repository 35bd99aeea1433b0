package handshake_test

// The RFC 8448 replay: the client and server engines, driven with the
// traces' randoms and ephemeral keys through Config.Rand, must produce the
// traces' messages, secrets and Finished values.
//
// Where the engines draw random bytes, in order (what traceRand yields):
//   - client, Start: client random (32), legacy_session_id (32; Lucid
//     always sends one, RFC 8446 §D.4), then one private key per key share
//     (32 for x25519 and P-256); after a HelloRetryRequest, the new share's
//     private key.
//   - server, on ClientHello: a HelloRetryRequest's cookie (16) if it asks
//     for another share; otherwise its private key (32), then the server
//     random (32), then the RSA-PSS salt of CertificateVerify (32; Go reads
//     it from Config.Rand), then the ticket's ticket_age_add (4) and the
//     nonce sealing the ticket (12): with the server's Finished when it asks
//     for no client certificate, after the client's Finished otherwise.
//   - client, answering a CertificateRequest with an RSA key: the RSA-PSS
//     salt (32).
//
// What cannot match the traces byte for byte, and why:
//   - Lucid's ClientHello. The traces' client (NSS) offers FFDHE groups,
//     SHA-1 and DSA signature schemes, renegotiation_info, session_ticket
//     and record_size_limit, and orders extensions its own way; Lucid
//     implements none of those offers, always sends a legacy_session_id, and
//     asks for OCSP staples and SCTs. The replay compares Lucid's hello
//     field by field, requiring the differences to be exactly these, then
//     has the client engine hold the trace's hello as the one it sent
//     (SpliceClientHello, SpliceTranscript) so that everything after it can
//     be compared byte for byte.
//   - The servers' EncryptedExtensions carry record_size_limit (RFC 8449),
//     which Lucid's client takes only when it offered it (the spliced
//     hello did: TestRFC8448ClientTakesRecordSizeLimit), and §4's
//     early_data, which Lucid's client never offers. The replay hands the
//     client the message without record_size_limit and puts the trace's
//     message in the transcript.
//   - §5's HelloRetryRequest is handed to Lucid's client echoing Lucid's
//     session ID, so that the second ClientHello is built from Lucid's
//     first, as in a real handshake; the trace's goes in the transcript.
//   - Lucid's server EncryptedExtensions (no supported_groups, and its
//     record_size_limit before server_name rather than after) and so its
//     Finished and application secrets: those
//     are checked against the traces' finished keys and master secrets over
//     Lucid's own transcript.
//   - RSA-PSS signatures are randomized and the traces do not print their
//     salts: they are verified, and their scheme and length compared.
//   - Lucid's NewSessionTicket seals its own ticket, with a one-byte nonce
//     and no early_data extension (Lucid does not do 0-RTT); §4's client
//     sends EndOfEarlyData, Lucid's does not.
//   - Lucid's engines send the middlebox-compatibility change_cipher_spec
//     in every TLS 1.3 handshake; only §7's trace has them.
//   - §6 publishes neither private key, so its server is not replayed and
//     its client signs with the §2 key in place of the client's.

import (
	"crypto"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/keys"
	"lucid/internal/rfc8448"
	"lucid/internal/session"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// traceNow is when the replays happen: within the validity of the traces'
// certificates (July 2016 to July 2026).
func traceNow() time.Time { return time.Date(2016, time.July, 30, 12, 0, 0, 0, time.UTC) }

func traceHello(t *testing.T, h string) *wire.ClientHello {
	t.Helper()
	ch, err := wire.ParseClientHello(hx(h)[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// helloRandom and helloSessionID read a hello's random and
// legacy_session_id (ClientHello or ServerHello: both start alike).
func helloRandom(b []byte) []byte { return b[6:38] }

func helloSessionID(b []byte) []byte { return b[39 : 39+int(b[38])] }

// offer is what a configuration offers to match a trace's ClientHello, as
// far as Lucid implements it: its suites, the groups Lucid implements and
// the signature schemes Lucid accepts, in the trace's order.
func offer(t *testing.T, traceCH string, cfg *handshake.Config) *handshake.Config {
	t.Helper()
	ch := traceHello(t, traceCH)
	cfg.Now = traceNow
	cfg.MinVersion, cfg.MaxVersion = version.TLS13, version.TLS13
	cfg.CipherSuites = ch.CipherSuites
	for _, g := range ch.SupportedGroups {
		if kex.Supported(g) {
			cfg.Groups = append(cfg.Groups, g)
		}
	}
	for _, s := range ch.SignatureSchemes {
		if slices.Contains(signature.DefaultCert, signature.Scheme(s)) {
			cfg.Schemes = append(cfg.Schemes, signature.Scheme(s))
		}
	}
	return cfg
}

func traceClient(t *testing.T, traceCH string, rnd *traceRand) *handshake.Config {
	t.Helper()
	return offer(t, traceCH, &handshake.Config{Rand: rnd, ServerName: traceHello(t, traceCH).ServerName})
}

// chainOf returns the chain a trace's Certificate message carries.
func chainOf(t *testing.T, msg string) [][]byte {
	t.Helper()
	c, err := wire.ParseCertificate(hx(msg)[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	var chain [][]byte
	for _, e := range c.Entries {
		chain = append(chain, e.Data)
	}
	return chain
}

// traceServer configures a server with the trace's RSA certificate and
// key, preferring groups in the order given.
func traceServer(t *testing.T, traceCH string, rnd *traceRand, groups ...uint16) *handshake.Config {
	t.Helper()
	cfg := offer(t, traceCH, &handshake.Config{Rand: rnd})
	if groups != nil {
		cfg.Groups = groups
	}
	chain := chainOf(t, rfc8448.SimpleServerCertificate)
	key := rfc8448.ServerRSAKey()
	cfg.GetCertificate = func(*handshake.HelloInfo) (*handshake.Certificate, error) {
		return &handshake.Certificate{Chain: chain, Key: key}, nil
	}
	return cfg
}

func splice(t *testing.T, e *handshake.Engine, hello []byte, transcript ...[]byte) {
	t.Helper()
	if hello != nil {
		if err := handshake.SpliceClientHello(e, hello); err != nil {
			t.Fatal(err)
		}
	}
	if err := handshake.SpliceTranscript(e, transcript...); err != nil {
		t.Fatal(err)
	}
}

// wantSilent checks that a message produced no messages to send.
func wantSilent(t *testing.T, what string, f *flight) {
	t.Helper()
	if len(f.order) != 0 {
		t.Errorf("%s: the engine sent %v, want nothing", what, f.order)
	}
}

// verifyCV checks a CertificateVerify Lucid made: the header, scheme and
// signature length are the trace's (the signature itself is randomized),
// and the signature verifies with pub over the transcript before it.
func verifyCV(t *testing.T, what string, cv []byte, traceHex, context string, pub crypto.PublicKey, transcript ...[]byte) {
	t.Helper()
	if tr := hx(traceHex); len(cv) != len(tr) || !slices.Equal(cv[:8], tr[:8]) {
		t.Errorf("%s: header, scheme and length %x, the trace's %x", what, cv[:min(8, len(cv))], tr[:8])
		return
	}
	scheme := signature.Scheme(uint16(cv[4])<<8 | uint16(cv[5]))
	content := signature.Content13(context, transcriptHash(transcript...))
	if err := signature.Verify(pub, scheme, content, cv[8:]); err != nil {
		t.Errorf("%s does not verify: %v", what, err)
	}
}

// simpleClientHelloDiffs is how Lucid's ClientHello, configured like §3's
// client, differs from the trace's: see the top of this file.
var simpleClientHelloDiffs = []string{
	"legacy_session_id differs",
	"renegotiation_info only in the trace",
	"session_ticket only in the trace",
	"record_size_limit only in the trace",
	"status_request only in Lucid's",
	"signed_certificate_timestamp only in Lucid's",
	"supported_groups differs",
	"signature_algorithms differs",
	"extension order",
}

// wantOfferedSubset checks the explanation for "supported_groups differs"
// and "signature_algorithms differs": Lucid offers the trace's list less
// what it does not implement (FFDHE groups; SHA-1 and DSA schemes).
func wantOfferedSubset(t *testing.T, lucid []byte, traceCH string) {
	t.Helper()
	got, err := wire.ParseClientHello(lucid[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	tr := traceHello(t, traceCH)
	var groups, schemes []uint16
	for _, g := range tr.SupportedGroups {
		if g>>8 != 0x01 { // 0x0100-0x01ff: FFDHE (RFC 7919)
			groups = append(groups, g)
		}
	}
	for _, s := range tr.SignatureSchemes {
		if s&0xff != 0x02 && s&0xff00 != 0x0200 { // DSA, or SHA-1
			schemes = append(schemes, s)
		}
	}
	if !slices.Equal(got.SupportedGroups, groups) {
		t.Errorf("supported_groups %04x, want the trace's without FFDHE: %04x", got.SupportedGroups, groups)
	}
	if !slices.Equal(got.SignatureSchemes, schemes) {
		t.Errorf("signature_algorithms %04x, want the trace's without SHA-1 and DSA: %04x", got.SignatureSchemes, schemes)
	}
}

// fullTrace is a full handshake with the §2 server certificate: §3 and §7.
type fullTrace struct {
	clientHello, serverHello, ee, cert, cv, serverFinished, clientFinished string
	clientKey, serverKey                                                   string
	cHS, sHS, cAP, sAP, exporter, resumption, master                       string
	serverFinishedKey, clientFinishedKey                                   string
	// sessionID is the legacy_session_id draw; helloDiffs how Lucid's
	// ClientHello differs from the trace's.
	sessionID  draw
	helloDiffs []string
}

var simpleTrace = fullTrace{
	clientHello: rfc8448.SimpleClientHello, serverHello: rfc8448.SimpleServerHello,
	ee: rfc8448.SimpleEncryptedExtensions, cert: rfc8448.SimpleServerCertificate,
	cv: rfc8448.SimpleServerCertificateVerify, serverFinished: rfc8448.SimpleServerFinished,
	clientFinished: rfc8448.SimpleClientFinished,
	clientKey:      rfc8448.SimpleClientX25519PrivateKey, serverKey: rfc8448.SimpleServerX25519PrivateKey,
	cHS: rfc8448.SimpleClientHandshakeTrafficSecret, sHS: rfc8448.SimpleServerHandshakeTrafficSecret,
	cAP: rfc8448.SimpleClientApplicationTrafficSecret, sAP: rfc8448.SimpleServerApplicationTrafficSecret,
	exporter: rfc8448.SimpleExporterMasterSecret, resumption: rfc8448.SimpleResumptionMasterSecret,
	master:            rfc8448.SimpleMasterSecret,
	serverFinishedKey: rfc8448.SimpleServerFinishedKey, clientFinishedKey: rfc8448.SimpleClientFinishedKey,
	sessionID:  notInTrace("legacy_session_id", 32),
	helloDiffs: simpleClientHelloDiffs,
}

var compatTrace = fullTrace{
	clientHello: rfc8448.CompatClientHello, serverHello: rfc8448.CompatServerHello,
	ee: rfc8448.CompatEncryptedExtensions, cert: rfc8448.CompatServerCertificate,
	cv: rfc8448.CompatServerCertificateVerify, serverFinished: rfc8448.CompatServerFinished,
	clientFinished: rfc8448.CompatClientFinished,
	clientKey:      rfc8448.CompatClientX25519PrivateKey, serverKey: rfc8448.CompatServerX25519PrivateKey,
	cHS: rfc8448.CompatClientHandshakeTrafficSecret, sHS: rfc8448.CompatServerHandshakeTrafficSecret,
	cAP: rfc8448.CompatClientApplicationTrafficSecret, sAP: rfc8448.CompatServerApplicationTrafficSecret,
	exporter: rfc8448.CompatExporterMasterSecret, resumption: rfc8448.CompatResumptionMasterSecret,
	master:            rfc8448.CompatMasterSecret,
	serverFinishedKey: rfc8448.CompatServerFinishedKey, clientFinishedKey: rfc8448.CompatClientFinishedKey,
	// §7's client sends a session ID, as Lucid's does: here every byte
	// the client draws is the trace's.
	sessionID: draw{"legacy_session_id", helloSessionID(hx(rfc8448.CompatClientHello))},
	helloDiffs: []string{
		"renegotiation_info only in the trace",
		"record_size_limit only in the trace",
		"status_request only in Lucid's",
		"signed_certificate_timestamp only in Lucid's",
		"supported_groups differs",
		"signature_algorithms differs",
		"extension order",
	},
}

// startFull runs a client through Start and ServerHello of tr and leaves it
// waiting for EncryptedExtensions, having checked what it sent and the
// handshake secrets it installed.
func startFull(t *testing.T, tr fullTrace) *handshake.Engine {
	step := stepper(t)
	t.Helper()
	rnd := newTraceRand(
		draw{"client random", helloRandom(hx(tr.clientHello))},
		tr.sessionID,
		draw{"x25519 private key", hx(tr.clientKey)},
	)
	e := handshake.NewClient(traceClient(t, tr.clientHello, rnd))
	f := step(e.Start())
	wantOrder(t, "Start", f, "ClientHello")
	rnd.checkUsed(t)
	wantDiff(t, "ClientHello", f.msgs[0], tr.clientHello, tr.helloDiffs...)
	wantOfferedSubset(t, f.msgs[0], tr.clientHello)

	ch, sh := hx(tr.clientHello), hx(tr.serverHello)
	splice(t, e, ch, ch)
	f = step(e.Handle(sh))
	// The compatibility change_cipher_spec is queued here, ahead of the
	// client's first protected record.
	wantOrder(t, "after ServerHello", f, "change_cipher_spec")
	want(t, "server_handshake_traffic_secret (read)", f.read[handshake.LevelHandshake], tr.sHS)
	want(t, "client_handshake_traffic_secret (write)", f.write[handshake.LevelHandshake], tr.cHS)
	return e
}

// replayFullClient replays tr's server flight to a client engine and
// checks its Finished and secrets; it returns the engine, done.
func replayFullClient(t *testing.T, tr fullTrace) *handshake.Engine {
	step := stepper(t)
	t.Helper()
	e := startFull(t, tr)
	ch, sh, ee := hx(tr.clientHello), hx(tr.serverHello), hx(tr.ee)
	wantSilent(t, "EncryptedExtensions", step(e.Handle(without(t, ee, "record_size_limit"))))
	splice(t, e, nil, ch, sh, ee)
	wantSilent(t, "Certificate", step(e.Handle(hx(tr.cert))))
	wantSilent(t, "CertificateVerify", step(e.Handle(hx(tr.cv))))
	f := step(e.Handle(hx(tr.serverFinished)))
	wantOrder(t, "after the server's Finished", f, "Finished")
	want(t, "client Finished", f.msgs[0], tr.clientFinished)
	want(t, "server_application_traffic_secret_0 (read)", f.read[handshake.LevelApplication], tr.sAP)
	want(t, "client_application_traffic_secret_0 (write)", f.write[handshake.LevelApplication], tr.cAP)
	r := e.Result()
	want(t, "exporter_master_secret", r.Exporter, tr.exporter)
	want(t, "resumption_master_secret", r.Resumption, tr.resumption)
	if !e.Done() || r.Version != version.TLS13 || r.Suite.ID != suites.TLS_AES_128_GCM_SHA256 || r.Group != kex.X25519 {
		t.Errorf("handshake not done as the trace's: done %v, version %04x, suite %v, group %04x", e.Done(), r.Version, r.Suite, r.Group)
	}
	return e
}

// TestRFC8448SimpleClient replays §3 to a client engine, then turns the
// trace's NewSessionTicket into the session §4 resumes.
func TestRFC8448SimpleClient(t *testing.T) {
	simpleSession(t)
}

// simpleSession replays §3 to a client and returns the session its
// NewSessionTicket makes, checked against the trace.
func simpleSession(t *testing.T) *handshake.ClientSession {
	t.Helper()
	e := replayFullClient(t, simpleTrace)
	nst, err := wire.ParseNewSessionTicket(hx(rfc8448.SimpleNewSessionTicket)[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	cs, err := handshake.SessionFromTicket(e.Result(), nst, traceNow(), "server")
	if err != nil || cs == nil {
		t.Fatalf("SessionFromTicket: %v, %v", cs, err)
	}
	want(t, "resumption PSK", cs.State.Secret, rfc8448.SimpleResumptionPSK)
	if cs.State.Lifetime != 30*time.Second || cs.State.AgeAdd != nst.AgeAdd || !slices.Equal(cs.Ticket, nst.Ticket) {
		t.Errorf("session lifetime %v, age_add %08x, ticket %x: not the trace's", cs.State.Lifetime, cs.State.AgeAdd, cs.Ticket)
	}
	return cs
}

// TestRFC8448CompatClient replays §7, where the client's every random byte
// is the trace's and both sides send change_cipher_spec.
func TestRFC8448CompatClient(t *testing.T) {
	replayFullClient(t, compatTrace)
}

// The trace's EncryptedExtensions carry record_size_limit (RFC 8449),
// answering the trace's hello, which the client engine holds as its own:
// the client takes the server's 0x4001 and keeps its own to the same.
// (The replay above still hands the client the message without it, so that
// its other steps do not depend on RFC 8449.)
func TestRFC8448ClientTakesRecordSizeLimit(t *testing.T) {
	e := startFull(t, simpleTrace)
	if _, err := e.Handle(hx(simpleTrace.ee)); err != nil {
		t.Fatalf("the trace's EncryptedExtensions: %v", err)
	}
	if r := e.Result(); r.PeerRecordSizeLimit != 0x4001 || r.RecordSizeLimit != 0x4001 {
		t.Fatalf("limits %#x to the server, %#x from it; want 0x4001 both", r.PeerRecordSizeLimit, r.RecordSizeLimit)
	}
}

// replayFullServer hands tr's client messages to a server engine and
// checks what it sends. nst, if set, is the trace's NewSessionTicket, and
// the server issues one.
func replayFullServer(t *testing.T, tr fullTrace, nst string) {
	step := stepper(t)
	t.Helper()
	draws := []draw{
		{"x25519 private key", hx(tr.serverKey)},
		{"server random", helloRandom(hx(tr.serverHello))},
		notInTrace("RSA-PSS salt of CertificateVerify", 32),
	}
	if nst != "" {
		draws = append(draws, draw{"ticket_age_add", hx(nst)[8:12]}, notInTrace("ticket sealing nonce", session.NonceLen))
	}
	rnd := newTraceRand(draws...)
	cfg := traceServer(t, tr.clientHello, rnd)
	if nst != "" {
		sealer, err := session.NewSealer([]session.TicketKey{{1}})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Tickets, cfg.TicketLifetime = sealer, 30*time.Second
	}
	e := handshake.NewServer(cfg)
	ch := hx(tr.clientHello)
	f := step(e.Handle(ch))
	// The trace's server sends its ticket after the client's Finished;
	// Lucid's asks for no client certificate and so sends it with its
	// own Finished (RFC 8446 §4.6.1 allows both).
	flight := []string{"ServerHello", "change_cipher_spec", "EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"}
	if nst != "" {
		flight = append(flight, "NewSessionTicket")
	}
	wantOrder(t, "server flight", f, flight...)
	sh, ee, cert, cv, fin := f.msgs[0], f.msgs[1], f.msgs[2], f.msgs[3], f.msgs[4]
	var flightTicket []byte
	if nst != "" {
		flightTicket = f.msgs[5]
		wantDiff(t, "NewSessionTicket", f.msgs[5], nst, "ticket_nonce differs", "ticket differs", "early_data only in the trace")
	}
	want(t, "ServerHello", sh, tr.serverHello)
	want(t, "server_handshake_traffic_secret (write)", f.write[handshake.LevelHandshake], tr.sHS)
	want(t, "client_handshake_traffic_secret (read)", f.read[handshake.LevelHandshake], tr.cHS)
	wantDiff(t, "EncryptedExtensions", ee, tr.ee, "extension order", "supported_groups only in the trace")
	want(t, "Certificate", cert, tr.cert)
	verifyCV(t, "server CertificateVerify", cv, tr.cv, signature.ServerContext13, rfc8448.ServerRSAKey().Public(), ch, sh, ee, cert)
	if w := finishedWith(tr.serverFinishedKey, ch, sh, ee, cert, cv); !slices.Equal(fin, w) {
		t.Errorf("server Finished %x, want %x (the trace's finished_key over Lucid's transcript)", fin, w)
	}
	want(t, "server_application_traffic_secret_0 (write)", f.write[handshake.LevelApplication], hexOf(derived(tr.master, "s ap traffic", ch, sh, ee, cert, cv, fin)))

	cfin := finishedWith(tr.clientFinishedKey, ch, sh, ee, cert, cv, fin)
	f = step(e.Handle(cfin))
	want(t, "client_application_traffic_secret_0 (read)", f.read[handshake.LevelApplication], hexOf(derived(tr.master, "c ap traffic", ch, sh, ee, cert, cv, fin)))
	want(t, "exporter_master_secret", e.Result().Exporter, hexOf(derived(tr.master, "exp master", ch, sh, ee, cert, cv, fin)))
	res := derived(tr.master, "res master", ch, sh, ee, cert, cv, fin, cfin)
	want(t, "resumption_master_secret", e.Result().Resumption, hexOf(res))
	wantSilent(t, "client Finished", f)
	if nst != "" {
		// The ticket sent before the client's Finished names the PSK
		// of the transcript that Finished completed.
		m, err := wire.ParseNewSessionTicket(flightTicket[wire.HeaderLen:])
		if err != nil {
			t.Fatal(err)
		}
		plain, err := cfg.Tickets.Open(m.Ticket)
		if err != nil {
			t.Fatal(err)
		}
		st, err := session.Unmarshal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if w := keys.ResumptionPSK(crypto.SHA256, res, m.Nonce); !slices.Equal(st.Secret, w) {
			t.Errorf("the first flight's ticket holds PSK %x, want %x (from the trace's transcript through the client's Finished)", st.Secret, w)
		}
	}
	rnd.checkUsed(t)
	if !e.Done() {
		t.Error("server not done")
	}
}

// TestRFC8448SimpleServer hands §3's client messages to a server engine.
func TestRFC8448SimpleServer(t *testing.T) {
	replayFullServer(t, simpleTrace, rfc8448.SimpleNewSessionTicket)
}

// TestRFC8448CompatServer hands §7's client messages to a server engine;
// its ServerHello echoes the client's session ID and change_cipher_spec
// follows it, as in the trace.
func TestRFC8448CompatServer(t *testing.T) {
	replayFullServer(t, compatTrace, "")
}

// TestRFC8448ResumedClient resumes §3's session as §4 does, without the
// early data: Lucid's client does not send 0-RTT.
func TestRFC8448ResumedClient(t *testing.T) {
	step := stepper(t)
	cs := simpleSession(t)
	traceCH := traceHello(t, rfc8448.ResumedClientHello)
	// The trace's obfuscated_ticket_age is the ticket's age in
	// milliseconds plus ticket_age_add: resume that long after the
	// ticket arrived.
	age := time.Duration(traceCH.PSKIdentities[0].ObfuscatedTicketAge-cs.State.AgeAdd) * time.Millisecond
	rnd := newTraceRand(
		draw{"client random", helloRandom(hx(rfc8448.ResumedClientHello))},
		notInTrace("legacy_session_id", 32),
		draw{"x25519 private key", hx(rfc8448.ResumedClientX25519PrivateKey)},
	)
	cfg := traceClient(t, rfc8448.ResumedClientHello, rnd)
	cfg.Now = func() time.Time { return traceNow().Add(age) }
	cfg.Session = cs
	e := handshake.NewClient(cfg)
	f := step(e.Start())
	wantOrder(t, "Start", f, "ClientHello")
	rnd.checkUsed(t)
	hello := f.msgs[0]
	wantDiff(t, "ClientHello", hello, rfc8448.ResumedClientHello,
		"legacy_session_id differs",
		"renegotiation_info only in the trace",
		"record_size_limit only in the trace",
		"early_data only in the trace",
		"padding only in the trace",
		"status_request only in Lucid's",
		"signed_certificate_timestamp only in Lucid's",
		"supported_groups differs",
		"signature_algorithms differs",
		"pre_shared_key differs",
		"extension order")
	// pre_shared_key differs only in its binder, which covers the
	// (different) hello: the identity and its age are the trace's, and the
	// binder is the trace's binder key's MAC over Lucid's hello.
	lch, err := wire.ParseClientHello(hello[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(lch.PSKIdentities, traceCH.PSKIdentities, func(a, b wire.PSKIdentity) bool {
		return slices.Equal(a.Identity, b.Identity) && a.ObfuscatedTicketAge == b.ObfuscatedTicketAge
	}) {
		t.Errorf("PSK identities %v, the trace's %v", lch.PSKIdentities, traceCH.PSKIdentities)
	}
	truncated := hello[:len(hello)-lch.BindersLen()]
	if w := finishedWith(rfc8448.ResumedBinderFinishedKey, truncated)[wire.HeaderLen:]; len(lch.PSKBinders) != 1 || !slices.Equal(lch.PSKBinders[0], w) {
		t.Errorf("binder %x, want %x (the trace's binder key over Lucid's hello)", lch.PSKBinders, w)
	}
	// And the trace's binder is the same MAC over the trace's hello.
	if w := finishedWith(rfc8448.ResumedBinderFinishedKey, hx(rfc8448.ResumedClientHelloPrefix))[wire.HeaderLen:]; !slices.Equal(w, hx(rfc8448.ResumedBinder)) {
		t.Errorf("the trace's binder is not its binder key's MAC over its truncated hello")
	}

	ch, sh, ee := hx(rfc8448.ResumedClientHello), hx(rfc8448.ResumedServerHello), hx(rfc8448.ResumedEncryptedExtensions)
	splice(t, e, ch, ch)
	f = step(e.Handle(sh))
	wantOrder(t, "after ServerHello", f, "change_cipher_spec")
	want(t, "server_handshake_traffic_secret (read)", f.read[handshake.LevelHandshake], rfc8448.ResumedServerHandshakeTrafficSecret)
	want(t, "client_handshake_traffic_secret (write)", f.write[handshake.LevelHandshake], rfc8448.ResumedClientHandshakeTrafficSecret)
	// early_data is in EncryptedExtensions because the trace's client
	// offered it; Lucid's offers none, so it is taken out with
	// record_size_limit.
	wantSilent(t, "EncryptedExtensions", step(e.Handle(without(t, ee, "record_size_limit", "early_data"))))
	splice(t, e, nil, ch, sh, ee)
	sfin := hx(rfc8448.ResumedServerFinished)
	f = step(e.Handle(sfin))
	wantOrder(t, "after the server's Finished", f, "Finished")
	want(t, "server_application_traffic_secret_0 (read)", f.read[handshake.LevelApplication], rfc8448.ResumedServerApplicationTrafficSecret)
	want(t, "client_application_traffic_secret_0 (write)", f.write[handshake.LevelApplication], rfc8448.ResumedClientApplicationTrafficSecret)
	want(t, "exporter_master_secret", e.Result().Exporter, rfc8448.ResumedExporterMasterSecret)
	// The trace's client Finished covers its EndOfEarlyData too; Lucid's,
	// which sent no early data, ends at the server's.
	eoed := hx(rfc8448.ResumedEndOfEarlyData)
	if !slices.Equal(finishedWith(rfc8448.ResumedClientFinishedKey, ch, sh, ee, sfin, eoed), hx(rfc8448.ResumedClientFinished)) {
		t.Error("the trace's client Finished is not its finished key's MAC through EndOfEarlyData")
	}
	if w := finishedWith(rfc8448.ResumedClientFinishedKey, ch, sh, ee, sfin); !slices.Equal(f.msgs[0], w) {
		t.Errorf("client Finished %x, want %x (the trace's finished key through the server's Finished)", f.msgs[0], w)
	}
	want(t, "resumption_master_secret", e.Result().Resumption, hexOf(derived(rfc8448.ResumedMasterSecret, "res master", ch, sh, ee, sfin, f.msgs[0])))
	if r := e.Result(); !r.DidResume || r.Group != kex.X25519 {
		t.Errorf("resumed %v with group %04x, want a psk_dhe_ke resumption over x25519", r.DidResume, r.Group)
	}
}

// messageHash is the synthetic message that replaces ClientHello1 in the
// transcript after a HelloRetryRequest (RFC 8446 §4.4.1).
func messageHash(ch1 []byte) []byte {
	h := sha256.Sum256(ch1)
	return append([]byte{wire.TypeMessageHash, 0, 0, 32}, h[:]...)
}

// TestRFC8448HRRClient replays §5 to a client engine: its second
// ClientHello carries the trace's P-256 share and echoes the cookie.
func TestRFC8448HRRClient(t *testing.T) {
	step := stepper(t)
	rnd := newTraceRand(
		draw{"client random", helloRandom(hx(rfc8448.HRRClientHello1))},
		notInTrace("legacy_session_id", 32),
		draw{"x25519 private key", hx(rfc8448.HRRClientX25519PrivateKey)},
		draw{"P-256 private key", hx(rfc8448.HRRClientP256PrivateKey)},
	)
	e := handshake.NewClient(traceClient(t, rfc8448.HRRClientHello1, rnd))
	f := step(e.Start())
	wantOrder(t, "Start", f, "ClientHello")
	helloDiffs := []string{
		"legacy_session_id differs",
		"renegotiation_info only in the trace",
		"record_size_limit only in the trace",
		"status_request only in Lucid's",
		"signed_certificate_timestamp only in Lucid's",
		"signature_algorithms differs",
		"extension order",
	}
	wantDiff(t, "ClientHello1", f.msgs[0], rfc8448.HRRClientHello1, helloDiffs...)

	// The client keeps its own first hello, with its session ID, so that
	// its second is built as Lucid builds it; the trace's
	// HelloRetryRequest is handed over echoing that session ID.
	ch1, hrr := hx(rfc8448.HRRClientHello1), hx(rfc8448.HRRHelloRetryRequest)
	retry, err := wire.ParseServerHello(hrr[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	retry.SessionID = helloSessionID(f.msgs[0])
	f = step(e.Handle(retry.Marshal()))
	wantOrder(t, "after HelloRetryRequest", f, "change_cipher_spec", "ClientHello")
	rnd.checkUsed(t)
	// Lucid's second hello is its first with the trace's cookie and a
	// share for P-256 made from the trace's private key; the trace's adds
	// padding.
	wantDiff(t, "ClientHello2", f.msgs[0], rfc8448.HRRClientHello2, append(helloDiffs, "padding only in the trace")...)

	ch2, sh, ee := hx(rfc8448.HRRClientHello2), hx(rfc8448.HRRServerHello), hx(rfc8448.HRREncryptedExtensions)
	mh := messageHash(ch1)
	splice(t, e, ch2, mh, hrr, ch2)
	f = step(e.Handle(sh))
	wantSilent(t, "ServerHello", f)
	want(t, "server_handshake_traffic_secret (read)", f.read[handshake.LevelHandshake], rfc8448.HRRServerHandshakeTrafficSecret)
	want(t, "client_handshake_traffic_secret (write)", f.write[handshake.LevelHandshake], rfc8448.HRRClientHandshakeTrafficSecret)
	wantSilent(t, "EncryptedExtensions", step(e.Handle(without(t, ee, "record_size_limit"))))
	splice(t, e, nil, mh, hrr, ch2, sh, ee)
	wantSilent(t, "Certificate", step(e.Handle(hx(rfc8448.HRRServerCertificate))))
	wantSilent(t, "CertificateVerify", step(e.Handle(hx(rfc8448.HRRServerCertificateVerify))))
	f = step(e.Handle(hx(rfc8448.HRRServerFinished)))
	wantOrder(t, "after the server's Finished", f, "Finished")
	want(t, "client Finished", f.msgs[0], rfc8448.HRRClientFinished)
	want(t, "server_application_traffic_secret_0 (read)", f.read[handshake.LevelApplication], rfc8448.HRRServerApplicationTrafficSecret)
	want(t, "client_application_traffic_secret_0 (write)", f.write[handshake.LevelApplication], rfc8448.HRRClientApplicationTrafficSecret)
	want(t, "exporter_master_secret", e.Result().Exporter, rfc8448.HRRExporterMasterSecret)
	want(t, "resumption_master_secret", e.Result().Resumption, rfc8448.HRRResumptionMasterSecret)
	if r := e.Result(); !r.DidHRR || r.Group != kex.P256 {
		t.Errorf("HRR %v, group %04x; want a retry to P-256", r.DidHRR, r.Group)
	}
}

// TestRFC8448HRRServer hands §5's first ClientHello to a server that
// wants P-256. Its HelloRetryRequest differs from the trace's only in the
// cookie, which each server fills as it likes; the second ClientHello,
// carrying Lucid's cookie, gets the trace's ServerHello. Lucid's server
// takes a share for any group it accepts rather than spend a round trip on
// a preferred one, so this one accepts no x25519.
func TestRFC8448HRRServer(t *testing.T) {
	step := stepper(t)
	rnd := newTraceRand(
		notInTrace("cookie", 16),
		draw{"P-256 private key", hx(rfc8448.HRRServerP256PrivateKey)},
		draw{"server random", helloRandom(hx(rfc8448.HRRServerHello))},
		notInTrace("RSA-PSS salt of CertificateVerify", 32),
	)
	e := handshake.NewServer(traceServer(t, rfc8448.HRRClientHello1, rnd, kex.P256, kex.P384))
	ch1 := hx(rfc8448.HRRClientHello1)
	f := step(e.Handle(ch1))
	// Lucid's server follows its HelloRetryRequest with change_cipher_spec
	// (RFC 8446 §D.4 allows it at any time); §5's does not.
	wantOrder(t, "HelloRetryRequest flight", f, "ServerHello", "change_cipher_spec")
	hrr := f.msgs[0]
	wantDiff(t, "HelloRetryRequest", hrr, rfc8448.HRRHelloRetryRequest, "cookie differs")

	// The trace's second ClientHello, echoing Lucid's cookie.
	second := traceHello(t, rfc8448.HRRClientHello2)
	if second.Cookie = extension(t, hrr, "cookie")[2:]; len(second.Cookie) != 16 {
		t.Fatalf("Lucid's cookie is %d bytes", len(second.Cookie))
	}
	ch2 := second.Marshal()
	f = step(e.Handle(ch2))
	wantOrder(t, "server flight", f, "ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify", "Finished")
	rnd.checkUsed(t)
	sh, ee, cert, cv := f.msgs[0], f.msgs[1], f.msgs[2], f.msgs[3]
	want(t, "ServerHello", sh, rfc8448.HRRServerHello)
	// Both secrets come from the trace's handshake secret, over a
	// transcript that holds Lucid's cookie.
	mh := messageHash(ch1)
	want(t, "server_handshake_traffic_secret (write)", f.write[handshake.LevelHandshake], hexOf(derived(rfc8448.HRRHandshakeSecret, "s hs traffic", mh, hrr, ch2, sh)))
	want(t, "client_handshake_traffic_secret (read)", f.read[handshake.LevelHandshake], hexOf(derived(rfc8448.HRRHandshakeSecret, "c hs traffic", mh, hrr, ch2, sh)))
	wantDiff(t, "EncryptedExtensions", ee, rfc8448.HRREncryptedExtensions, "extension order", "supported_groups only in the trace")
	want(t, "Certificate", cert, rfc8448.HRRServerCertificate)
	verifyCV(t, "server CertificateVerify", cv, rfc8448.HRRServerCertificateVerify, signature.ServerContext13, rfc8448.ServerRSAKey().Public(), mh, hrr, ch2, sh, ee, cert)
}

// TestRFC8448ClientAuthClient replays §6 to a client engine: the server
// asks for a certificate, and the client answers with the trace's.
// RFC 8448 does not publish the client's key, so the §2 key signs in its
// place: the CertificateVerify is checked with that key, the Finished
// after it with the trace's finished key.
func TestRFC8448ClientAuthClient(t *testing.T) {
	step := stepper(t)
	rnd := newTraceRand(
		draw{"client random", helloRandom(hx(rfc8448.ClientAuthClientHello))},
		notInTrace("legacy_session_id", 32),
		draw{"x25519 private key", hx(rfc8448.ClientAuthClientX25519PrivateKey)},
		notInTrace("RSA-PSS salt of the client's CertificateVerify", 32),
	)
	cfg := traceClient(t, rfc8448.ClientAuthClientHello, rnd)
	chain := chainOf(t, rfc8448.ClientAuthClientCertificate)
	key := rfc8448.ServerRSAKey()
	var asked *handshake.CertRequest
	cfg.GetClientCertificate = func(r *handshake.CertRequest) (*handshake.Certificate, error) {
		asked = r
		return &handshake.Certificate{Chain: chain, Key: key}, nil
	}
	e := handshake.NewClient(cfg)
	f := step(e.Start())
	wantOrder(t, "Start", f, "ClientHello")
	wantDiff(t, "ClientHello", f.msgs[0], rfc8448.ClientAuthClientHello,
		"legacy_session_id differs",
		"renegotiation_info only in the trace",
		"record_size_limit only in the trace",
		"status_request only in Lucid's",
		"signed_certificate_timestamp only in Lucid's",
		"supported_groups differs",
		"signature_algorithms differs",
		"extension order")

	ch, sh, ee := hx(rfc8448.ClientAuthClientHello), hx(rfc8448.ClientAuthServerHello), hx(rfc8448.ClientAuthEncryptedExtensions)
	cr, scert, scv, sfin := hx(rfc8448.ClientAuthCertificateRequest), hx(rfc8448.ClientAuthServerCertificate),
		hx(rfc8448.ClientAuthServerCertificateVerify), hx(rfc8448.ClientAuthServerFinished)
	splice(t, e, ch, ch)
	f = step(e.Handle(sh))
	want(t, "server_handshake_traffic_secret (read)", f.read[handshake.LevelHandshake], rfc8448.ClientAuthServerHandshakeTrafficSecret)
	want(t, "client_handshake_traffic_secret (write)", f.write[handshake.LevelHandshake], rfc8448.ClientAuthClientHandshakeTrafficSecret)
	wantSilent(t, "EncryptedExtensions", step(e.Handle(without(t, ee, "record_size_limit"))))
	splice(t, e, nil, ch, sh, ee)
	wantSilent(t, "CertificateRequest", step(e.Handle(cr)))
	wantSilent(t, "Certificate", step(e.Handle(scert)))
	// An ECDSA P-256 signature from the trace's server, over the trace's
	// transcript.
	wantSilent(t, "CertificateVerify", step(e.Handle(scv)))
	f = step(e.Handle(sfin))
	wantOrder(t, "after the server's Finished", f, "Certificate", "CertificateVerify", "Finished")
	rnd.checkUsed(t)
	if asked == nil || !slices.Equal(asked.SignatureSchemes, traceHello(t, rfc8448.ClientAuthClientHello).SignatureSchemes) {
		t.Errorf("the client was asked with %+v, want the trace's signature_algorithms", asked)
	}
	want(t, "server_application_traffic_secret_0 (read)", f.read[handshake.LevelApplication], rfc8448.ClientAuthServerApplicationTrafficSecret)
	want(t, "client_application_traffic_secret_0 (write)", f.write[handshake.LevelApplication], rfc8448.ClientAuthClientApplicationTrafficSecret)
	ccert, ccv, cfin := f.msgs[0], f.msgs[1], f.msgs[2]
	want(t, "client Certificate", ccert, rfc8448.ClientAuthClientCertificate)
	verifyCV(t, "client CertificateVerify", ccv, rfc8448.ClientAuthClientCertificateVerify, signature.ClientContext13, key.Public(), ch, sh, ee, cr, scert, scv, sfin, ccert)
	if w := finishedWith(rfc8448.ClientAuthClientFinishedKey, ch, sh, ee, cr, scert, scv, sfin, ccert, ccv); !slices.Equal(cfin, w) {
		t.Errorf("client Finished %x, want %x (the trace's finished key over Lucid's transcript)", cfin, w)
	}
	want(t, "resumption_master_secret", e.Result().Resumption, hexOf(derived(rfc8448.ClientAuthMasterSecret, "res master", ch, sh, ee, cr, scert, scv, sfin, ccert, ccv, cfin)))
}
