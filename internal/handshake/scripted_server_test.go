package handshake_test

// A hand-written server flight, built from the key schedule directly, for
// what the real server engine never sends: a CertificateRequest.

import (
	"bytes"
	crand "crypto/rand"
	"hash"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/keys"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

type scriptedServer struct {
	suite *suites.Suite
	leaf  *testpki.Leaf
	// extra are inserted after EncryptedExtensions, into the transcript.
	extra [][]byte
	// entry, if set, changes the leaf's CertificateEntry.
	entry func(*wire.CertificateEntry)

	tr           hash.Hash
	clientSecret []byte
}

// flight answers the ClientHello msg with a complete, correctly keyed
// server flight.
func (sc *scriptedServer) flight(t *testing.T, msg []byte) [][]byte {
	t.Helper()
	ch, err := wire.ParseClientHello(msg[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	ks := ch.KeyShares[0]
	share, shared, err := kex.Respond(ks.Group, crand.Reader, ks.Data, false)
	if err != nil {
		t.Fatal(err)
	}
	sh := &wire.ServerHello{
		LegacyVersion:    0x0303,
		SessionID:        ch.SessionID,
		CipherSuite:      sc.suite.ID,
		SupportedVersion: version.TLS13,
		KeyShare:         wire.KeyShare{Group: ks.Group, Data: share},
	}
	crand.Read(sh.Random[:])
	sc.tr = sc.suite.Hash.New()
	var out [][]byte
	add := func(m []byte) {
		sc.tr.Write(m)
		out = append(out, m)
	}
	sc.tr.Write(msg)
	add(sh.Marshal())
	hs := keys.NewEarlySecret(sc.suite.Hash, nil).Handshake(shared)
	sc.clientSecret = hs.ClientTraffic(sc.tr.Sum(nil))
	ss := hs.ServerTraffic(sc.tr.Sum(nil))
	add((&wire.EncryptedExtensions{}).Marshal())
	for _, m := range sc.extra {
		add(m)
	}
	entry := wire.CertificateEntry{Data: sc.leaf.Chain[0]}
	if sc.entry != nil {
		sc.entry(&entry)
	}
	add((&wire.Certificate{Entries: []wire.CertificateEntry{entry}}).Marshal())
	scheme, ok := signature.Choose(sc.leaf.Key.Public(), version.TLS13, signature.Default13, u16s(ch.SignatureSchemes))
	if !ok {
		t.Fatal("no scheme")
	}
	sig, err := signature.Sign(crand.Reader, sc.leaf.Key, scheme, signature.Content13(signature.ServerContext13, sc.tr.Sum(nil)))
	if err != nil {
		t.Fatal(err)
	}
	add((&wire.CertificateVerify{Scheme: uint16(scheme), Signature: sig}).Marshal())
	add((&wire.Finished{VerifyData: keys.FinishedMAC(sc.suite.Hash, ss, sc.tr.Sum(nil))}).Marshal())
	return out
}

func u16s(in []uint16) []signature.Scheme {
	out := make([]signature.Scheme, len(in))
	for i, v := range in {
		out[i] = signature.Scheme(v)
	}
	return out
}

// runScripted starts a client, feeds it the scripted flight and returns the
// messages it answers with, or its error.
func runScripted(t *testing.T, sc *scriptedServer) ([][]byte, error) {
	t.Helper()
	c := handshake.NewClient(clientConfig())
	acts, err := c.Start()
	if err != nil {
		t.Fatal(err)
	}
	var hello []byte
	for _, a := range acts {
		if a.Kind == handshake.SendHandshake {
			hello = a.Data
		}
	}
	var answer [][]byte
	for _, m := range sc.flight(t, hello) {
		acts, err := c.Handle(m)
		if err != nil {
			return nil, err
		}
		for _, a := range acts {
			if a.Kind == handshake.SendHandshake {
				for rest := a.Data; len(rest) > 0; {
					_, n, _ := wire.Header(rest)
					answer = append(answer, bytes.Clone(rest[:wire.HeaderLen+n]))
					rest = rest[wire.HeaderLen+n:]
				}
			}
		}
	}
	if !c.Done() {
		t.Fatalf("client not done after the scripted flight")
	}
	return answer, nil
}

func TestScriptedServerBaseline(t *testing.T) {
	sc := &scriptedServer{suite: suites.Lookup13(suites.TLS_AES_128_GCM_SHA256), leaf: testLeaf(t, testpki.Ed25519)}
	answer, err := runScripted(t, sc)
	if err != nil {
		t.Fatal(err)
	}
	want := (&wire.Finished{VerifyData: keys.FinishedMAC(sc.suite.Hash, sc.clientSecret, sc.tr.Sum(nil))}).Marshal()
	if len(answer) != 1 || !bytes.Equal(answer[0], want) {
		t.Fatalf("client answered %x, want its Finished %x", answer, want)
	}
}

// RFC 8446 §4.4.2: a client without a certificate answers a
// CertificateRequest with an empty Certificate carrying the request's
// context, then its Finished over a transcript that includes both.
func TestClientAnswersCertificateRequest(t *testing.T) {
	cr := &wire.CertificateRequest{SignatureSchemes: []uint16{uint16(signature.Ed25519)}}
	sc := &scriptedServer{
		suite: suites.Lookup13(suites.TLS_AES_256_GCM_SHA384),
		leaf:  testLeaf(t, testpki.ECDSAP256),
		extra: [][]byte{cr.Marshal()},
	}
	answer, err := runScripted(t, sc)
	if err != nil {
		t.Fatal(err)
	}
	empty := (&wire.Certificate{}).Marshal()
	sc.tr.Write(empty)
	fin := (&wire.Finished{VerifyData: keys.FinishedMAC(sc.suite.Hash, sc.clientSecret, sc.tr.Sum(nil))}).Marshal()
	if len(answer) != 2 || !bytes.Equal(answer[0], empty) || !bytes.Equal(answer[1], fin) {
		t.Fatalf("client answered %x, want empty Certificate %x and Finished %x", answer, empty, fin)
	}
}

func TestClientRejectsSecondCertificateRequest(t *testing.T) {
	cr := (&wire.CertificateRequest{SignatureSchemes: []uint16{uint16(signature.Ed25519)}}).Marshal()
	sc := &scriptedServer{
		suite: suites.Lookup13(suites.TLS_AES_128_GCM_SHA256),
		leaf:  testLeaf(t, testpki.ECDSAP256),
		extra: [][]byte{cr, cr},
	}
	_, err := runScripted(t, sc)
	wantAlert(t, err, alert.UnexpectedMessage)
}

// RFC 8446 §4.3.2: certificate_request_context "SHALL be zero length unless
// used for the post-handshake authentication exchanges".
func TestClientRejectsCertificateRequestContextInHandshake(t *testing.T) {
	cr := (&wire.CertificateRequest{Context: []byte{7, 7}, SignatureSchemes: []uint16{uint16(signature.Ed25519)}}).Marshal()
	sc := &scriptedServer{
		suite: suites.Lookup13(suites.TLS_AES_128_GCM_SHA256),
		leaf:  testLeaf(t, testpki.ECDSAP256),
		extra: [][]byte{cr},
	}
	_, err := runScripted(t, sc)
	wantAlert(t, err, alert.IllegalParameter)
}

func suitesAES128() *suites.Suite { return suites.Lookup13(suites.TLS_AES_128_GCM_SHA256) }
