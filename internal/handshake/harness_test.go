package handshake_test

// This file is the in-memory harness the scripted-conversation tests run on:
// a client Engine and a server Engine pass whole handshake messages to each
// other, with no record layer. The harness tracks which key each side has
// installed so it can check that every message is read under the key it was
// written under, and lets a test tamper with any message in flight.

import (
	"bytes"
	crand "crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/signature"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

const testHost = "server.example.test"

var (
	allSuites = []uint16{suites.TLS_AES_128_GCM_SHA256, suites.TLS_AES_256_GCM_SHA384, suites.TLS_CHACHA20_POLY1305_SHA256}
	allGroups = []uint16{kex.X25519MLKEM768, kex.X25519, kex.P256, kex.P384}
	certTypes = []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048, testpki.Ed25519}
)

// testPKI caches one CA and one leaf per key type for the whole test binary.
var testPKI struct {
	once   sync.Once
	ca     *testpki.CA
	err    error
	mu     sync.Mutex
	leaves map[testpki.KeyType]*testpki.Leaf
}

func testCA(t testing.TB) *testpki.CA {
	t.Helper()
	testPKI.once.Do(func() {
		testPKI.ca, testPKI.err = testpki.NewCA("Lucid handshake test CA", testpki.ECDSAP256)
		testPKI.leaves = map[testpki.KeyType]*testpki.Leaf{}
	})
	if testPKI.err != nil {
		t.Fatalf("NewCA: %v", testPKI.err)
	}
	return testPKI.ca
}

func testLeaf(t testing.TB, kt testpki.KeyType) *testpki.Leaf {
	t.Helper()
	ca := testCA(t)
	testPKI.mu.Lock()
	defer testPKI.mu.Unlock()
	if l, ok := testPKI.leaves[kt]; ok {
		return l
	}
	l, err := ca.Issue(testpki.LeafOptions{Names: []string{testHost}, KeyType: kt})
	if err != nil {
		t.Fatalf("Issue(%s): %v", kt, err)
	}
	testPKI.leaves[kt] = l
	return l
}

func clientConfig() *handshake.Config {
	return &handshake.Config{
		Rand:         crand.Reader,
		ServerName:   testHost,
		CipherSuites: allSuites,
		Groups:       []uint16{kex.X25519MLKEM768, kex.X25519, kex.P256, kex.P384},
		Schemes:      signature.Default13,
		CertSchemes:  signature.DefaultCert,
	}
}

func serverConfig(t testing.TB, kt testpki.KeyType) *handshake.Config {
	l := testLeaf(t, kt)
	return serverConfigFor(l)
}

func serverConfigFor(l *testpki.Leaf) *handshake.Config {
	return &handshake.Config{
		Rand:         crand.Reader,
		CipherSuites: allSuites,
		Groups:       []uint16{kex.X25519MLKEM768, kex.X25519, kex.P256, kex.P384},
		Schemes:      signature.Default13,
		CertSchemes:  signature.DefaultCert,
		GetCertificate: func(*handshake.HelloInfo) (*handshake.Certificate, error) {
			return &handshake.Certificate{Chain: l.Chain, Key: l.Key}, nil
		},
	}
}

// keyState is the protection one direction of one side is under.
type keyState struct {
	level  handshake.Level
	suite  uint16
	secret []byte
}

func (k keyState) equal(o keyState) bool {
	return k.level == o.level && k.suite == o.suite && bytes.Equal(k.secret, o.secret)
}

func (k keyState) String() string {
	if k.level == handshake.LevelInitial {
		return "initial"
	}
	return fmt.Sprintf("%s/%04x/%x", k.level, k.suite, k.secret[:4])
}

// side is one engine and what the harness knows about it.
type side struct {
	name   string
	e      *handshake.Engine
	rd, wr keyState
	// actions is everything the engine asked for, in order, for the
	// determinism tests; ccs counts change_cipher_spec records.
	actions []handshake.Action
	ccs     int
	sent    int // handshake messages sent
}

// inFlight is one handshake message on its way, with the key it was
// written under.
type inFlight struct {
	toClient bool
	typ      uint8
	n        int // index among messages of this type in this direction
	b        []byte
	key      keyState
}

// Msg is what a tamper function sees.
type Msg struct {
	ToClient bool
	Type     uint8
	N        int
	Bytes    []byte
}

// conv is one scripted conversation.
type conv struct {
	t    testing.TB
	c, s *side
	// tamper, if set, replaces each message in flight with the messages it
	// returns (none drops it).
	tamper func(m Msg) [][]byte
	// seen counts messages per direction and type, before tampering.
	seen map[[2]int]int
	// delivered lists every message handed to an engine, after tampering.
	delivered []Msg
	// tampered is set once tamper changed anything; from then on messages
	// may arrive out of order, so keys are no longer checked.
	tampered bool
}

func newConv(t testing.TB, ccfg, scfg *handshake.Config) *conv {
	return &conv{
		t:    t,
		c:    &side{name: "client", e: handshake.NewClient(ccfg)},
		s:    &side{name: "server", e: handshake.NewServer(scfg)},
		seen: map[[2]int]int{},
	}
}

// apply carries out one batch of actions for from and returns the messages
// it sent, each stamped with the write key in force when it was written.
func (cv *conv) apply(from *side, acts []handshake.Action) []inFlight {
	t := cv.t
	t.Helper()
	var out []inFlight
	toClient := from == cv.s
	for _, a := range acts {
		from.actions = append(from.actions, cloneAction(a))
		switch a.Kind {
		case handshake.SendHandshake:
			rest := a.Data
			if len(rest) == 0 {
				t.Errorf("%s: SendHandshake with no data", from.name)
			}
			for len(rest) > 0 {
				typ, n, ok := wire.Header(rest)
				if !ok || len(rest) < wire.HeaderLen+n {
					t.Fatalf("%s: SendHandshake data does not split into whole messages: %x", from.name, rest)
				}
				msg := append([]byte(nil), rest[:wire.HeaderLen+n]...)
				rest = rest[wire.HeaderLen+n:]
				dir := 0
				if toClient {
					dir = 1
				}
				k := [2]int{dir, int(typ)}
				out = append(out, inFlight{toClient: toClient, typ: typ, n: cv.seen[k], b: msg, key: from.wr})
				cv.seen[k]++
				from.sent++
			}
		case handshake.SendChangeCipherSpec:
			from.ccs++
		case handshake.SetReadKey, handshake.SetWriteKey:
			if a.Traffic.Suite == nil || len(a.Traffic.Secret) != a.Traffic.Suite.Hash.Size() {
				t.Fatalf("%s: TLS 1.3 key action %v without a traffic secret", from.name, a.Kind)
			}
			if (a.Kind == handshake.SetReadKey) != (a.Opener != nil) || (a.Kind == handshake.SetWriteKey) != (a.Sealer != nil) {
				t.Fatalf("%s: key action %v without exactly its protection", from.name, a.Kind)
			}
			ks := keyState{level: a.Level, suite: a.Traffic.Suite.ID, secret: a.Traffic.Secret}
			cur := &from.rd
			if a.Kind == handshake.SetWriteKey {
				cur = &from.wr
			}
			if ks.level <= cur.level {
				t.Errorf("%s: key level went from %s to %s", from.name, cur.level, ks.level)
			}
			*cur = ks
		case handshake.Flush:
		default:
			t.Errorf("%s: unknown action kind %d", from.name, a.Kind)
		}
	}
	return out
}

func cloneAction(a handshake.Action) handshake.Action {
	a.Data = append([]byte(nil), a.Data...)
	a.Traffic.Secret = append([]byte(nil), a.Traffic.Secret...)
	return a
}

// failure is an error one engine returned.
type failure struct {
	side *side
	err  error
}

// run starts the client and passes messages until both engines are done,
// or one of them fails (returned, not reported).
func (cv *conv) run() *failure {
	t := cv.t
	t.Helper()
	acts, err := cv.c.e.Start()
	if err != nil {
		return &failure{cv.c, err}
	}
	queue := cv.apply(cv.c, acts)
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		to := cv.s
		if m.toClient {
			to = cv.c
		}
		msgs := [][]byte{m.b}
		if cv.tamper != nil {
			msgs = cv.tamper(Msg{ToClient: m.toClient, Type: m.typ, N: m.n, Bytes: append([]byte(nil), m.b...)})
		}
		if len(msgs) != 1 || !bytes.Equal(msgs[0], m.b) {
			cv.tampered = true
		}
		for _, b := range msgs {
			// Once a test has tampered with the conversation, a message
			// may be read where the record layer could not have read it.
			if !cv.tampered && !to.rd.equal(m.key) {
				t.Errorf("%s reads %s under %s, but it was written under %s", to.name, wire.MessageName(m.typ), to.rd, m.key)
			}
			cv.delivered = append(cv.delivered, Msg{ToClient: m.toClient, Type: b[0], Bytes: b})
			acts, err := to.e.Handle(b)
			if err != nil {
				if acts != nil {
					t.Errorf("%s: Handle returned actions with an error", to.name)
				}
				return &failure{to, err}
			}
			queue = append(queue, cv.apply(to, acts)...)
		}
	}
	return nil
}

// mustRun runs the conversation and checks that both sides finished and
// agree on everything they established.
func (cv *conv) mustRun() {
	t := cv.t
	t.Helper()
	if f := cv.run(); f != nil {
		t.Fatalf("%s failed: %v (alert %s)", f.side.name, f.err, alert.Of(f.err))
	}
	checkAgreement(t, cv)
}

func checkAgreement(t testing.TB, cv *conv) {
	t.Helper()
	if !cv.c.e.Done() || !cv.s.e.Done() {
		t.Fatalf("conversation ended with client done=%v, server done=%v", cv.c.e.Done(), cv.s.e.Done())
	}
	cr, sr := cv.c.e.Result(), cv.s.e.Result()
	if cr.Version != version.TLS13 || sr.Version != version.TLS13 {
		t.Errorf("Version: client %#04x, server %#04x", cr.Version, sr.Version)
	}
	if cr.Suite == nil || cr.Suite != sr.Suite {
		t.Fatalf("Suite: client %v, server %v", cr.Suite, sr.Suite)
	}
	if cr.Group == 0 || cr.Group != sr.Group {
		t.Errorf("Group: client %s, server %s", kex.Name(cr.Group), kex.Name(sr.Group))
	}
	if cr.ALPN != sr.ALPN {
		t.Errorf("ALPN: client %q, server %q", cr.ALPN, sr.ALPN)
	}
	if cr.DidHRR != sr.DidHRR {
		t.Errorf("DidHRR: client %v, server %v", cr.DidHRR, sr.DidHRR)
	}
	if cr.ClientRandom != sr.ClientRandom {
		t.Errorf("ClientRandom differs")
	}
	size := cr.Suite.Hash.Size()
	for _, s := range []struct {
		name   string
		c, srv []byte
	}{
		{"ClientTraffic", cr.ClientTraffic, sr.ClientTraffic},
		{"ServerTraffic", cr.ServerTraffic, sr.ServerTraffic},
		{"Exporter", cr.Exporter, sr.Exporter},
		{"Resumption", cr.Resumption, sr.Resumption},
	} {
		if len(s.c) != size || !bytes.Equal(s.c, s.srv) {
			t.Errorf("%s: client %x, server %x (want equal, %d bytes)", s.name, s.c, s.srv, size)
		}
	}
	if bytes.Equal(cr.ClientTraffic, cr.ServerTraffic) {
		t.Errorf("client and server traffic secrets are equal")
	}
	if len(cr.PeerChain) == 0 || cr.PeerScheme == 0 {
		t.Errorf("client Result lacks PeerChain (%d certs) or PeerScheme (%v)", len(cr.PeerChain), cr.PeerScheme)
	}
	if sr.ClientHello() == nil {
		t.Errorf("server Result lacks the ClientHello")
	}
	// The record layer must end up with application keys both ways, and
	// each side's write key must be the other's read key.
	for _, p := range []struct {
		name   string
		w, r   keyState
		secret []byte
	}{
		{"client→server", cv.c.wr, cv.s.rd, cr.ClientTraffic},
		{"server→client", cv.s.wr, cv.c.rd, cr.ServerTraffic},
	} {
		if p.w.level != handshake.LevelApplication || !p.w.equal(p.r) || !bytes.Equal(p.w.secret, p.secret) {
			t.Errorf("%s: write key %s, read key %s, want the application traffic secret", p.name, p.w, p.r)
		}
	}
}

// wantAlert checks that err carries exactly alert want and says something
// more than the alert's name.
func wantAlert(t testing.TB, err error, want alert.Description) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want alert %s", want)
	}
	var ae *alert.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %q (%T) carries no alert, want %s", err, err, want)
	}
	if got := alert.Of(err); got != want {
		t.Fatalf("alert %s, want %s (error: %v)", got, want, err)
	}
	msg := err.Error()
	if ae.Err == nil || strings.TrimSpace(ae.Err.Error()) == "" || msg == want.String() {
		t.Errorf("error for alert %s has no explanation: %q", want, msg)
	}
}

// wantFailure checks that the conversation failed on side who with alert want.
func wantFailure(t testing.TB, f *failure, who string, want alert.Description) {
	t.Helper()
	if f == nil {
		t.Fatalf("handshake succeeded, want %s to fail with %s", who, want)
	}
	if f.side.name != who {
		t.Fatalf("%s failed (%v), want %s to fail with %s", f.side.name, f.err, who, want)
	}
	wantAlert(t, f.err, want)
}

// at returns a tamper function that rewrites the n-th message of type typ
// in direction toClient with fn, and passes everything else through.
func at(toClient bool, typ uint8, n int, fn func([]byte) [][]byte) func(Msg) [][]byte {
	return func(m Msg) [][]byte {
		if m.ToClient == toClient && m.Type == typ && m.N == n {
			return fn(m.Bytes)
		}
		return [][]byte{m.Bytes}
	}
}

func one(b []byte) [][]byte { return [][]byte{b} }

// The mutators below decode a message, let the test change it, and encode
// it again. Extensions is reset so Marshal writes what the fields say.

func mutServerHello(t testing.TB, fn func(*wire.ServerHello)) func([]byte) [][]byte {
	return func(b []byte) [][]byte {
		m, err := wire.ParseServerHello(b[wire.HeaderLen:])
		if err != nil {
			t.Fatalf("ParseServerHello: %v", err)
		}
		m.Extensions = nil
		fn(m)
		return one(mustMarshal(t, m.Marshal()))
	}
}

func mutClientHello(t testing.TB, fn func(*wire.ClientHello)) func([]byte) [][]byte {
	return func(b []byte) [][]byte {
		m, err := wire.ParseClientHello(b[wire.HeaderLen:])
		if err != nil {
			t.Fatalf("ParseClientHello: %v", err)
		}
		m.Extensions = nil
		fn(m)
		return one(mustMarshal(t, m.Marshal()))
	}
}

func mutEncryptedExtensions(t testing.TB, fn func(*wire.EncryptedExtensions)) func([]byte) [][]byte {
	return func(b []byte) [][]byte {
		m, err := wire.ParseEncryptedExtensions(b[wire.HeaderLen:])
		if err != nil {
			t.Fatalf("ParseEncryptedExtensions: %v", err)
		}
		m.Extensions = nil
		fn(m)
		return one(mustMarshal(t, m.Marshal()))
	}
}

func mutCertificate(t testing.TB, fn func(*wire.Certificate)) func([]byte) [][]byte {
	return func(b []byte) [][]byte {
		m, err := wire.ParseCertificate(b[wire.HeaderLen:])
		if err != nil {
			t.Fatalf("ParseCertificate: %v", err)
		}
		fn(m)
		return one(mustMarshal(t, m.Marshal()))
	}
}

func mutCertificateVerify(t testing.TB, fn func(*wire.CertificateVerify)) func([]byte) [][]byte {
	return func(b []byte) [][]byte {
		m, err := wire.ParseCertificateVerify(b[wire.HeaderLen:])
		if err != nil {
			t.Fatalf("ParseCertificateVerify: %v", err)
		}
		fn(m)
		return one(mustMarshal(t, m.Marshal()))
	}
}

func mutFinished(t testing.TB, fn func(*wire.Finished)) func([]byte) [][]byte {
	return func(b []byte) [][]byte {
		m, err := wire.ParseFinished(b[wire.HeaderLen:])
		if err != nil {
			t.Fatalf("ParseFinished: %v", err)
		}
		fn(m)
		return one(mustMarshal(t, m.Marshal()))
	}
}

func mustMarshal(t testing.TB, b []byte) []byte {
	t.Helper()
	if b == nil {
		t.Fatalf("Marshal returned nil")
	}
	return b
}

// clientHelloFrom starts a client with cfg and returns its ClientHello,
// decoded with Extensions cleared so that a test can change it and marshal
// it again.
func clientHelloFrom(t testing.TB, cfg *handshake.Config) *wire.ClientHello {
	t.Helper()
	acts, err := handshake.NewClient(cfg).Start()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	var msg []byte
	for _, a := range acts {
		if a.Kind == handshake.SendHandshake {
			msg = a.Data
		}
	}
	ch, err := wire.ParseClientHello(msg[wire.HeaderLen:])
	if err != nil {
		t.Fatalf("ParseClientHello: %v", err)
	}
	ch.Extensions = nil
	if !bytes.Equal(ch.Marshal(), msg) {
		t.Fatalf("ClientHello does not survive a parse/marshal round trip")
	}
	return ch
}

// withExtension appends a raw extension to the extension block of msg,
// whose 2-byte length sits at off, and fixes both length fields. It lets a
// test send what wire's Marshal would refuse to write.
func withExtension(msg []byte, off int, typ uint16, body []byte) []byte {
	out := append([]byte(nil), msg...)
	extLen := int(out[off])<<8 | int(out[off+1])
	extLen += 4 + len(body)
	out[off], out[off+1] = byte(extLen>>8), byte(extLen)
	out = append(out, byte(typ>>8), byte(typ), byte(len(body)>>8), byte(len(body)))
	out = append(out, body...)
	n := len(out) - wire.HeaderLen
	out[1], out[2], out[3] = byte(n>>16), byte(n>>8), byte(n)
	return out
}

// serverHelloExtOffset is where a ServerHello's extensions length is.
func serverHelloExtOffset(msg []byte) int {
	sidLen := int(msg[wire.HeaderLen+2+32])
	return wire.HeaderLen + 2 + 32 + 1 + sidLen + 2 + 1
}
