package handshake_test

import (
	"bytes"
	crand "crypto/rand"
	"crypto/sha256"
	"testing"
	"time"

	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/keys"
	"lucid/internal/session"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

// Every shape in the table is run here by the real engines, and both
// report it in Result.Shape. The one exception is tls13-hrr-psk-ke, which
// Lucid's server never produces (psk_ke needs no group, so it never asks
// for one); the client meets it from other servers, and
// TestShapeTLS13HRRPSKOnlyClient plays such a server.

// wantShape checks that a finished conversation's engines both name want.
func wantShape(t *testing.T, cv *rconv, want handshake.Shape) {
	t.Helper()
	if !cv.c.e.Done() || !cv.s.e.Done() {
		t.Fatalf("conversation ended with client done=%v, server done=%v", cv.c.e.Done(), cv.s.e.Done())
	}
	if got := cv.c.e.Result().Shape; got != want {
		t.Errorf("client reports shape %s, want %s", got, want)
	}
	if got := cv.s.e.Result().Shape; got != want {
		t.Errorf("server reports shape %s, want %s", got, want)
	}
}

// clientAuth makes the server ask for a certificate (required when the
// client has one to give) and gives the client alice's when withCert.
func clientAuth(t *testing.T, withCert bool) func(c, s *handshake.Config) {
	return func(c, s *handshake.Config) {
		s.ClientAuth = handshake.RequestClientAuth
		if withCert {
			s.ClientAuth = handshake.RequireClientAuth
			withClientCert(t, c)
		}
	}
}

// retry makes the server want a group the client sent no share for.
func retry(c, s *handshake.Config) { s.Groups = []uint16{kex.P384} }

func both(fns ...func(c, s *handshake.Config)) func(c, s *handshake.Config) {
	return func(c, s *handshake.Config) {
		for _, fn := range fns {
			fn(c, s)
		}
	}
}

func TestShapesFull13(t *testing.T) {
	for _, tc := range []struct {
		want handshake.Shape
		fn   func(c, s *handshake.Config)
	}{
		{handshake.ShapeTLS13Full, nil},
		{handshake.ShapeTLS13ClientAuth, clientAuth(t, true)},
		{handshake.ShapeTLS13ClientAuthNoCert, clientAuth(t, false)},
		{handshake.ShapeTLS13HRR, retry},
		{handshake.ShapeTLS13HRRClientAuth, both(retry, clientAuth(t, true))},
		{handshake.ShapeTLS13HRRClientAuthNoCert, both(retry, clientAuth(t, false))},
	} {
		t.Run(tc.want.String(), func(t *testing.T) {
			ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
			if tc.fn != nil {
				tc.fn(ccfg, scfg)
			}
			cv := newRConv(t, ccfg, scfg)
			cv.mustRun()
			check13(t, cv)
			wantShape(t, cv, tc.want)
			sr := cv.s.e.Result()
			if withCert := tc.want == handshake.ShapeTLS13ClientAuth || tc.want == handshake.ShapeTLS13HRRClientAuth; withCert != (len(sr.PeerChain) > 0) {
				t.Errorf("server Result has a client chain of %d certificates", len(sr.PeerChain))
			}
		})
	}
}

func TestShapesResumed13(t *testing.T) {
	pskKE := func(c, s *handshake.Config) { c.PSKWithoutKeyExchange, s.PSKWithoutKeyExchange = true, true }
	for _, tc := range []struct {
		want, first handshake.Shape
		fn          func(c, s *handshake.Config)
	}{
		{handshake.ShapeTLS13PSK, handshake.ShapeTLS13Full, nil},
		{handshake.ShapeTLS13PSKOnly, handshake.ShapeTLS13Full, pskKE},
		{handshake.ShapeTLS13HRRPSK, handshake.ShapeTLS13HRR, retry},
	} {
		t.Run(tc.want.String(), func(t *testing.T) {
			env := newResume13(t)
			first, cs := env.run(tc.fn)
			wantShape(t, first, tc.first)
			env.advance(time.Minute)
			cv, _ := env.run(func(c, s *handshake.Config) {
				if tc.fn != nil {
					tc.fn(c, s)
				}
				c.Session = cs
			})
			wantShape(t, cv, tc.want)
		})
	}
}

func TestShapesTLS12(t *testing.T) {
	const rsaGCM = 0x009c
	rsa := func(c, s *handshake.Config) { c.Suites12, s.Suites12 = []uint16{rsaGCM}, []uint16{rsaGCM} }
	for _, tc := range []struct {
		want handshake.Shape
		kt   testpki.KeyType
		fn   func(c, s *handshake.Config)
	}{
		{handshake.ShapeTLS12ECDHE, testpki.ECDSAP256, nil},
		{handshake.ShapeTLS12ECDHEClientAuth, testpki.ECDSAP256, clientAuth(t, true)},
		{handshake.ShapeTLS12ECDHEClientAuthNoCert, testpki.RSA2048, clientAuth(t, false)},
		{handshake.ShapeTLS12RSA, testpki.RSA2048, rsa},
		{handshake.ShapeTLS12RSAClientAuth, testpki.RSA2048, both(rsa, clientAuth(t, true))},
		{handshake.ShapeTLS12RSAClientAuthNoCert, testpki.RSA2048, both(rsa, clientAuth(t, false))},
	} {
		t.Run(tc.want.String(), func(t *testing.T) {
			ccfg, scfg := client12(nil), server12(t, tc.kt, nil)
			if tc.fn != nil {
				tc.fn(ccfg, scfg)
			}
			cv := newRConv(t, ccfg, scfg)
			cv.mustRun()
			wantShape(t, cv, tc.want)
			if cr := cv.c.e.Result(); len(cr.PeerChain) == 0 || len(cr.PeerCerts) != len(cr.PeerChain) {
				t.Errorf("client Result: %d certificates, %d parsed", len(cr.PeerChain), len(cr.PeerCerts))
			}
		})
	}
}

// TestShapeTLS12OptionalSteps runs the optional steps of the TLS 1.2
// shapes: a stapled CertificateStatus and a NewSessionTicket.
func TestShapeTLS12OptionalSteps(t *testing.T) {
	clk := newClock()
	ccfg, scfg := client12(clk), server12(t, testpki.ECDSAP256, clk)
	l := testLeaf(t, testpki.ECDSAP256)
	scfg.GetCertificate = func(*handshake.HelloInfo) (*handshake.Certificate, error) {
		return &handshake.Certificate{Chain: l.Chain, Key: l.Key, OCSPStaple: []byte{0x30, 0}}, nil
	}
	scfg.Tickets, scfg.TicketLifetime = ticketSealer(t, 3), time.Hour
	ccfg.TicketsWanted = true
	cv := newRConv(t, ccfg, scfg)
	cv.mustRun()
	wantShape(t, cv, handshake.ShapeTLS12ECDHE)
	sent := types(cv.s.sent)
	for _, typ := range []uint8{wire.TypeCertificateStatus, wire.TypeNewSessionTicket} {
		if !bytes.Contains([]byte(sent), []byte(wire.MessageName(typ))) {
			t.Errorf("server sent %s, without %s", sent, wire.MessageName(typ))
		}
	}
}

func TestShapesResumed12(t *testing.T) {
	for _, tc := range []struct {
		name         string
		want         handshake.Shape
		ids, tickets bool
		// newTicket: the server takes tickets on the resumed run too.
		newTicket bool
	}{
		{"ticket", handshake.ShapeTLS12ResumedTicket, false, true, true},
		{"session ID", handshake.ShapeTLS12ResumedSessionID, true, false, false},
		{"session ID with a new ticket", handshake.ShapeTLS12ResumedSessionID, true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newResume12(t, testpki.ECDSAP256, tc.ids, tc.tickets)
			first := env.run(nil, nil, false, 0xc02b)
			wantShape(t, first, handshake.ShapeTLS12ECDHE)
			cs := env.last()
			env.clk.Advance(time.Minute)
			if tc.newTicket && env.tickets == nil {
				env.tickets = ticketSealer(t, 1)
			}
			cv := env.run(cs, nil, true, 0xc02b)
			wantShape(t, cv, tc.want)
			gotTicket := bytes.Contains([]byte(types(cv.s.sent)), []byte("NewSessionTicket"))
			if gotTicket != tc.newTicket {
				t.Errorf("resumed server sent %s; a new ticket: %v, want %v", types(cv.s.sent), gotTicket, tc.newTicket)
			}
		})
	}
}

// TestShapeTLS13HRRPSKOnlyClient plays a server that asks for another
// ClientHello, by cookie, and then resumes with psk_ke: a shape Lucid's
// server never takes, which the client must still complete.
func TestShapeTLS13HRRPSKOnlyClient(t *testing.T) {
	clk := newClock()
	suite := suites.Lookup13(suites.TLS_AES_128_GCM_SHA256)
	leaf := testLeaf(t, testpki.ECDSAP256)
	psk := bytes.Repeat([]byte{7}, 32)
	cs := &handshake.ClientSession{
		State: &session.State{Version: v13, Suite: suite.ID, Secret: psk, CreatedAt: clk.Now().Add(-time.Minute),
			AuthTime: clk.Now().Add(-time.Minute), Lifetime: time.Hour, ServerName: testHost,
			PeerCerts: leaf.Chain, PeerScheme: 0x0403, AgeAdd: 5},
		Ticket: []byte("a ticket"),
	}
	ccfg := clientConfig()
	ccfg.Now, ccfg.Session, ccfg.PSKWithoutKeyExchange = clk.Now, cs, true
	e := handshake.NewClient(ccfg)
	acts, err := e.Start()
	if err != nil {
		t.Fatal(err)
	}
	ch1 := splitMessages(t, acts)[0]
	hello, err := wire.ParseClientHello(ch1[wire.HeaderLen:])
	if err != nil || len(hello.PSKIdentities) != 1 {
		t.Fatalf("first ClientHello: %v, %d PSKs", err, len(hello.PSKIdentities))
	}

	tr := sha256.New()
	h1 := sha256.Sum256(ch1)
	tr.Write(wire.AppendHeader(nil, wire.TypeMessageHash, len(h1)))
	tr.Write(h1[:])
	hrr := (&wire.ServerHello{LegacyVersion: 0x0303, Random: wire.HelloRetryRequestRandom, SessionID: hello.SessionID,
		CipherSuite: suite.ID, SupportedVersion: v13, Cookie: []byte("come back")}).Marshal()
	tr.Write(hrr)
	acts, err = e.Handle(hrr)
	if err != nil {
		t.Fatalf("HelloRetryRequest: %v", err)
	}
	ch2 := splitMessages(t, acts)[0]
	tr.Write(ch2)

	sh := &wire.ServerHello{LegacyVersion: 0x0303, SessionID: hello.SessionID, CipherSuite: suite.ID,
		SupportedVersion: v13, HasPSK: true}
	crand.Read(sh.Random[:])
	shb := sh.Marshal()
	tr.Write(shb)
	hs := keys.NewEarlySecret(suite.Hash, psk).Handshake(nil)
	clientSecret, serverSecret := hs.ClientTraffic(tr.Sum(nil)), hs.ServerTraffic(tr.Sum(nil))
	ee := (&wire.EncryptedExtensions{}).Marshal()
	tr.Write(ee)
	fin := (&wire.Finished{VerifyData: keys.FinishedMAC(suite.Hash, serverSecret, tr.Sum(nil))}).Marshal()
	tr.Write(fin)
	var last []handshake.Action
	for _, m := range [][]byte{shb, ee, fin} {
		if last, err = e.Handle(m); err != nil {
			t.Fatalf("%s: %v", wire.MessageName(m[0]), err)
		}
	}
	msgs := splitMessages(t, last)
	if len(msgs) != 1 || msgs[0][0] != wire.TypeFinished {
		t.Fatalf("client answered with %d messages", len(msgs))
	}
	want := keys.FinishedMAC(suite.Hash, clientSecret, tr.Sum(nil))
	if !bytes.Equal(msgs[0][wire.HeaderLen:], want) {
		t.Fatalf("client Finished does not match the transcript")
	}
	r := e.Result()
	if !e.Done() || !r.DidResume || !r.DidHRR || r.Shape != handshake.ShapeTLS13HRRPSKOnly {
		t.Fatalf("done %v, resumed %v, HRR %v, shape %s; want %s", e.Done(), r.DidResume, r.DidHRR, r.Shape, handshake.ShapeTLS13HRRPSKOnly)
	}
	if len(r.PeerChain) == 0 || !bytes.Equal(r.PeerChain[0], leaf.Chain[0]) || r.PeerScheme != 0x0403 {
		t.Errorf("resumed client reports %d certificates and scheme %v, not the session's", len(r.PeerChain), r.PeerScheme)
	}
}
