package main

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lucid/internal/testpki"
)

type certResult struct {
	code           int
	stdout, stderr string
}

func (r certResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func certRun(args ...string) certResult {
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"cert"}, args...), &stdout, &stderr)
	return certResult{code, stdout.String(), stderr.String()}
}

func TestCertInspectFile(t *testing.T) {
	p := newServePKI(t)
	r := certRun("inspect", "--cacert", p.caFile, p.certFile)
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	for _, want := range []string{
		"Certificate 0 of 1 (leaf)",
		"Subject:             CN=localhost",
		"Issuer:              CN=Serve Test Root,O=Lucid test PKI",
		"Serial:              ",
		"Valid until:         ",
		" left)",
		"Names (SAN):         DNS:localhost, DNS:example.test, IP:127.0.0.1, IP:::1",
		"Public key:          ECDSA P-256",
		"Signature:           ECDSA-SHA256",
		"CA:                  no",
		"Key usage:           digitalSignature",
		"Extended key usage:  serverAuth",
		"SHA-256 fingerprint: ",
		"Verification as a TLS server certificate, against " + p.caFile,
		"OK: a chain of 2 to the trusted root \"Serve Test Root\"",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("lacks %q:\n%s", want, r.stdout)
		}
	}
	// The name is checked with --host, and a failure says why: exit 5.
	r = certRun("inspect", "--cacert", p.caFile, "--host", "wrong.test", p.certFile)
	if r.code != exitCertificate || !strings.Contains(r.stdout, "FAILED (hostname mismatch)") || !strings.Contains(r.stdout, "wrong.test") {
		t.Errorf("--host wrong.test: %v", r)
	}
	// Against the system's roots, the private CA is unknown.
	r = certRun("inspect", p.certFile)
	if r.code != exitCertificate || !strings.Contains(r.stdout, "FAILED (unknown authority)") {
		t.Errorf("system roots: %v", r)
	}
	// A client certificate is checked as one.
	if r := certRun("inspect", "--client", "--cacert", p.caFile, p.clientCert); r.code != 0 || !strings.Contains(r.stdout, "clientAuth") || !strings.Contains(r.stdout, "TLS client certificate") {
		t.Errorf("--client: %v", r)
	}
	if r := certRun("inspect", "--cacert", p.caFile, p.clientCert); r.code != exitCertificate || !strings.Contains(r.stdout, "FAILED (wrong usage)") {
		t.Errorf("a client certificate checked as a server's: %v", r)
	}
	// A CA certificate is checked as a CA; DER works too.
	r = certRun("inspect", "--cacert", p.caFile, p.caFile)
	if r.code != 0 || !strings.Contains(r.stdout, "CA:                  yes") || !strings.Contains(r.stdout, "OK: it is a trusted root") || !strings.Contains(r.stdout, "keyCertSign") {
		t.Errorf("the CA certificate: %v", r)
	}
	caPEM, _ := os.ReadFile(p.caFile)
	block, _ := pem.Decode(caPEM)
	der := filepath.Join(t.TempDir(), "ca.der")
	os.WriteFile(der, block.Bytes, 0o644)
	if r := certRun("inspect", der); r.code != exitCertificate || !strings.Contains(r.stdout, "NOT TRUSTED") || !strings.Contains(r.stdout, "Serve Test Root") {
		t.Errorf("DER CA certificate, not trusted: %v", r)
	}
}

func TestCertInspectExplainsFailures(t *testing.T) {
	ca, err := testpki.NewCA("Inspect Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile, _ := ca.WriteFile(dir)
	expired, _ := ca.Issue(testpki.LeafOptions{Names: []string{"old.test"}, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	expiredFile, _, _ := expired.WriteFiles(dir, "expired")
	r := certRun("inspect", "--cacert", caFile, expiredFile)
	if r.code != exitCertificate || !strings.Contains(r.stdout, "EXPIRED") || !strings.Contains(r.stdout, "FAILED (expired)") {
		t.Errorf("expired: %v", r)
	}
	revoked, _ := ca.Issue(testpki.LeafOptions{Names: []string{"gone.test"}})
	revokedFile, _, _ := revoked.WriteFiles(dir, "revoked")
	rl, err := ca.RevocationList(revoked)
	if err != nil {
		t.Fatal(err)
	}
	crl := filepath.Join(dir, "ca.crl")
	os.WriteFile(crl, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: rl.Raw}), 0o644)
	r = certRun("inspect", "--cacert", caFile, "--crl", crl, revokedFile)
	if r.code != exitCertificate || !strings.Contains(r.stdout, "FAILED (revoked)") || !strings.Contains(r.stdout, "with 1 CRL(s)") {
		t.Errorf("revoked: %v", r)
	}
	if r := certRun("inspect", "--cacert", caFile, revokedFile); r.code != 0 {
		t.Errorf("without the CRL: %v", r)
	}

	// Bad input: clear errors, right codes.
	key := filepath.Join(dir, "expired-key.pem")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"inspect", key}, exitOther, "holds no certificate, only PRIVATE KEY"},
		{[]string{"inspect", filepath.Join(dir, "missing.pem")}, exitUsage, "neither a file"},
		{[]string{"inspect"}, exitUsage, "give one FILE"},
		{[]string{"inspect", "--client", "--host", "x", expiredFile}, exitUsage, "exclude"},
		{[]string{"inspect", "--servername", "x", expiredFile}, exitUsage, "--servername is for HOST:PORT"},
		{[]string{"nope"}, exitUsage, "unknown subcommand"},
		{nil, exitUsage, "Usage: lucid cert inspect"},
	} {
		r := certRun(c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("cert %q: want exit %d and %q: %v", c.args, c.code, c.want, r)
		}
	}
}

func TestCertInspectServer(t *testing.T) {
	p := newServePKI(t)
	addr := echoServer(t, p, nil)
	r := certRun("inspect", "--cacert", p.caFile, "--servername", "localhost", addr)
	if r.code != 0 || !strings.Contains(r.stdout, "Connected to "+addr+" (SNI localhost): TLS 1.3") ||
		!strings.Contains(r.stdout, "Verification as a TLS server certificate for localhost") || !strings.Contains(r.stdout, "OK: a chain of 2") {
		t.Errorf("cert inspect HOST:PORT: %v", r)
	}
	// A chain that does not verify is still shown, then explained.
	r = certRun("inspect", addr)
	if r.code != exitCertificate || !strings.Contains(r.stdout, "Certificate 0 of 1 (leaf)") || !strings.Contains(r.stdout, "FAILED (unknown authority)") {
		t.Errorf("cert inspect HOST:PORT against system roots: %v", r)
	}
	if r := certRun("inspect", "--connect-timeout", "0.5", silentListener(t)); r.code != exitConnect || !strings.Contains(r.stderr, "timed out") {
		t.Errorf("a silent server: %v", r)
	}
}
