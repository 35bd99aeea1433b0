package tls_test

import (
	"bytes"
	stdtls "crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/tls"
)

// echFixture is a CA and two leaves: the real site and the public name its
// ECH configs name.
type echFixture struct {
	roots          *x509.CertPool
	secret, public tls.Certificate
	stdCerts       []stdtls.Certificate
}

const (
	echSecretName = "secret.example"
	echPublicName = "public.example"
)

func newECHFixture(t *testing.T) *echFixture {
	t.Helper()
	ca, err := testpki.NewCA("ECH test CA", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	f := &echFixture{roots: x509.NewCertPool()}
	f.roots.AddCert(ca.Cert)
	for _, n := range []string{echSecretName, echPublicName} {
		l, err := ca.Issue(testpki.LeafOptions{Names: []string{n}})
		if err != nil {
			t.Fatal(err)
		}
		c := tls.Certificate{Certificate: [][]byte{l.Cert.Raw}, PrivateKey: l.Key, Leaf: l.Cert}
		if n == echSecretName {
			f.secret = c
		} else {
			f.public = c
		}
		f.stdCerts = append(f.stdCerts, stdtls.Certificate{Certificate: [][]byte{l.Cert.Raw}, PrivateKey: l.Key, Leaf: l.Cert})
	}
	return f
}

func echKey(t *testing.T, id uint8, retry bool) tls.EncryptedClientHelloKey {
	t.Helper()
	k, err := tls.GenerateEncryptedClientHelloKey(echPublicName, id)
	if err != nil {
		t.Fatal(err)
	}
	k.SendAsRetry = retry
	return k
}

func echList(t *testing.T, keys ...tls.EncryptedClientHelloKey) []byte {
	t.Helper()
	var configs [][]byte
	for _, k := range keys {
		configs = append(configs, k.Config)
	}
	l, err := tls.MarshalECHConfigList(configs...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (f *echFixture) server(keys ...tls.EncryptedClientHelloKey) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{f.secret, f.public}, EncryptedClientHelloKeys: keys}
}

func (f *echFixture) client(list []byte) *tls.Config {
	return &tls.Config{ServerName: echSecretName, RootCAs: f.roots, EncryptedClientHelloConfigList: list}
}

// echRecorder keeps what a connection writes: the bytes an observer on the
// path sees from the client.
type echRecorder struct {
	net.Conn
	mu  sync.Mutex
	out bytes.Buffer
}

func (r *echRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.out.Write(p)
	r.mu.Unlock()
	return r.Conn.Write(p)
}

func (r *echRecorder) sent() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.out.Bytes())
}

type echSide struct {
	state tls.ConnectionState
	err   error
}

// echRun connects a client and a server over a pipe, each given as a
// function that handshakes on its end and returns its state. The
// connections are closed once both are done.
func echRun(t *testing.T, client, server func(net.Conn) echSide) (c, s echSide, wire []byte) {
	t.Helper()
	// Loopback TCP rather than net.Pipe: its buffers let both sides write
	// at once, as a server's tickets and a client's first bytes do.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	dl := testwait.Deadline(t)
	cc.SetDeadline(dl)
	sc.SetDeadline(dl)
	rec := &echRecorder{Conn: cc}
	done := make(chan echSide, 1)
	go func() {
		r := server(sc)
		sc.Close()
		done <- r
	}()
	c = client(rec)
	cc.Close()
	s = testwait.Recv(t, done, "the server's handshake")
	return c, s, rec.sent()
}

func lucidClient(cfg *tls.Config) func(net.Conn) echSide {
	return func(nc net.Conn) echSide {
		c := tls.Client(nc, cfg)
		err := c.Handshake()
		if err == nil {
			// A byte each way proves the keys agree.
			if _, err = c.Write([]byte{1}); err == nil {
				_, err = c.Read(make([]byte, 1))
			}
		}
		return echSide{c.ConnectionState(), err}
	}
}

func lucidServer(cfg *tls.Config) func(net.Conn) echSide {
	return func(nc net.Conn) echSide {
		c := tls.Server(nc, cfg)
		err := c.Handshake()
		if err == nil {
			b := make([]byte, 1)
			if _, err = c.Read(b); err == nil {
				_, err = c.Write(b)
			}
		}
		return echSide{c.ConnectionState(), err}
	}
}

func stdClient(cfg *stdtls.Config) func(net.Conn) echSide {
	return func(nc net.Conn) echSide {
		c := stdtls.Client(nc, cfg)
		err := c.Handshake()
		if err == nil {
			if _, err = c.Write([]byte{1}); err == nil {
				_, err = c.Read(make([]byte, 1))
			}
		}
		st := c.ConnectionState()
		return echSide{tls.ConnectionState{ECHAccepted: st.ECHAccepted, ServerName: st.ServerName}, err}
	}
}

func stdServer(cfg *stdtls.Config) func(net.Conn) echSide {
	return func(nc net.Conn) echSide {
		c := stdtls.Server(nc, cfg)
		err := c.Handshake()
		if err == nil {
			b := make([]byte, 1)
			if _, err = c.Read(b); err == nil {
				_, err = c.Write(b)
			}
		}
		st := c.ConnectionState()
		return echSide{tls.ConnectionState{ECHAccepted: st.ECHAccepted, ServerName: st.ServerName}, err}
	}
}

// checkPrivate asserts that the bytes the client sent name the public
// name and never the real one.
func checkPrivate(t *testing.T, sent []byte) {
	t.Helper()
	if !bytes.Contains(sent, []byte(echPublicName)) {
		t.Errorf("the client's bytes do not contain the public name %q", echPublicName)
	}
	if bytes.Contains(sent, []byte(echSecretName)) {
		t.Errorf("the client's bytes contain the real name %q in clear", echSecretName)
	}
}

func checkAccepted(t *testing.T, c, s echSide) {
	t.Helper()
	if c.err != nil || s.err != nil {
		t.Fatalf("handshake failed: client %v, server %v", c.err, s.err)
	}
	if !c.state.ECHAccepted || !s.state.ECHAccepted {
		t.Fatalf("ECHAccepted: client %v, server %v", c.state.ECHAccepted, s.state.ECHAccepted)
	}
	if s.state.ServerName != echSecretName {
		t.Errorf("server answered for %q, want %q", s.state.ServerName, echSecretName)
	}
}

type echEvents struct {
	mu     sync.Mutex
	events []tls.Event
}

func (l *echEvents) add(e tls.Event) { l.mu.Lock(); l.events = append(l.events, e); l.mu.Unlock() }

// find returns the details of the events of kind and name.
func (l *echEvents) find(kind tls.EventKind, name string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		if e.Kind == kind && e.Name == name {
			out = append(out, e.Detail)
		}
	}
	return out
}

func TestECHLucidAccepted(t *testing.T) {
	f := newECHFixture(t)
	k := echKey(t, 1, true)
	var cl, sl echEvents
	ccfg := f.client(echList(t, k))
	ccfg.Observer = cl.add
	scfg := f.server(k)
	scfg.Observer = sl.add
	c, s, sent := echRun(t, lucidClient(ccfg), lucidServer(scfg))
	checkAccepted(t, c, s)
	checkPrivate(t, sent)
	if c.state.JA4 != "" || s.state.JA4 == "" {
		t.Errorf("JA4: client %q, server %q", c.state.JA4, s.state.JA4)
	}
	for side, l := range map[string]*echEvents{"client": &cl, "server": &sl} {
		d := strings.Join(l.find(tls.EventDecision, "ech"), " | ")
		if !strings.Contains(d, "accepted") || !strings.Contains(d, echSecretName) || !strings.Contains(d, echPublicName) {
			t.Errorf("%s's ech decisions do not tell both names and acceptance: %q", side, d)
		}
	}
	if len(cl.find(tls.EventMessageSent, "ClientHelloInner")) != 1 || len(sl.find(tls.EventMessageReceived, "ClientHelloInner")) != 1 {
		t.Error("the inner hello is not among the events")
	}
	// What the wire carried and what the server used, each with its name.
	names := map[string]string{}
	for _, e := range sl.events {
		if e.Kind != tls.EventMessageReceived || (e.Name != "ClientHello" && e.Name != "ClientHelloInner") {
			continue
		}
		if e.SeedStep != 1 {
			t.Errorf("%s has seed step %d, want 1", e.Name, e.SeedStep)
		}
		for _, fl := range e.Fields {
			switch fl.Key {
			case "server_name":
				names[e.Name] = fl.Value.(string)
			case "encrypted_client_hello":
				names[e.Name+" ech"] = fl.Value.(string)
			}
		}
	}
	if names["ClientHello"] != echPublicName || names["ClientHelloInner"] != echSecretName ||
		!strings.HasPrefix(names["ClientHello ech"], "outer") || names["ClientHelloInner ech"] != "inner" {
		t.Errorf("server's hello events: %q", names)
	}
}

func TestECHLucidHelloRetry(t *testing.T) {
	f := newECHFixture(t)
	k := echKey(t, 1, true)
	scfg := f.server(k)
	scfg.CurvePreferences = []tls.CurveID{tls.CurveP256} // the client's first shares are for others
	c, s, sent := echRun(t, lucidClient(f.client(echList(t, k))), lucidServer(scfg))
	checkAccepted(t, c, s)
	checkPrivate(t, sent)
	if !c.state.DidHelloRetryRequest || !s.state.DidHelloRetryRequest {
		t.Fatal("no HelloRetryRequest happened")
	}
}

func TestECHLucidRejectedThenRetried(t *testing.T) {
	f := newECHFixture(t)
	current, stale := echKey(t, 2, true), echKey(t, 1, true)
	scfg := f.server(current)
	c, s, sent := echRun(t, lucidClient(f.client(echList(t, stale))), lucidServer(scfg))
	checkPrivate(t, sent)
	var rej *tls.ECHRejectionError
	if !errors.As(c.err, &rej) {
		t.Fatalf("client error %v, want an ECHRejectionError", c.err)
	}
	if !errors.Is(c.err, tls.AlertECHRequired) && !strings.Contains(c.err.Error(), "ECH") {
		t.Errorf("rejection error %v", c.err)
	}
	if !bytes.Equal(rej.RetryConfigList, echList(t, current)) {
		t.Fatalf("retry configs %x, want the server's current list", rej.RetryConfigList)
	}
	var te *tls.Error
	if !errors.As(s.err, &te) || !te.Remote || te.Alert != tls.AlertECHRequired {
		t.Errorf("server error %v, want the client's ech_required alert", s.err)
	}
	c, s, _ = echRun(t, lucidClient(f.client(rej.RetryConfigList)), lucidServer(scfg))
	checkAccepted(t, c, s)
}

func TestECHLucidOuterOnlyNoRetry(t *testing.T) {
	f := newECHFixture(t)
	var sl echEvents
	scfg := f.server(echKey(t, 2, false))
	scfg.Observer = sl.add
	c, _, _ := echRun(t, lucidClient(f.client(echList(t, echKey(t, 2, true)))), lucidServer(scfg))
	var rej *tls.ECHRejectionError
	if !errors.As(c.err, &rej) || len(rej.RetryConfigList) != 0 {
		t.Fatalf("client error %v, want an ECHRejectionError without retry configs", c.err)
	}
	d := strings.Join(sl.find(tls.EventDecision, "ech"), " | ")
	if !strings.Contains(d, "rejected") || !strings.Contains(d, "decryption") {
		t.Errorf("server's ech decision %q does not say decryption failed", d)
	}
	// The public name's certificate must be valid for the public name.
	bad := f.server(echKey(t, 2, false))
	bad.Certificates = []tls.Certificate{f.secret}
	c, _, _ = echRun(t, lucidClient(f.client(echList(t, echKey(t, 2, true)))), lucidServer(bad))
	if errors.As(c.err, &rej) || c.err == nil {
		t.Fatalf("client accepted a rejection from a server without the public name's certificate: %v", c.err)
	}
	// Unless the caller decides otherwise.
	ccfg := f.client(echList(t, echKey(t, 2, true)))
	called := false
	ccfg.EncryptedClientHelloRejectionVerify = func(cs tls.ConnectionState) error { called = len(cs.PeerCertificates) == 1; return nil }
	c, _, _ = echRun(t, lucidClient(ccfg), lucidServer(bad))
	if !errors.As(c.err, &rej) || !called {
		t.Fatalf("with EncryptedClientHelloRejectionVerify: %v (called %v)", c.err, called)
	}
}

func TestECHGrease(t *testing.T) {
	f := newECHFixture(t)
	for _, disabled := range []bool{false, true} {
		var sl echEvents
		scfg := f.server(echKey(t, 1, true))
		scfg.Observer = sl.add
		ccfg := f.client(nil)
		ccfg.EncryptedClientHelloGREASEDisabled = disabled
		c, s, _ := echRun(t, lucidClient(ccfg), lucidServer(scfg))
		if c.err != nil || s.err != nil {
			t.Fatalf("GREASE disabled=%v: client %v, server %v", disabled, c.err, s.err)
		}
		if c.state.ECHAccepted || s.state.ECHAccepted {
			t.Fatal("GREASE ECH reported as accepted")
		}
		d := sl.find(tls.EventDecision, "ech")
		if disabled != (len(d) == 0) {
			t.Errorf("GREASE disabled=%v: server's ech decisions %q", disabled, d)
		}
	}
	// GREASE through a HelloRetryRequest: the extension is repeated.
	scfg := f.server(echKey(t, 1, true))
	scfg.CurvePreferences = []tls.CurveID{tls.CurveP256}
	c, s, _ := echRun(t, lucidClient(f.client(nil)), lucidServer(scfg))
	if c.err != nil || s.err != nil || !c.state.DidHelloRetryRequest {
		t.Fatalf("GREASE with HRR: client %v, server %v", c.err, s.err)
	}
}

func TestECHClientRefusesTLS12(t *testing.T) {
	f := newECHFixture(t)
	k := echKey(t, 1, true)
	ccfg := f.client(echList(t, k))
	ccfg.MaxVersion = tls.VersionTLS12
	c, _, _ := echRun(t, lucidClient(ccfg), func(nc net.Conn) echSide { nc.Read(make([]byte, 1)); return echSide{} })
	if c.err == nil || !strings.Contains(c.err.Error(), "TLS 1.3") {
		t.Fatalf("client with ECH and TLS 1.2 only: %v", c.err)
	}
	scfg := f.server(k)
	scfg.MaxVersion = tls.VersionTLS12
	c, _, _ = echRun(t, lucidClient(f.client(echList(t, k))), lucidServer(scfg))
	if c.err == nil {
		t.Fatal("an ECH client completed a TLS 1.2 handshake")
	}
}

// stdECHKeys are the keys in crypto/tls's form.
func stdECHKeys(keys ...tls.EncryptedClientHelloKey) []stdtls.EncryptedClientHelloKey {
	var out []stdtls.EncryptedClientHelloKey
	for _, k := range keys {
		out = append(out, stdtls.EncryptedClientHelloKey{Config: k.Config, PrivateKey: k.PrivateKey, SendAsRetry: k.SendAsRetry})
	}
	return out
}

func TestECHCryptoTLSClientToLucid(t *testing.T) {
	f := newECHFixture(t)
	k := echKey(t, 1, true)
	for _, hrr := range []bool{false, true} {
		scfg := f.server(k)
		if hrr {
			scfg.CurvePreferences = []tls.CurveID{tls.CurveP256}
		}
		ccfg := &stdtls.Config{ServerName: echSecretName, RootCAs: f.roots, EncryptedClientHelloConfigList: echList(t, k)}
		c, s, sent := echRun(t, stdClient(ccfg), lucidServer(scfg))
		checkAccepted(t, c, s)
		checkPrivate(t, sent)
		if hrr != s.state.DidHelloRetryRequest {
			t.Errorf("HRR %v: server's DidHelloRetryRequest %v", hrr, s.state.DidHelloRetryRequest)
		}
	}
	// A stale config: crypto/tls gets Lucid's retry configs, which work.
	stale := echKey(t, 9, true)
	ccfg := &stdtls.Config{ServerName: echSecretName, RootCAs: f.roots, EncryptedClientHelloConfigList: echList(t, stale)}
	c, _, _ := echRun(t, stdClient(ccfg), lucidServer(f.server(k)))
	var rej *stdtls.ECHRejectionError
	if !errors.As(c.err, &rej) || !bytes.Equal(rej.RetryConfigList, echList(t, k)) {
		t.Fatalf("crypto/tls with a stale config: %v", c.err)
	}
	ccfg.EncryptedClientHelloConfigList = rej.RetryConfigList
	c, s, _ := echRun(t, stdClient(ccfg), lucidServer(f.server(k)))
	checkAccepted(t, c, s)
}

func TestECHLucidClientToCryptoTLS(t *testing.T) {
	f := newECHFixture(t)
	k := echKey(t, 1, true)
	std := func(keys ...tls.EncryptedClientHelloKey) *stdtls.Config {
		return &stdtls.Config{
			EncryptedClientHelloKeys: stdECHKeys(keys...),
			GetCertificate: func(h *stdtls.ClientHelloInfo) (*stdtls.Certificate, error) {
				if h.ServerName == echSecretName {
					return &f.stdCerts[0], nil
				}
				return &f.stdCerts[1], nil
			},
		}
	}
	for _, hrr := range []bool{false, true} {
		scfg := std(k)
		if hrr {
			scfg.CurvePreferences = []stdtls.CurveID{stdtls.CurveP256}
		}
		c, s, sent := echRun(t, lucidClient(f.client(echList(t, k))), stdServer(scfg))
		checkAccepted(t, c, s)
		checkPrivate(t, sent)
		if hrr != c.state.DidHelloRetryRequest {
			t.Errorf("HRR %v: client's DidHelloRetryRequest %v", hrr, c.state.DidHelloRetryRequest)
		}
	}
	stale := echKey(t, 9, true)
	c, _, _ := echRun(t, lucidClient(f.client(echList(t, stale))), stdServer(std(k)))
	var rej *tls.ECHRejectionError
	if !errors.As(c.err, &rej) || !bytes.Equal(rej.RetryConfigList, echList(t, k)) {
		t.Fatalf("stale config against crypto/tls: %v", c.err)
	}
	c, s, _ := echRun(t, lucidClient(f.client(rej.RetryConfigList)), stdServer(std(k)))
	checkAccepted(t, c, s)
	// GREASE reaches crypto/tls's ECH server and is ignored there.
	c, s, _ = echRun(t, lucidClient(f.client(nil)), stdServer(std(k)))
	if c.err != nil || s.err != nil || c.state.ECHAccepted {
		t.Fatalf("GREASE against crypto/tls: client %v, server %v", c.err, s.err)
	}
}

func TestECHGetKeys(t *testing.T) {
	f := newECHFixture(t)
	k := echKey(t, 4, true)
	var asked string
	scfg := f.server()
	scfg.GetEncryptedClientHelloKeys = func(h *tls.ClientHelloInfo) ([]tls.EncryptedClientHelloKey, error) {
		asked = h.ServerName
		return []tls.EncryptedClientHelloKey{k}, nil
	}
	c, s, _ := echRun(t, lucidClient(f.client(echList(t, k))), lucidServer(scfg))
	checkAccepted(t, c, s)
	if asked != echPublicName {
		t.Errorf("GetEncryptedClientHelloKeys saw %q, want the outer hello's %q", asked, echPublicName)
	}
	scfg.GetEncryptedClientHelloKeys = func(*tls.ClientHelloInfo) ([]tls.EncryptedClientHelloKey, error) {
		return nil, errors.New("no keys today")
	}
	c, s, _ = echRun(t, lucidClient(f.client(echList(t, k))), lucidServer(scfg))
	if c.err == nil || s.err == nil || !strings.Contains(s.err.Error(), "no keys today") {
		t.Fatalf("a failing GetEncryptedClientHelloKeys: client %v, server %v", c.err, s.err)
	}
}

// TestECHRejectedCompletesWithoutClientCertificate: a client whose ECH was
// rejected completes the handshake with the public name, sending an empty
// Certificate however a CertificateRequest asks (RFC 9849 §6.1.7), and
// only then aborts with ech_required (§6.1.6).
func TestECHRejectedCompletesWithoutClientCertificate(t *testing.T) {
	f := newECHFixture(t)
	current, stale := echKey(t, 2, true), echKey(t, 1, true)
	scfg := f.server(current)
	scfg.ClientAuth = tls.RequestClientCert
	var completed atomic.Bool
	scfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) != 0 {
			t.Errorf("the client sent %d certificates to the public name", len(cs.PeerCertificates))
		}
		completed.Store(true)
		return nil
	}
	ccfg := f.client(echList(t, stale))
	ccfg.Certificates = []tls.Certificate{f.secret}
	c, s, _ := echRun(t, lucidClient(ccfg), lucidServer(scfg))
	var rej *tls.ECHRejectionError
	if !errors.As(c.err, &rej) {
		t.Fatalf("client error %v, want an ECHRejectionError", c.err)
	}
	if !completed.Load() {
		t.Fatal("the server's handshake did not complete before the client's alert")
	}
	var te *tls.Error
	if !errors.As(s.err, &te) || !te.Remote || te.Alert != tls.AlertECHRequired {
		t.Errorf("server error %v, want the client's ech_required alert after the handshake", s.err)
	}
}

// TestECHResumption: a session made under ECH resumes under ECH, the
// ticket judged on the inner hello the server answered.
func TestECHResumption(t *testing.T) {
	f := newECHFixture(t)
	key := echKey(t, 2, true)
	scfg := f.server(key)
	ccfg := f.client(echList(t, key))
	ccfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	c, s, _ := echRun(t, lucidClient(ccfg), lucidServer(scfg))
	checkAccepted(t, c, s)
	c, s, sent := echRun(t, lucidClient(ccfg), lucidServer(scfg))
	checkAccepted(t, c, s)
	checkPrivate(t, sent)
	if !c.state.DidResume || !s.state.DidResume {
		t.Errorf("resumed: client %v, server %v; want both", c.state.DidResume, s.state.DidResume)
	}
}
