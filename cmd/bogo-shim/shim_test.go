package main

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"lucid/internal/session"
	"lucid/internal/wire"
	"lucid/tls"
)

// writeKeyPair makes a self-signed ECDSA certificate and returns the paths
// of its PEM files, as the runner's -cert-file and -key-file would name.
func writeKeyPair(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "bogo shim test"},
		DNSNames:     []string{"test.example"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// fakeRunner stands in for the BoGo runner: it listens on loopback, starts
// the shim's run with the given flags plus -port and -shim-id, and hands
// each accepted connection, with its shim ID checked, to the caller.
type fakeRunner struct {
	t      *testing.T
	ln     net.Listener
	status chan int
	stderr *bytes.Buffer
}

const testShimID = 0x0102030405060708

func startShim(t *testing.T, flags ...string) *fakeRunner {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	args := append([]string{"-port", strconv.Itoa(port), "-shim-id", strconv.FormatUint(testShimID, 10)}, flags...)
	r := &fakeRunner{t: t, ln: ln, status: make(chan int, 1), stderr: new(bytes.Buffer)}
	go func() { r.status <- run(args, io.Discard, r.stderr) }()
	return r
}

// accept takes the shim's next connection and checks the 8-byte
// little-endian shim ID that must open it.
func (r *fakeRunner) accept() net.Conn {
	r.t.Helper()
	r.ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	c, err := r.ln.Accept()
	if err != nil {
		r.t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var id [8]byte
	if _, err := io.ReadFull(c, id[:]); err != nil {
		r.t.Fatal(err)
	}
	if got := binary.LittleEndian.Uint64(id[:]); got != testShimID {
		r.t.Fatalf("shim ID %#x, want %#x", got, uint64(testShimID))
	}
	return c
}

func (r *fakeRunner) wait() int {
	r.t.Helper()
	select {
	case code := <-r.status:
		return code
	case <-time.After(10 * time.Second):
		r.t.Fatal("the shim did not finish")
		return -1
	}
}

// exchange writes msg and checks that the shim answers with every byte
// XORed with 0xFF.
func exchange(t *testing.T, c io.ReadWriter, msg string) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != msg[i]^0xff {
			t.Fatalf("echo %x, want the XOR of %x", got, msg)
		}
	}
}

func TestServerEchoes(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	for _, v := range []struct {
		name    string
		version uint16
	}{{"TLS12", tls.VersionTLS12}, {"TLS13", tls.VersionTLS13}} {
		t.Run(v.name, func(t *testing.T) {
			r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile,
				"-expect-version", strconv.Itoa(int(v.version)), "-read-size", "3",
				"-select-alpn", "foo", "-expect-alpn", "foo", "-expect-advertised-alpn", "\x03bar\x03foo")
			raw := r.accept()
			c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, MinVersion: v.version, MaxVersion: v.version, NextProtos: []string{"bar", "foo"}})
			exchange(t, c, "hello, shim")
			exchange(t, c, strings.Repeat("x", 2000))
			if got := c.ConnectionState().NegotiatedProtocol; got != "foo" {
				t.Errorf("ALPN %q, want foo", got)
			}
			c.Close()
			if code := r.wait(); code != 0 {
				t.Fatalf("exit %d, stderr %q", code, r.stderr)
			}
		})
	}
}

func TestServerCheckFails(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile, "-expect-version", strconv.Itoa(tls.VersionTLS13))
	c := tls.Client(r.accept(), &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	c.Handshake()
	c.Close()
	if code := r.wait(); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, r.stderr)
	}
	if !strings.Contains(r.stderr.String(), "want version 0304") {
		t.Errorf("stderr %q does not name the version mismatch", r.stderr)
	}
}

func TestClientResumesAndWritesFirst(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	server := &tls.Config{Certificates: []tls.Certificate{cert}}
	r := startShim(t, "-resume-count", "1", "-shim-writes-first", "-host-name", "test.example",
		"-on-initial-expect-curve-id", strconv.Itoa(int(tls.X25519)), "-curves", strconv.Itoa(int(tls.X25519)),
		"-export-keying-material", "16", "-export-label", "label", "-export-context", "ctx", "-use-export-context")
	for i := range 2 {
		c := tls.Server(r.accept(), server)
		km := make([]byte, 16)
		if _, err := io.ReadFull(c, km); err != nil {
			t.Fatal(err)
		}
		cs := c.ConnectionState()
		want, _ := cs.ExportKeyingMaterial("label", []byte("ctx"), 16)
		if !bytes.Equal(km, want) {
			t.Errorf("connection %d: exported %x, want %x", i, km, want)
		}
		if cs.DidResume != (i == 1) {
			t.Errorf("connection %d: DidResume %v", i, cs.DidResume)
		}
		first := make([]byte, len(hello))
		if _, err := io.ReadFull(c, first); err != nil || string(first) != hello {
			t.Fatalf("first write %q, %v", first, err)
		}
		exchange(t, c, "ping")
		c.Close()
	}
	if code := r.wait(); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, r.stderr)
	}
}

func TestUnknownFlagIsUnimplemented(t *testing.T) {
	for _, args := range [][]string{
		{"-no-such-flag"},
		{"-server", "-on-resume-frobnicate"},
		{"-dtls"},
		{"-verify-prefs", "513", "-port", "1"}, // rsa_pkcs1_sha1: refused by Lucid
		{"-max-version", "770", "-port", "1"},
		{"-curves", "25497", "-port", "1"},
		{"-cipher", "3DES", "-port", "1"},
		{"-new-delegated-credential", "-port", "1"},
		{"-on-resume-read-with-unfinished-write", "-port", "1"},
		{"-server", "-ticket-key", "AAAA", "-port", "1"},
		{"-on-resume-expect-ticket-age-skew", "5", "-port", "1"},
	} {
		var stderr bytes.Buffer
		if code := run(args, io.Discard, &stderr); code != exitUnimplemented {
			t.Errorf("%q: exit %d, want %d (stderr %q)", args, code, exitUnimplemented, &stderr)
		}
	}
}

func TestHandshakerProbe(t *testing.T) {
	var stdout bytes.Buffer
	if code := run([]string{"-is-handshaker-supported"}, &stdout, io.Discard); code != 0 || stdout.String() != "No\n" {
		t.Fatalf("exit %d, stdout %q", code, &stdout)
	}
}

func TestPrefixes(t *testing.T) {
	p, err := parseArgs([]string{"-curves", "29", "-on-resume-curves", "23", "-on-initial-expect-session-miss", "-on-shim-server", "-on-handshaker-no-ticket"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.initial.curves) != 1 || len(p.resume.curves) != 2 || len(p.retry.curves) != 1 {
		t.Errorf("curves: initial %v resume %v retry %v", p.initial.curves, p.resume.curves, p.retry.curves)
	}
	if !p.initial.expectSessionMiss || p.resume.expectSessionMiss {
		t.Error("-on-initial- leaked into resumption")
	}
	if !p.initial.server || p.initial.noTicket {
		t.Error("-on-shim-/-on-handshaker- handled wrongly")
	}
}

// TestFailureDeliversAlert sends the shim a malformed ClientHello followed
// by bytes it will never read, and writes more after the shim has failed,
// as the runner does when it pipelines records: the writes must not meet a
// TCP reset and the alert must arrive.
func TestFailureDeliversAlert(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile)
	c := r.accept()
	// A handshake record holding a ClientHello with a one-byte body.
	msg := []byte{22, 3, 3, 0, 5, 1, 0, 0, 1, 0}
	msg = append(msg, make([]byte, 64<<10)...)
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	var hdr [7]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		t.Fatalf("reading the alert: %v", err)
	}
	if hdr[0] != 21 || hdr[5] != 2 {
		t.Fatalf("got record %x, want a fatal alert", hdr)
	}
	// The shim has failed: write again, as the runner does when it has
	// more records queued. The shim drains what it will never read, so
	// the connection ends with its FIN, not a reset.
	if _, err := c.Write(make([]byte, 1024)); err != nil {
		t.Fatalf("writing after the shim failed: %v", err)
	}
	if n, err := c.Read(hdr[:]); err != io.EOF {
		t.Fatalf("after the alert: read %d bytes, %v; want the shim's clean end of stream", n, err)
	}
	c.Close()
	if code := r.wait(); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, r.stderr)
	}
}

func TestImplementedSuites(t *testing.T) {
	got := implementedSuites()
	want := []uint16{
		tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	}
	// Lucid may gain suites; those it has today must all be there, in
	// their classes' order.
	pos := map[uint16]int{}
	for i, id := range got {
		pos[id] = i
	}
	last := -1
	for _, id := range want {
		i, ok := pos[id]
		if !ok {
			t.Fatalf("%s missing from %v", tls.CipherSuiteName(id), got)
		}
		if i < last {
			t.Errorf("%s out of order in %v", tls.CipherSuiteName(id), got)
		}
		last = i
	}
}

func TestParseSCTList(t *testing.T) {
	got, err := parseSCTList([]byte{0, 9, 0, 2, 1, 2, 0, 3, 3, 4, 5})
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], []byte{1, 2}) || !bytes.Equal(got[1], []byte{3, 4, 5}) {
		t.Fatalf("got %x, %v", got, err)
	}
	for _, bad := range [][]byte{{0, 0}, {0, 2, 0, 0}, {0, 3, 0, 2, 1}, {0, 5, 0, 1, 1}} {
		if _, err := parseSCTList(bad); err == nil {
			t.Errorf("%x accepted", bad)
		}
	}
}

func TestCipherRule(t *testing.T) {
	all := implementedSuites()
	names := func(ids []uint16) string {
		var out []string
		for _, id := range ids {
			out = append(out, tls.CipherSuiteName(id))
		}
		return strings.Join(out, ":")
	}
	for rule, check := range map[string]func(string) bool{
		// Without AES only ChaCha20 suites remain, and no TLS 1.3 suite
		// is ever listed.
		"DEFAULT:!AES": func(got string) bool {
			return got != "" && !strings.Contains(got, "_AES_") && !strings.HasPrefix(got, "TLS_CHACHA20")
		},
		"AES128": func(got string) bool {
			return strings.Contains(got, "TLS_RSA_WITH_AES_128_CBC_SHA") && !strings.Contains(got, "AES_256") && !strings.Contains(got, "CHACHA")
		},
		"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:TLS_RSA_WITH_AES_128_GCM_SHA256": func(got string) bool {
			return got == "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:TLS_RSA_WITH_AES_128_GCM_SHA256"
		},
		// "-" removes for now, "!" for good.
		"TLS_RSA_WITH_AES_128_CBC_SHA:-AES:AES128": func(got string) bool {
			return strings.HasPrefix(got, "TLS_ECDHE") && strings.Contains(got, "TLS_RSA_WITH_AES_128_CBC_SHA")
		},
		"TLS_RSA_WITH_AES_128_CBC_SHA:!AES:AES128": func(got string) bool { return false },
	} {
		ids, err := cipherRule(rule, all)
		got := names(ids)
		if rule == "TLS_RSA_WITH_AES_128_CBC_SHA:!AES:AES128" {
			// Everything left was banned: BoringSSL refuses the rule.
			var u *unimplementedError
			if err == nil || errors.As(err, &u) {
				t.Errorf("%s: got %s, %v; want an error", rule, got, err)
			}
			continue
		}
		if err != nil || !check(got) {
			t.Errorf("%s: got %s, %v", rule, got, err)
		}
	}
	for _, rule := range []string{"3DES", "ALL:3DES", "[TLS_RSA_WITH_AES_128_CBC_SHA|TLS_RSA_WITH_AES_128_GCM_SHA256]", "ECDHE+AES", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"} {
		var u *unimplementedError
		if _, err := cipherRule(rule, all); !errors.As(err, &u) {
			t.Errorf("%s: %v, want unimplemented", rule, err)
		}
	}
}

// testCred makes an in-memory credential with a self-signed certificate
// for key, issued by a name of its own.
func testCred(t *testing.T, index int, key crypto.Signer, prefs ...tls.SignatureScheme) loadedCred {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(index + 2)),
		Subject:      pkix.Name{CommonName: "cred " + strconv.Itoa(index)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return loadedCred{index: index, cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, SupportedSignatureAlgorithms: prefs}}
}

func TestClientCertificateChoice(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	c384, c256, cRSA := testCred(t, 0, p384), testCred(t, 1, p256), testCred(t, noCredential, rsaKey)
	issuer, _ := x509.ParseCertificate(c256.cert.Certificate[0])
	gated := c384
	gated.mustMatchIssuer = true

	for _, tc := range []struct {
		name    string
		creds   []loadedCred
		version uint16
		schemes []tls.SignatureScheme
		cas     [][]byte
		want    int64 // credential number, or -2 for an error
	}{
		// TLS 1.3 ties each ECDSA scheme to its curve; TLS 1.2 does not.
		{"curve-13", []loadedCred{c384, c256}, tls.VersionTLS13, []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256}, nil, 1},
		{"curve-12", []loadedCred{c384, c256}, tls.VersionTLS12, []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256}, nil, 0},
		// PKCS #1 v1.5 signs only TLS 1.2 handshakes.
		{"pkcs1-13", []loadedCred{cRSA}, tls.VersionTLS13, []tls.SignatureScheme{tls.PKCS1WithSHA256}, nil, -2},
		{"pkcs1-12", []loadedCred{cRSA}, tls.VersionTLS12, []tls.SignatureScheme{tls.PKCS1WithSHA256}, nil, noCredential},
		// Signing preferences narrow the key's schemes.
		{"prefs", []loadedCred{testCred(t, 0, rsaKey, tls.PSSWithSHA384), cRSA}, tls.VersionTLS13, []tls.SignatureScheme{tls.PSSWithSHA256}, nil, noCredential},
		// Authorities matter only to a credential that asks.
		{"issuer-ignored", []loadedCred{c384}, tls.VersionTLS13, []tls.SignatureScheme{tls.ECDSAWithP384AndSHA384}, [][]byte{issuer.RawSubject}, 0},
		{"issuer-gated", []loadedCred{gated, c256}, tls.VersionTLS12, []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256}, [][]byte{issuer.RawSubject}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var selected atomic.Int64
			selected.Store(99)
			info := &tls.CertificateRequestInfo{Version: tc.version, SignatureSchemes: tc.schemes, AcceptableCAs: tc.cas}
			cert, err := clientCertificate(tc.creds, info, &selected)
			if tc.want == -2 {
				var a tls.AlertError
				if !errors.As(err, &a) || a != tls.AlertHandshakeFailure {
					t.Fatalf("chose credential %d (%v), want a handshake_failure", selected.Load(), err)
				}
				return
			}
			if err != nil || cert == nil || selected.Load() != tc.want {
				t.Fatalf("chose %d (%v), want %d", selected.Load(), err, tc.want)
			}
		})
	}
	if cert, err := clientCertificate(nil, &tls.CertificateRequestInfo{}, new(atomic.Int64)); cert != nil || err != nil {
		t.Errorf("no credentials: %v, %v; want no certificate", cert, err)
	}
}

func TestObservedALPN(t *testing.T) {
	o := newObserved()
	o.event(tls.Event{Kind: tls.EventMessageReceived, Name: "ClientHello", Fields: []tls.Field{{Key: "alpn", Value: []string{"a", "b"}}}})
	if got := deref(o.offeredALPN.Load()); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("offered %q", got)
	}
	// A second ClientHello, after HelloRetryRequest or on another
	// connection, replaces the first; one without ALPN offers nothing.
	o.event(tls.Event{Kind: tls.EventMessageReceived, Name: "ClientHello"})
	if got := o.offeredALPN.Load(); got == nil || len(*got) != 0 {
		t.Errorf("offered %v, want an empty offer", got)
	}
	o.event(tls.Event{Kind: tls.EventAlertReceived, Name: "close_notify"})
	if !o.closeNotified.Load() {
		t.Error("close_notify not noticed")
	}
}

func TestVerification(t *testing.T) {
	for _, tc := range []struct {
		name              string
		s                 settings
		resumed           bool
		wantErr, wantFail bool
	}{
		{"accepts", settings{}, false, false, false},
		// Without SSL_VERIFY_PEER a rejection is only recorded.
		{"soft", settings{verifyFail: true}, false, false, true},
		{"client-peer", settings{verifyFail: true, verifyPeer: true}, false, true, true},
		{"client-custom", settings{verifyFail: true, verifyPeer: true, customVerify: true}, false, true, true},
		{"server-require", settings{server: true, verifyFail: true, requireAnyClientCert: true}, false, true, true},
		// A client that requireAnyClientCert does not concern stays soft.
		{"client-require", settings{verifyFail: true, requireAnyClientCert: true}, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh, o, cfg := &shim{}, newObserved(), &tls.Config{}
			sh.verification(cfg, &tc.s, o)
			// Before the peer's Certificate, the chain is a session's,
			// which BoringSSL's callback never sees.
			if err := cfg.VerifyPeerCertificate(nil, nil); err != nil || o.verifyRan.Load() || o.verifyFailed.Load() {
				t.Fatalf("a session's chain went to the callback: err %v, ran %v", err, o.verifyRan.Load())
			}
			o.event(tls.Event{Kind: tls.EventMessageReceived, Name: "Certificate"})
			err := cfg.VerifyPeerCertificate(nil, nil)
			if (err != nil) != tc.wantErr || o.verifyFailed.Load() != tc.wantFail || !o.verifyRan.Load() {
				t.Fatalf("err %v, failed %v", err, o.verifyFailed.Load())
			}
			// BoringSSL's alerts: handshake_failure from the default
			// callback, certificate_unknown from a custom one.
			want := tls.AlertHandshakeFailure
			if tc.s.customVerify {
				want = tls.AlertCertificateUnknown
			}
			var a tls.AlertError
			if err != nil && (!errors.As(err, &a) || a != want) {
				t.Errorf("error %v carries alert %v, want %v", err, a, want)
			}
		})
	}

	// A resumption inherits the result of the handshake that made the
	// session, unless -reverify-on-resume runs the callback again.
	sh := &shim{}
	s := settings{verifyFail: true, expectVerifyResult: true}
	o := newObserved()
	cfg := &tls.Config{}
	sh.verification(cfg, &s, o)
	o.event(tls.Event{Kind: tls.EventMessageReceived, Name: "Certificate"})
	cfg.VerifyPeerCertificate(nil, nil)
	if err := sh.checkVerifyResult(tls.ConnectionState{}, &s, o); err != nil {
		t.Fatal(err)
	}
	resumed := tls.ConnectionState{DidResume: true}
	if err := sh.checkVerifyResult(resumed, &s, newObserved()); err != nil {
		t.Errorf("resumption lost the session's result: %v", err)
	}
	if err := sh.checkVerifyResult(resumed, &settings{expectVerifyResult: true}, newObserved()); err == nil {
		t.Error("a resumption of a failed verification reported success")
	}
	s = settings{verifyFail: true, verifyPeer: true, reverifyOnResume: true}
	cfg = &tls.Config{}
	sh.verification(cfg, &s, newObserved())
	if cfg.VerifyConnection(tls.ConnectionState{}) != nil || cfg.VerifyConnection(resumed) == nil {
		t.Error("-reverify-on-resume does not verify resumptions alone")
	}

	// A full handshake whose chain never reached the callback means the
	// Certificate event no longer comes first: the shim must not pass it.
	full := tls.ConnectionState{PeerCertificates: []*x509.Certificate{{}}}
	if err := sh.checkVerifyResult(full, &settings{}, newObserved()); err == nil {
		t.Error("a chain that skipped the callback went unnoticed")
	}
}

// TestVerificationOnResume plays a full handshake and a resumption with
// Lucid, the callback set to reject the chain on the resumption only. As
// with BoringSSL, the resumption goes ahead without the callback in both
// roles and versions (the shim itself fails if it does not resume), unless
// a client asks for -reverify-on-resume: then the resumed handshake ends in
// the custom callback's certificate_unknown.
func TestVerificationOnResume(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		for _, reverify := range []bool{false, true} {
			// A Lucid server renews a TLS 1.2 ticket on resumption.
			flags := []string{"-resume-count", "1", "-verify-peer", "-use-custom-verify-callback", "-on-resume-verify-fail",
				"-on-resume-expect-ticket-renewal"}
			if reverify {
				flags = append(flags, "-reverify-on-resume")
			}
			r := startShim(t, flags...)
			server := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: v}
			for i := range 2 {
				c := tls.Server(r.accept(), server)
				if err := c.Handshake(); err != nil {
					t.Fatalf("client %04x reverify=%v, connection %d: %v; shim exit %d, stderr %q", v, reverify, i, err, r.wait(), r.stderr)
				}
				if got := c.ConnectionState().DidResume; got != (i == 1) {
					t.Fatalf("client %04x reverify=%v, connection %d: resumed %v", v, reverify, i, got)
				}
				if i == 1 && reverify {
					_, err := c.Read(make([]byte, 1))
					var a tls.AlertError
					if !errors.As(err, &a) || a != tls.AlertCertificateUnknown {
						t.Errorf("client %04x: after a failed re-verification the server read %v, want certificate_unknown", v, err)
					}
				} else {
					exchange(t, c, "ping")
				}
				c.Close()
			}
			code := r.wait()
			if reverify && (code == 0 || !strings.Contains(r.stderr.String(), ":CERTIFICATE_VERIFY_FAILED:")) {
				t.Errorf("client %04x -reverify-on-resume: exit %d, stderr %q", v, code, r.stderr)
			}
			if !reverify && code != 0 {
				t.Errorf("client %04x: exit %d, stderr %q", v, code, r.stderr)
			}
		}

		r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile, "-resume-count", "1",
			"-verify-peer", "-require-any-client-certificate", "-on-resume-verify-fail")
		client := &tls.Config{InsecureSkipVerify: true, MaxVersion: v, Certificates: []tls.Certificate{cert},
			ClientSessionCache: tls.NewLRUClientSessionCache(1), ServerName: "test.example"}
		for i := range 2 {
			c := tls.Client(r.accept(), client)
			if err := c.Handshake(); err != nil {
				t.Fatalf("server %04x, connection %d: %v; shim exit %d, stderr %q", v, i, err, r.wait(), r.stderr)
			}
			if got := c.ConnectionState().DidResume; got != (i == 1) {
				t.Fatalf("server %04x, connection %d: resumed %v", v, i, got)
			}
			// The exchange also takes in a TLS 1.3 ticket.
			exchange(t, c, "ping")
			c.Close()
		}
		if code := r.wait(); code != 0 {
			t.Errorf("server %04x: exit %d, stderr %q", v, code, r.stderr)
		}
	}
}

func TestCheckPeerChain(t *testing.T) {
	certFile, _ := writeKeyPair(t)
	pemData, _ := os.ReadFile(certFile)
	block, _ := pem.Decode(pemData)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkPeerChain([]*x509.Certificate{cert}, certFile); err != nil {
		t.Error(err)
	}
	if err := checkPeerChain([]*x509.Certificate{cert, cert}, certFile); err == nil {
		t.Error("a longer chain matched")
	}
	other, _ := writeKeyPair(t)
	if err := checkPeerChain([]*x509.Certificate{cert}, other); err == nil {
		t.Error("another certificate matched")
	}
}

// TestResumptionDelay moves the shim's clock past the ticket's lifetime:
// the client must then not resume.
func TestResumptionDelay(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, delay := range []string{"0", "21"} {
		t.Run(delay, func(t *testing.T) {
			server := &tls.Config{Certificates: []tls.Certificate{cert}, TicketLifetime: 20 * time.Second, MinVersion: tls.VersionTLS13}
			flags := []string{"-resume-count", "1", "-resumption-delay", delay}
			if delay != "0" {
				flags = append(flags, "-on-resume-expect-session-miss")
			}
			r := startShim(t, flags...)
			for range 2 {
				c := tls.Server(r.accept(), server)
				exchange(t, c, "ping")
				c.Close()
			}
			if code := r.wait(); code != 0 {
				t.Fatalf("exit %d, stderr %q", code, r.stderr)
			}
		})
	}
}

// TestFrozenClock: the shim's clock stands still between connections, as
// BoringSSL's does, so a ticket it offers after -resumption-delay N is
// exactly N seconds old however long the test took, as
// TLS13-TestValidTicketAge-Client checks. The test server opens the ticket
// with its own key to undo ticket_age_add.
func TestFrozenClock(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		t.Fatal(err)
	}
	sealer, err := session.NewSealer([]session.TicketKey{key})
	if err != nil {
		t.Fatal(err)
	}
	for _, delay := range []int{0, 10} {
		t.Run(strconv.Itoa(delay), func(t *testing.T) {
			// The server's clock moves by the same delay, so that it
			// resumes, as the shim expects by default.
			serverNow := time.Unix(1_700_000_000, 0)
			server := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13, Time: func() time.Time { return serverNow }}
			if err := server.SetSessionTicketKeys([][32]byte{key}); err != nil {
				t.Fatal(err)
			}
			r := startShim(t, "-resume-count", "1", "-resumption-delay", strconv.Itoa(delay))
			c := tls.Server(r.accept(), server)
			exchange(t, c, "first")
			c.Close()
			serverNow = serverNow.Add(time.Duration(delay) * time.Second)
			rec := &recordingConn{Conn: r.accept()}
			c = tls.Server(rec, server)
			exchange(t, c, "second")
			if !c.ConnectionState().DidResume {
				t.Error("the second connection did not resume")
			}
			c.Close()
			if code := r.wait(); code != 0 {
				t.Fatalf("exit %d, stderr %q", code, r.stderr)
			}
			hello, err := firstClientHello(rec.read.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if len(hello.PSKIdentities) != 1 {
				t.Fatalf("%d PSK identities offered, want 1", len(hello.PSKIdentities))
			}
			id := hello.PSKIdentities[0]
			plain, err := sealer.Open(id.Identity)
			if err != nil {
				t.Fatalf("opening the offered ticket: %v", err)
			}
			st, err := session.Unmarshal(plain)
			if err != nil {
				t.Fatal(err)
			}
			if age := id.ObfuscatedTicketAge - st.AgeAdd; age != uint32(delay*1000) {
				t.Errorf("ticket age %d ms, want exactly %d", age, delay*1000)
			}
		})
	}
}

// recordingConn keeps a copy of everything read from the connection.
type recordingConn struct {
	net.Conn
	read bytes.Buffer
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Write(p[:n])
	return n, err
}

// firstClientHello reassembles the ClientHello from the plaintext
// handshake records at the start of stream.
func firstClientHello(stream []byte) (*wire.ClientHello, error) {
	var msg []byte
	for {
		if len(stream) < 5 {
			return nil, errors.New("the stream ends before the ClientHello")
		}
		if stream[0] != 22 {
			return nil, fmt.Errorf("record type %d before the ClientHello ended", stream[0])
		}
		n := int(binary.BigEndian.Uint16(stream[3:5]))
		if len(stream) < 5+n {
			return nil, errors.New("the stream ends inside a record")
		}
		msg = append(msg, stream[5:5+n]...)
		stream = stream[5+n:]
		if len(msg) < 4 {
			continue
		}
		if msg[0] != wire.TypeClientHello {
			return nil, fmt.Errorf("handshake message %d, want ClientHello", msg[0])
		}
		if body := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]); len(msg) >= 4+body {
			return wire.ParseClientHello(msg[4 : 4+body])
		}
	}
}

// TestShutdownRejectsData: after the shim's close_notify, application
// data from the peer before its own close_notify fails the connection.
func TestShutdownRejectsData(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range []bool{false, true} {
		r := startShim(t, "-shim-shuts-down", "-check-close-notify")
		c := tls.Server(r.accept(), &tls.Config{Certificates: []tls.Certificate{cert}})
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Fatalf("awaiting the shim's close_notify: %v", err)
		}
		if data {
			c.Write([]byte("late"))
		}
		c.CloseWrite()
		code := r.wait()
		c.Close()
		if want := map[bool]int{false: 0, true: 1}[data]; code != want {
			t.Errorf("data %v: exit %d, want %d; stderr %q", data, code, want, r.stderr)
		}
		if data && !strings.Contains(r.stderr.String(), "APPLICATION_DATA_ON_SHUTDOWN") {
			t.Errorf("stderr %q does not name the error", r.stderr)
		}
	}
}

// TestServerSelectedCredential checks that the credential Lucid chooses
// is the one -expect-selected-credential sees.
func TestServerSelectedCredential(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	for _, tc := range []struct {
		expect string
		code   int
	}{{"0", 0}, {"1", 1}, {"-1", 1}} {
		r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile,
			"-new-x509-credential", "-cert-file", certFile, "-key-file", keyFile,
			"-new-x509-credential", "-cert-file", certFile, "-key-file", keyFile,
			"-expect-selected-credential", tc.expect)
		c := tls.Client(r.accept(), &tls.Config{InsecureSkipVerify: true})
		c.Handshake()
		c.Close()
		if code := r.wait(); code != tc.code {
			t.Errorf("-expect-selected-credential %s: exit %d, want %d; stderr %q", tc.expect, code, tc.code, r.stderr)
		}
	}
}

func TestEncodeSCTList(t *testing.T) {
	list := []byte{0, 9, 0, 2, 1, 2, 0, 3, 3, 4, 5}
	scts, err := parseSCTList(list)
	if err != nil {
		t.Fatal(err)
	}
	if got := encodeSCTList(scts); !bytes.Equal(got, list) {
		t.Errorf("encoded %x, want %x", got, list)
	}
	if got := encodeSCTList(nil); got != nil {
		t.Errorf("no SCTs encoded as %x", got)
	}
}

// TestSessionIDLength reads the session ID length from the start of a
// server's output, however the writes split it.
func TestSessionIDLength(t *testing.T) {
	hello := []byte{22, 3, 3, 0, 80, 2, 0, 0, 76, 3, 3}
	hello = append(hello, make([]byte, 32)...)
	hello = append(hello, 32)
	hello = append(hello, make([]byte, 40)...)
	server, client := net.Pipe()
	defer client.Close()
	go io.Copy(io.Discard, client)
	r := &tapConn{Conn: server}
	for _, part := range [][]byte{hello[:3], hello[3:20], hello[20:]} {
		if _, err := r.Write(part); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := r.sessionIDLength(); n != 32 || err != nil {
		t.Errorf("length %d, %v; want 32", n, err)
	}
	alert := &tapConn{head: []byte{21, 3, 3, 0, 2, 2, 40}}
	if _, err := alert.sessionIDLength(); err == nil {
		t.Error("an alert read as a ServerHello")
	}
}

func TestCheckSessionID(t *testing.T) {
	head := func(n byte) *tapConn {
		h := append([]byte{22, 3, 3, 0, 80, 2, 0, 0, 76, 3, 3}, make([]byte, 32)...)
		return &tapConn{head: append(h, n)}
	}
	tls12 := tls.ConnectionState{Version: tls.VersionTLS12}
	tls13 := tls.ConnectionState{Version: tls.VersionTLS13}
	for _, tc := range []struct {
		name string
		cs   tls.ConnectionState
		rec  *tapConn
		s    settings
		ok   bool
	}{
		{"id-expected", tls12, head(32), settings{expectSessionID: true}, true},
		{"id-missing", tls12, head(0), settings{expectSessionID: true}, false},
		{"none-expected", tls12, head(0), settings{expectNoSessionID: true}, true},
		{"id-unexpected", tls12, head(32), settings{expectNoSessionID: true}, false},
		// TLS 1.3 echoes the client's legacy session ID and caches nothing.
		{"tls13", tls13, head(32), settings{expectNoSessionID: true}, true},
		{"tls13-expected", tls13, head(32), settings{expectSessionID: true}, false},
		{"unasked", tls12, &tapConn{}, settings{}, true},
	} {
		if err := checkSessionID(tc.cs, &tc.s, tc.rec); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestCheckNewSession(t *testing.T) {
	full := tls.ConnectionState{Version: tls.VersionTLS12}
	resumed := tls.ConnectionState{Version: tls.VersionTLS12, DidResume: true}
	renewed := newObserved()
	renewed.renewedTicket.Store(true)
	for _, tc := range []struct {
		name   string
		cs     tls.ConnectionState
		s      settings
		o      *observed
		stored bool
		ok     bool
	}{
		{"full", full, settings{}, newObserved(), true, true},
		{"full-nothing-stored", full, settings{}, newObserved(), false, false},
		{"no-session", full, settings{expectNoSession: true}, newObserved(), false, true},
		{"no-session-stored", full, settings{expectNoSession: true}, newObserved(), true, false},
		// Lucid stores a resumed session again; that is no new session.
		{"resumed-kept", resumed, settings{}, newObserved(), true, true},
		{"resumed-renewed", resumed, settings{expectTicketRenewal: true}, renewed, true, true},
		{"renewal-missing", resumed, settings{expectTicketRenewal: true}, newObserved(), true, false},
		{"renewal-unexpected", resumed, settings{}, renewed, true, false},
		{"tls13", tls.ConnectionState{Version: tls.VersionTLS13}, settings{expectNoSession: true}, newObserved(), true, true},
		{"server", full, settings{server: true}, newObserved(), false, true},
	} {
		if err := checkNewSession(tc.cs, &tc.s, tc.o, tc.stored); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestObservedTickets: only a NewSessionTicket that carries a ticket
// renews the session, and a ClientHello's status_request is noticed.
func TestObservedTickets(t *testing.T) {
	o := newObserved()
	o.event(tls.Event{Kind: tls.EventMessageReceived, Name: "NewSessionTicket", Fields: []tls.Field{{Key: "ticket_bytes", Value: 0}}})
	if o.renewedTicket.Load() {
		t.Error("an empty ticket counted as a renewal")
	}
	o.event(tls.Event{Kind: tls.EventMessageReceived, Name: "NewSessionTicket", Fields: []tls.Field{{Key: "ticket_bytes", Value: 100}}})
	if !o.renewedTicket.Load() {
		t.Error("a ticket did not count as a renewal")
	}
	o.event(tls.Event{Kind: tls.EventMessageReceived, Name: "ClientHello", Fields: []tls.Field{{Key: "extensions", Value: []string{"server_name", "status_request"}}}})
	if !o.offeredStatus.Load() {
		t.Error("status_request not noticed")
	}
	o.event(tls.Event{Kind: tls.EventMessageReceived, Name: "ClientHello", Fields: []tls.Field{{Key: "extensions", Value: []string{"server_name"}}}})
	if o.offeredStatus.Load() {
		t.Error("a second ClientHello without status_request kept the first's")
	}
}

// TestStapledValues: a resumption reports the session's OCSP response and
// SCT list unless Lucid reports its own, which the check then compares.
func TestStapledValues(t *testing.T) {
	sh := &shim{}
	s := &settings{expectOCSP: []byte("ocsp"), expectSCTList: []byte{0, 3, 0, 1, 9}}
	full := tls.ConnectionState{OCSPResponse: []byte("ocsp"), SignedCertificateTimestamps: [][]byte{{9}}}
	if err := sh.checkStapled(full, s); err != nil {
		t.Fatal(err)
	}
	if err := sh.checkStapled(tls.ConnectionState{DidResume: true}, s); err != nil {
		t.Errorf("resumption lost the session's values: %v", err)
	}
	other := tls.ConnectionState{DidResume: true, SignedCertificateTimestamps: [][]byte{{8}}}
	if err := sh.checkStapled(other, s); err == nil {
		t.Error("an SCT list Lucid reported on resumption was not checked")
	}
	if err := sh.checkStapled(tls.ConnectionState{}, s); err == nil {
		t.Error("a full handshake without a staple passed")
	}
	if err := sh.checkStapled(tls.ConnectionState{}, &settings{server: true, expectOCSP: []byte("x")}); err != nil {
		t.Errorf("a server checked a staple: %v", err)
	}
}

func TestServerStapling(t *testing.T) {
	load := func() []loadedCred {
		return []loadedCred{
			{index: 0, cert: tls.Certificate{OCSPStaple: []byte("new")}},
			{index: noCredential, cert: tls.Certificate{OCSPStaple: []byte("default")}},
		}
	}
	for _, tc := range []struct {
		name string
		s    settings
		want []string
	}{
		{"plain", settings{}, []string{"new", "default"}},
		{"callback-sets", settings{useOCSPCallback: true, setOCSPInCallback: true}, []string{"new", "default"}},
		// Without the callback, the default staple is never set.
		{"no-callback", settings{setOCSPInCallback: true}, []string{"new", ""}},
		{"decline", settings{useOCSPCallback: true, declineOCSPCallback: true}, []string{"", ""}},
		// Declining without the callback installed does nothing.
		{"decline-unused", settings{declineOCSPCallback: true}, []string{"new", "default"}},
	} {
		creds := load()
		serverStapling(creds, &tc.s)
		for i, c := range creds {
			if string(c.cert.OCSPStaple) != tc.want[i] {
				t.Errorf("%s: credential %d staples %q, want %q", tc.name, i, c.cert.OCSPStaple, tc.want[i])
			}
		}
	}
}

func TestOCSPCallbacksFail(t *testing.T) {
	o := newObserved()
	s := settings{useOCSPCallback: true, failOCSPCallback: true}
	get := serverHook(&s, o, []tls.Certificate{{}}, nil)
	if cert, err := get(&tls.ClientHelloInfo{}); cert != nil || err != nil {
		t.Errorf("without status_request: %v, %v; want Lucid to choose", cert, err)
	}
	o.offeredStatus.Store(true)
	_, err := get(&tls.ClientHelloInfo{})
	var a tls.AlertError
	if !errors.As(err, &a) || a != tls.AlertInternalError || !strings.Contains(err.Error(), ":OCSP_CB_ERROR:") {
		t.Errorf("with status_request: %v", err)
	}

	// A client's callback runs only with stapling enabled, and fails
	// with bad_certificate_status_response.
	for _, enable := range []bool{false, true} {
		cfg := &tls.Config{}
		s := settings{enableOCSP: enable, useOCSPCallback: true, failOCSPCallback: true}
		o := newObserved()
		(&shim{}).verification(cfg, &s, o)
		// Not for a session's chain, as BoringSSL's resumptions skip
		// the callback.
		if err := cfg.VerifyPeerCertificate(nil, nil); err != nil {
			t.Errorf("the callback ran for a session: %v", err)
		}
		o.event(tls.Event{Kind: tls.EventMessageReceived, Name: "Certificate"})
		err := cfg.VerifyPeerCertificate(nil, nil)
		if !enable {
			if err != nil {
				t.Errorf("the callback ran without -enable-ocsp-stapling: %v", err)
			}
			continue
		}
		if !errors.As(err, &a) || a != tls.AlertError(113) {
			t.Errorf("client callback: %v", err)
		}
	}
}

// TestClientStapling runs the shim as a client against a Lucid server that
// staples: the values must match on the full handshake and, from the
// session, on the resumption. A Lucid server renews a TLS 1.2 ticket on
// resumption, which the client must count as a new session.
func TestClientStapling(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	cert.OCSPStaple = []byte("staple")
	cert.SignedCertificateTimestamps = [][]byte{{1, 2, 3}}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		server := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: v}
		r := startShim(t, "-resume-count", "1", "-enable-ocsp-stapling", "-enable-signed-cert-timestamps",
			"-expect-ocsp-response", "c3RhcGxl", "-expect-signed-cert-timestamps", "AAUAAwECAw==",
			"-on-resume-expect-ticket-renewal")
		for range 2 {
			c := tls.Server(r.accept(), server)
			if err := c.Handshake(); err != nil {
				t.Fatalf("version %04x: %v; shim exit %d, stderr %q", v, err, r.wait(), r.stderr)
			}
			exchange(t, c, "ping")
			c.Close()
		}
		if code := r.wait(); code != 0 {
			t.Fatalf("version %04x: exit %d, stderr %q", v, code, r.stderr)
		}
	}
}

// TestServerSessionID: Lucid's TLS 1.2 server caches a session under the
// ID its ServerHello carries, which -expect-session-id sees.
func TestServerSessionID(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	for _, flag := range []string{"-expect-session-id", "-expect-no-session-id"} {
		r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile, flag)
		c := tls.Client(r.accept(), &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12, SessionTicketsDisabled: true})
		if err := c.Handshake(); err != nil {
			t.Fatalf("%s: %v; shim exit %d, stderr %q", flag, err, r.wait(), r.stderr)
		}
		c.Write([]byte("x"))
		c.Read(make([]byte, 1))
		c.Close()
		want := map[string]int{"-expect-session-id": 0, "-expect-no-session-id": 1}[flag]
		if code := r.wait(); code != want {
			t.Errorf("%s: exit %d, want %d; stderr %q", flag, code, want, r.stderr)
		}
	}
}

// TestServerHook: the callbacks BoringSSL runs before choosing the
// server's credential, in its order, each with its error and alert.
func TestServerHook(t *testing.T) {
	certs := []tls.Certificate{{OCSPStaple: []byte("one")}}
	prefs := []tls.SignatureScheme{tls.PSSWithSHA256, tls.Ed25519}
	for _, tc := range []struct {
		name  string
		s     settings
		certs []tls.Certificate
		code  string
		alert tls.AlertError
		mine  bool
	}{
		{"lucid-chooses", settings{}, certs, "", 0, false},
		{"early-installs", settings{useEarlyCallback: true}, certs, "", 0, true},
		{"none", settings{}, nil, "no certificate", tls.AlertHandshakeFailure, false},
		{"early-fails", settings{failEarlyCallback: true, failCertCallback: true}, certs, ":CONNECTION_REJECTED:", tls.AlertHandshakeFailure, false},
		{"cert-fails", settings{failCertCallback: true}, certs, ":CERT_CB_ERROR:", tls.AlertInternalError, false},
		{"prefs-match", settings{expectPeerVerifyPrefs: []int{0x0804, 0x0807}}, certs, "", 0, false},
		{"prefs-differ", settings{expectPeerVerifyPrefs: []int{0x0807, 0x0804}}, certs, "verify preferences", 0, false},
	} {
		cert, err := serverHook(&tc.s, newObserved(), tc.certs, nil)(&tls.ClientHelloInfo{SignatureSchemes: prefs})
		if tc.code == "" {
			if err != nil || (cert != nil) != tc.mine {
				t.Errorf("%s: %v, %v", tc.name, cert, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.code) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			continue
		}
		var a tls.AlertError
		if tc.alert != 0 && errors.As(err, &a) && a != tc.alert {
			t.Errorf("%s: alert %v, want %v", tc.name, a, tc.alert)
		}
	}
}

func TestCheckCertificateRequest(t *testing.T) {
	info := &tls.CertificateRequestInfo{
		SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256},
		CertificateTypes: []uint8{2, 1, 64},
		AcceptableCAs:    [][]byte{{0x30, 0}, {0x30, 1, 5}},
	}
	for _, tc := range []struct {
		name string
		s    settings
		ok   bool
	}{
		{"nothing", settings{}, true},
		{"all", settings{expectPeerVerifyPrefs: []int{0x0403}, expectCertificateTypes: []byte{2, 1, 64}, expectClientCAList: "3000,300105"}, true},
		{"prefs", settings{expectPeerVerifyPrefs: []int{0x0804}}, false},
		{"types", settings{expectCertificateTypes: []byte{1, 64}}, false},
		{"names", settings{expectClientCAList: "3000"}, false},
		{"bad-hex", settings{expectClientCAList: "3x"}, false},
	} {
		if err := checkCertificateRequest(info, &tc.s); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// The callback checks before it fails or chooses.
	s := settings{failCertCallback: true}
	if _, err := clientHook(&s, newObserved(), nil)(info); err == nil || !strings.Contains(err.Error(), ":CERT_CB_ERROR:") {
		t.Errorf("-fail-cert-callback: %v", err)
	}
}

// TestExtraHandshake: a second Handshake call on a finished connection
// does no I/O, which -no-op-extra-handshake checks.
func TestExtraHandshake(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile, "-no-op-extra-handshake", "-handshake-twice")
		c := tls.Client(r.accept(), &tls.Config{InsecureSkipVerify: true, MaxVersion: v})
		exchange(t, c, "ping")
		c.Close()
		if code := r.wait(); code != 0 {
			t.Errorf("version %04x: exit %d, stderr %q", v, code, r.stderr)
		}
	}
}

// TestClientCAPool: the pool's subjects are the names given, in order,
// and BoringSSL's absent and empty lists give no pool.
func TestClientCAPool(t *testing.T) {
	a, _ := asn1Name("alpha")
	b, _ := asn1Name("beta")
	pool, err := clientCAPool(hex.EncodeToString(a) + "," + hex.EncodeToString(b))
	if err != nil {
		t.Fatal(err)
	}
	got := pool.Subjects() //nolint:staticcheck // the pool is built here, not the system's
	if !slices.EqualFunc(got, [][]byte{a, b}, bytes.Equal) {
		t.Errorf("subjects %x", got)
	}
	for _, none := range []string{"", "<NULL>", "<EMPTY>"} {
		if pool, err := clientCAPool(none); pool != nil || err != nil {
			t.Errorf("%q: %v, %v", none, pool, err)
		}
	}
}

// asn1Name is the DER of a distinguished name with one common name.
func asn1Name(cn string) ([]byte, error) {
	return asn1.Marshal(pkix.Name{CommonName: cn}.ToRDNSequence())
}

// TestConfigPatterns checks config.json as the runner reads it: every
// DisabledTests pattern is one filepath.Match accepts (a bad one stops the
// runner) and gives its reason, and the version and renegotiation
// patterns disable the tests that need TLS 1.0, TLS 1.1 or renegotiation
// while leaving running those that check Lucid refuses them. The names
// are tests of BoringSSL's runner at f51d8b099832.
func TestConfigPatterns(t *testing.T) {
	data, err := os.ReadFile("config.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		DisabledTests map[string]string
		ErrorMap      map[string][]string
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	for p, why := range cfg.DisabledTests {
		if _, err := filepath.Match(p, ""); err != nil {
			t.Errorf("pattern %q: %v", p, err)
		}
		if strings.TrimSpace(why) == "" {
			t.Errorf("pattern %q gives no reason", p)
		}
	}
	disabledBy := func(name string) []string {
		var by []string
		for p := range cfg.DisabledTests {
			if ok, _ := filepath.Match(p, name); ok {
				by = append(by, p)
			}
		}
		return by
	}
	for _, name := range []string{
		"NoSSL3-Client", "NoSSL3-Client-Unsolicited", "NoSSL3-Server",
		"MinimumVersion-Client-TLS12-TLS1-TLS", "MinimumVersion-Server2-TLS13-TLS11-TLS",
		"MinimumVersion-Client2-TLS1-TLS13-TLS", "MinimumVersion-Server-TLS11-TLS12-TLS",
		"DuplicateExtensionServer-TLS-TLS1", "DuplicateExtensionServer-TLS-TLS11",
		"Renegotiate-Server-NoExt", "Renegotiate-Server-NoExt-SCSV",
		"RenegotiationInfo-Forbidden-TLS13", "Shutdown-Shim-Renegotiate-Server-Forbidden-TLS-Sync",
		"VersionNegotiation-Server-TLS13-TLS13-TLS", "DuplicateExtensionServer-TLS-TLS12",
		"RSAKeyUsage-Client-WantEncipherment-GotEnciphermentTLS12",
	} {
		if by := disabledBy(name); len(by) > 0 {
			t.Errorf("%s is disabled by %q", name, by)
		}
	}
	for _, name := range []string{
		"MinimumVersion-Client-TLS1-TLS1-TLS", "MinimumVersion-Server2-TLS1-TLS11-TLS",
		"MinimumVersion-Client2-TLS11-TLS11-TLS", "DuplicateExtensionClient-TLS-TLS1",
		"DuplicateExtensionClient-TLS-TLS11", "TLS-TLS1-RSA_WITH_AES_128_CBC_SHA-server",
		"TLS1-Client-ClientAuth-RSA", "TLS11-Server-ClientAuth-ECDSA",
		"VersionNegotiation-Client-TLS13-TLS1-TLS", "ALPNServer-TLS-TLS11",
		"RSAKeyUsage-Client-WantEncipherment-GotEnciphermentTLS1",
		"RSAKeyUsage-Client-WantEncipherment-GotEnciphermentTLS11",
		"Renegotiate-Client", "Renegotiate-Client-NoIgnore", "Renegotiation-CertificateChange",
		"Renegotiate-Server-Forbidden", "Peek-Renegotiate",
	} {
		if len(disabledBy(name)) == 0 {
			t.Errorf("%s is not disabled", name)
		}
	}
}

// TestForeignKeyAlgorithm: a credential whose key Lucid cannot sign with
// (the runner's ML-DSA keys) makes the test unimplemented; a key Lucid
// has is not called foreign.
func TestForeignKeyAlgorithm(t *testing.T) {
	dir := t.TempDir()
	mldsa44 := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}
	foreign, err := asn1.Marshal(struct {
		Version    int
		Algorithm  pkix.AlgorithmIdentifier
		PrivateKey []byte
	}{0, pkix.AlgorithmIdentifier{Algorithm: mldsa44}, make([]byte, 34)})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, der []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if alg, ok := foreignKeyAlgorithm(write("mldsa.pem", foreign)); !ok || !alg.Equal(mldsa44) {
		t.Errorf("ML-DSA key: %v, %v; want its OID, true", alg, ok)
	}
	if alg, ok := foreignKeyAlgorithm(write("ecdsa.pem", ours)); ok {
		t.Errorf("ECDSA key called foreign (%v)", alg)
	}
	if _, ok := foreignKeyAlgorithm(filepath.Join(dir, "missing.pem")); ok {
		t.Error("a missing file called foreign")
	}
	c := &credential{certFile: filepath.Join(dir, "missing.pem"), keyFile: write("mldsa2.pem", foreign)}
	_, err = loadCredential(c, 0)
	var u *unimplementedError
	if !errors.As(err, &u) {
		t.Errorf("loading an ML-DSA credential: %v, want an unimplemented error", err)
	}
}
