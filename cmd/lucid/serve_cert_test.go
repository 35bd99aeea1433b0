package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	stdtls "crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/tls"
)

// badServeChains writes one chain per start-up problem, each with the
// words its one-line refusal must contain.
func badServeChains(t *testing.T) (dir string, cases []badChain) {
	t.Helper()
	dir = t.TempDir()
	ca, err := testpki.NewCA("Serve Check Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	other, err := testpki.NewCA("Serve Check Stranger", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	// Same subject as ca, another key: the names chain, the signature
	// does not.
	twin, err := testpki.NewCA("Serve Check Root", testpki.ECDSAP384)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	names := []string{"localhost"}
	issue := func(ca *testpki.CA, o testpki.LeafOptions) *testpki.Leaf {
		t.Helper()
		o.Names = names
		l, err := ca.Issue(o)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	write := func(name string, certPEM, keyPEM []byte) certKeyFiles {
		t.Helper()
		p := certKeyFiles{filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")}
		if err := os.WriteFile(p.Cert, certPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p.Key, keyPEM, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := issue(ca, testpki.LeafOptions{})
	another := issue(ca, testpki.LeafOptions{})
	expired := issue(ca, testpki.LeafOptions{NotBefore: now.Add(-72 * time.Hour), NotAfter: now.Add(-24 * time.Hour)})
	future := issue(ca, testpki.LeafOptions{NotBefore: now.Add(24 * time.Hour), NotAfter: now.Add(72 * time.Hour)})
	client := issue(ca, testpki.LeafOptions{Client: true})
	cases = []badChain{
		{"expired", write("expired", expired.CertPEM, expired.KeyPEM), "expired on", true},
		{"not yet valid", write("future", future.CertPEM, future.KeyPEM), "is not valid until", true},
		{"client only", write("client", client.CertPEM, client.KeyPEM), "lacks serverAuth", true},
		{"wrong key", write("wrongkey", good.CertPEM, another.KeyPEM), "private key does not match", false},
		{"wrong issuer next", write("stranger", append(bytes.Clone(good.CertPEM), other.CertPEM...), good.KeyPEM),
			`was issued by "CN=Serve Check Root,O=Lucid test PKI", but the next certificate in the file is "CN=Serve Check Stranger`, true},
		{"wrong signature", write("twin", append(bytes.Clone(good.CertPEM), twin.CertPEM...), good.KeyPEM),
			"is not signed by the next certificate in the file", true},
	}
	return dir, cases
}

type badChain struct {
	name     string
	files    certKeyFiles
	want     string
	allowBad bool // --allow-bad-cert lets it serve
}

// lucid serve refuses each bad chain at start, with one line on stderr
// naming the problem, and exit status 1.
func TestServeRefusesBadCertificates(t *testing.T) {
	dir, cases := badServeChains(t)
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		args := []string{"--addr", "127.0.0.1:0", "--ca-dir", filepath.Join(dir, "unused-ca"), "--cert", tc.files.Cert, "--key", tc.files.Key}
		code := runServe(args, &stdout, &stderr)
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if code != exitOther || len(lines) != 1 || !strings.HasPrefix(lines[0], "lucid serve: ") || !strings.Contains(lines[0], tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and one line with %q", tc.name, code, stderr.String(), tc.want)
		}
		if tc.allowBad && !strings.Contains(lines[0], "--allow-bad-cert") {
			t.Errorf("%s: the refusal does not mention --allow-bad-cert: %q", tc.name, lines[0])
		}
		if strings.Contains(stdout.String(), "Serving HTTPS") {
			t.Errorf("%s: it served anyway:\n%s", tc.name, stdout.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "unused-ca")); err == nil {
		t.Error("a refused start created the local CA")
	}
}

// --allow-bad-cert serves an expired chain, with a warning, to a client
// that does not check (for testing what clients do with it).
func TestServeAllowBadCert(t *testing.T) {
	_, cases := badServeChains(t)
	for _, tc := range cases {
		if !tc.allowBad {
			continue
		}
		s := startServe(t, serveOptions{CertFile: tc.files.Cert, KeyFile: tc.files.Key, AllowBadCert: true})
		if !strings.Contains(s.stderr.String(), tc.want) || !strings.Contains(s.stderr.String(), "serving it anyway (--allow-bad-cert)") {
			t.Errorf("%s: no warning:\n%s", tc.name, s.stderr)
		}
		c, err := tls.DialWithDialer(&net.Dialer{Deadline: testwait.Deadline(t)}, "tcp", s.addr, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
		if err != nil {
			t.Errorf("%s: handshake: %v", tc.name, err)
			continue
		}
		c.Close()
	}
}

// The start-up checks pass the good chains the other tests serve, and
// judge a chain at the time they are given.
func TestServeChainProblemTimes(t *testing.T) {
	p := newServePKI(t)
	cert, err := tls.LoadX509KeyPair(p.certFile, p.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := serveChainProblem(cert, time.Now()); got != "" {
		t.Errorf("a good chain: %q", got)
	}
	if got := serveChainProblem(cert, cert.Leaf.NotAfter.Add(time.Second)); !strings.Contains(got, "expired on") {
		t.Errorf("a second after notAfter: %q", got)
	}
}

// Two chains, ECDSA first and RSA second: a client that can verify only
// RSA signatures gets the RSA leaf, any other the ECDSA one, in TLS 1.3
// (chosen by signature_algorithms) and TLS 1.2 (by the suites offered).
func TestServeECDSAAndRSACertificates(t *testing.T) {
	p := newServePKI(t)
	ca, err := testpki.NewCA("Serve RSA Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	rsaLeaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost", "127.0.0.1"}, KeyType: testpki.RSA2048})
	if err != nil {
		t.Fatal(err)
	}
	rsaCert, rsaKey, err := rsaLeaf.WriteFiles(t.TempDir(), "rsa")
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, MoreCerts: []certKeyFiles{{rsaCert, rsaKey}}})

	lucidLeaf := func(cfg *tls.Config) any {
		t.Helper()
		cfg.InsecureSkipVerify, cfg.ServerName = true, "localhost"
		c, err := tls.DialWithDialer(&net.Dialer{Deadline: testwait.Deadline(t)}, "tcp", s.addr, cfg)
		if err != nil {
			t.Fatalf("Lucid client: %v", err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].PublicKey
	}
	if _, ok := lucidLeaf(&tls.Config{}).(*ecdsa.PublicKey); !ok {
		t.Error("a default Lucid client did not get the ECDSA leaf")
	}
	rsaOnly := []tls.SignatureScheme{tls.PSSWithSHA256, tls.PSSWithSHA384, tls.PSSWithSHA512}
	if _, ok := lucidLeaf(&tls.Config{SignatureSchemes: rsaOnly}).(*rsa.PublicKey); !ok {
		t.Error("a TLS 1.3 client accepting only RSA-PSS did not get the RSA leaf")
	}

	stdLeaf := func(cfg *stdtls.Config) any {
		t.Helper()
		cfg.InsecureSkipVerify, cfg.ServerName = true, "localhost"
		c, err := stdtls.DialWithDialer(&net.Dialer{Deadline: testwait.Deadline(t)}, "tcp", s.addr, cfg)
		if err != nil {
			t.Fatalf("crypto/tls client: %v", err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].PublicKey
	}
	if _, ok := stdLeaf(&stdtls.Config{MaxVersion: stdtls.VersionTLS12}).(*ecdsa.PublicKey); !ok {
		t.Error("a default crypto/tls TLS 1.2 client did not get the ECDSA leaf")
	}
	rsaSuites := []uint16{stdtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, stdtls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}
	if _, ok := stdLeaf(&stdtls.Config{MaxVersion: stdtls.VersionTLS12, CipherSuites: rsaSuites}).(*rsa.PublicKey); !ok {
		t.Error("a TLS 1.2 client offering only ECDHE_RSA suites did not get the RSA leaf")
	}
}

// --cert and --key repeat in pairs.
func TestServeCertKeyPairsFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	o, _, ok := parseServeFlags([]string{"--cert", "a.crt", "--key", "a.key", "--cert", "b.crt", "--key", "b.key"}, &stdout, &stderr)
	if !ok || o.CertFile != "a.crt" || o.KeyFile != "a.key" || len(o.MoreCerts) != 1 || o.MoreCerts[0] != (certKeyFiles{"b.crt", "b.key"}) {
		t.Errorf("parsed %+v, ok %v: %s", o, ok, stderr.String())
	}
	stderr.Reset()
	if _, code, ok := parseServeFlags([]string{"--cert", "a.crt", "--key", "a.key", "--cert", "b.crt"}, &stdout, &stderr); ok || code != exitUsage ||
		!strings.Contains(stderr.String(), "2 --cert and 1 --key") {
		t.Errorf("unpaired: exit %d, %q", code, stderr.String())
	}
}
