package main

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lucid/internal/testbuffer"
	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/pki"
	"lucid/tls"
)

// mtlsFetch makes one HTTP/1.1 request over a Lucid client connection
// presenting cert, and returns the state and any error, from the handshake
// or from reading the answer (in TLS 1.3 the server judges the client's
// certificate after the client has finished its handshake).
func mtlsFetch(t *testing.T, addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Deadline: testwait.Deadline(t)}, "tcp", addr, cfg)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	c.SetDeadline(testwait.Deadline(t))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); err != nil {
		return c.ConnectionState(), err
	}
	body, err := io.ReadAll(c)
	if err == nil && !strings.HasPrefix(string(body), "HTTP/1.1 200") {
		t.Fatalf("answer: %.80q", body)
	}
	return c.ConnectionState(), err
}

// wantRevoked checks that the server refused the client with
// certificate_revoked.
func wantRevoked(t *testing.T, what string, err error) {
	t.Helper()
	var te *tls.Error
	if !errors.As(err, &te) || !te.Remote || te.Alert != tls.AlertCertificateRevoked {
		t.Errorf("%s: %v; want the server's certificate_revoked alert", what, err)
	}
}

// The story from the issue: serve with the local CA and --client-auth
// require, a client certificate that works, `lucid ca revoke` and `lucid ca
// crl`, and the very next connection, resumption or not, is refused with
// certificate_revoked; no restart.
func TestServeLocalCARevocationBites(t *testing.T) {
	caDir := filepath.Join(t.TempDir(), "ca")
	if _, err := pki.Init(caDir, pki.InitOptions{Now: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, serveOptions{CADir: caDir, ClientAuth: "require"})
	if out := s.stdout.String(); !strings.Contains(out, "Revocation: 0 list(s)") || !strings.Contains(out, filepath.Join(caDir, "ca.crl")) {
		t.Errorf("stdout does not say the local CA's CRL is watched:\n%s", out)
	}
	ca, err := pki.Open(caDir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "bob")
	bob, err := ca.Issue(pki.IssueOptions{Kind: pki.KindClient, Names: []string{"bob"}, Now: time.Now(), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(out+".crt", out+".key")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{RootCAs: ca.RootPool(), ServerName: "localhost", Certificates: []tls.Certificate{cert},
		ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	if _, err := mtlsFetch(t, s.addr, cfg); err != nil {
		t.Fatalf("before the revocation: %v", err)
	}
	if st, err := mtlsFetch(t, s.addr, cfg); err != nil || !st.DidResume {
		t.Fatalf("the session was not resumed before the revocation (resumed %v): %v", st.DidResume, err)
	}

	serial := pki.FormatSerial(bob.Certificate.SerialNumber)
	caMust(t, "revoke", serial, "--dir", caDir, "--reason", "keyCompromise")
	// Revoked but not yet published: still served.
	if _, err := mtlsFetch(t, s.addr, cfg); err != nil {
		t.Fatalf("after revoke, before crl: %v", err)
	}
	caMust(t, "crl", "--dir", caDir)
	_, err = mtlsFetch(t, s.addr, cfg)
	wantRevoked(t, "the next connection after lucid ca crl", err)
	if log := s.stderr.String(); !strings.Contains(log, "reloaded the CRL "+filepath.Join(caDir, "ca.crl")+": 1 revoked") ||
		!strings.Contains(log, "revoked") {
		t.Errorf("server log:\n%s", log)
	}
	// A fresh client, without the session, is refused as well.
	cfg.ClientSessionCache = nil
	_, err = mtlsFetch(t, s.addr, cfg)
	wantRevoked(t, "a new client", err)
}

// --crl FILE with --client-ca: a list rewritten in place is reread; one
// that turns unreadable keeps the last good lists (nothing is unrevoked by
// a half-written file); a missing file at start is an error.
func TestServeCRLFileReload(t *testing.T) {
	p := newServePKI(t)
	tca, err := testpki.NewCA("Serve CRL Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	carol, err := tca.Issue(testpki.LeafOptions{Names: []string{"carol"}, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile, err := tca.WriteFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	crlFile := filepath.Join(dir, "list.crl")
	writeCRL := func(leaves ...*testpki.Leaf) {
		t.Helper()
		list, err := tca.RevocationList(leaves...)
		if err != nil {
			t.Fatal(err)
		}
		// In place, as a text editor or cp would: same file, new contents.
		if err := os.WriteFile(crlFile, list.Raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeCRL()

	var stdout, stderr testbuffer.Buffer
	ended, cancel := context.WithCancel(context.Background())
	cancel() // were it to start, it would stop at once
	err = serve(ended, serveOptions{Addr: "127.0.0.1:0", CertFile: p.certFile, KeyFile: p.keyFile, ClientAuth: "require", ClientCAFile: caFile,
		CRLFiles: []string{filepath.Join(dir, "missing.crl")}}, &stdout, &stderr, nil)
	if err == nil || !strings.Contains(err.Error(), "--crl") || !strings.Contains(err.Error(), "missing.crl") {
		t.Errorf("a missing --crl file: %v", err)
	}

	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, ClientAuth: "require", ClientCAFile: caFile, CRLFiles: []string{crlFile}})
	cert := tls.Certificate{Certificate: carol.Chain, PrivateKey: carol.Key}
	roots := x509.NewCertPool()
	if pemData, err := os.ReadFile(p.caFile); err != nil || !roots.AppendCertsFromPEM(pemData) {
		t.Fatalf("reading %s: %v", p.caFile, err)
	}
	cfg := &tls.Config{RootCAs: roots, ServerName: "localhost", Certificates: []tls.Certificate{cert}}
	if _, err := mtlsFetch(t, s.addr, cfg); err != nil {
		t.Fatalf("with an empty list: %v", err)
	}
	writeCRL(carol)
	_, err = mtlsFetch(t, s.addr, cfg)
	wantRevoked(t, "after the list was rewritten", err)

	if err := os.WriteFile(crlFile, []byte("not a CRL, being rewritten"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = mtlsFetch(t, s.addr, cfg)
	wantRevoked(t, "while the list is unreadable", err)
	if log := s.stderr.String(); !strings.Contains(log, "still using the 1 list(s) read before") {
		t.Errorf("no word about the unreadable list:\n%s", log)
	}
	// For TLS 1.2 too, where the server judges before its Finished.
	cfg.MaxVersion = tls.VersionTLS12
	_, err = mtlsFetch(t, s.addr, cfg)
	wantRevoked(t, "TLS 1.2", err)
}

// --crl needs client certificates to check.
func TestServeCRLNeedsClientAuth(t *testing.T) {
	var stdout, stderr testbuffer.Buffer
	if _, code, ok := parseServeFlags([]string{"--crl", "x.crl"}, &stdout, &stderr); ok || code != exitUsage ||
		!strings.Contains(stderr.String(), "--client-auth request or require") {
		t.Errorf("--crl without --client-auth: exit %d, %q", code, stderr.String())
	}
}

// The start-up line spells the mode out ("requested", once "requestd").
func TestServeClientAuthWording(t *testing.T) {
	p := newServePKI(t)
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, ClientAuth: "request", ClientCAFile: p.caFile})
	if out := s.stdout.String(); !strings.Contains(out, "Client certificates: requested; trusted issuer: "+p.caFile+".") {
		t.Errorf("stdout:\n%s", out)
	}
}
