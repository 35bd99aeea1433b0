package pki

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lucid/internal/testtool"
)

// caOpenSSL finds the openssl command. Without it the OpenSSL checks are
// skipped with a message, except under CI=true, where a missing openssl
// means the checks silently never run, so it fails instead.
func caOpenSSL(t *testing.T) string {
	t.Helper()
	return testtool.Path(t, "openssl", "openssl", "the OpenSSL checks")
}

// caRun runs openssl and returns its combined output.
func caRun(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}

// caMustRun runs openssl and fails the test on a non-zero exit.
func caMustRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := caRun(t, bin, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func caWantAll(t *testing.T, what, text string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// TestOpenSSLReadsCA checks the files against OpenSSL for each key type
// (RSA-3072 only in the zlint test, to keep this fast): chains verify,
// for the right purpose and names; `openssl x509 -text` shows what was
// asked; the serial prints as FormatSerial writes it; keys are readable
// PKCS#8 and match; the CRL parses, verifies and revokes.
func TestOpenSSLReadsCA(t *testing.T) {
	bin := caOpenSSL(t)
	attime := fmt.Sprint(caT0.Unix())
	for _, kt := range []KeyType{ECDSAP256, ECDSAP384, RSA2048, Ed25519} {
		t.Run(string(kt), func(t *testing.T) {
			base := t.TempDir()
			rootDir, interDir := filepath.Join(base, "root"), filepath.Join(base, "inter")
			root, err := Init(rootDir, InitOptions{KeyType: kt, Now: caT0, Name: "OpenSSL Root"})
			if err != nil {
				t.Fatal(err)
			}
			inter, err := Init(interDir, InitOptions{KeyType: kt, Now: caT0, Parent: root, Name: "OpenSSL Inter"})
			if err != nil {
				t.Fatal(err)
			}
			rootCA := filepath.Join(rootDir, "ca.crt")
			direct := filepath.Join(base, "direct")
			srv := filepath.Join(base, "srv")
			cli := filepath.Join(base, "cli")
			if _, err := root.Issue(IssueOptions{Kind: KindServer, Names: []string{"direct.example.com"}, KeyType: kt, Now: caT0, Out: direct}); err != nil {
				t.Fatal(err)
			}
			s, err := inter.Issue(IssueOptions{Kind: KindServer, Names: []string{"www.example.com", "10.0.0.1"}, KeyType: kt, Now: caT0, Out: srv})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := inter.Issue(IssueOptions{Kind: KindClient, Names: []string{"alice@example.com"}, KeyType: kt, Now: caT0, Out: cli}); err != nil {
				t.Fatal(err)
			}

			// A leaf straight from the root: -CAfile alone.
			out := caMustRun(t, bin, "verify", "-attime", attime, "-CAfile", rootCA, "-purpose", "sslserver", "-verify_hostname", "direct.example.com", direct+".crt")
			caWantAll(t, "verify direct", out, "OK")
			// Through the intermediate: the chain file is the untrusted set.
			out = caMustRun(t, bin, "verify", "-attime", attime, "-CAfile", rootCA, "-untrusted", srv+".crt", "-purpose", "sslserver", "-verify_hostname", "www.example.com", srv+".crt")
			caWantAll(t, "verify server", out, "OK")
			caMustRun(t, bin, "verify", "-attime", attime, "-CAfile", rootCA, "-untrusted", srv+".crt", "-verify_ip", "10.0.0.1", srv+".crt")
			caMustRun(t, bin, "verify", "-attime", attime, "-CAfile", rootCA, "-untrusted", filepath.Join(interDir, "chain.crt"), "-purpose", "sslclient", cli+".crt")
			caMustRun(t, bin, "verify", "-attime", attime, "-CAfile", filepath.Join(interDir, "root.crt"), "-untrusted", filepath.Join(interDir, "chain.crt"), filepath.Join(interDir, "ca.crt"))
			if out, err := caRun(t, bin, "verify", "-attime", attime, "-CAfile", rootCA, "-untrusted", srv+".crt", "-purpose", "sslclient", srv+".crt"); err == nil {
				t.Errorf("OpenSSL accepts a server certificate for client authentication:\n%s", out)
			}
			if out, err := caRun(t, bin, "verify", "-attime", attime, "-CAfile", rootCA, "-untrusted", srv+".crt", "-verify_hostname", "other.example.com", srv+".crt"); err == nil {
				t.Errorf("OpenSSL accepts the server certificate for another name:\n%s", out)
			}

			text := caMustRun(t, bin, "x509", "-in", srv+".crt", "-noout", "-text")
			want := []string{"DNS:www.example.com", "IP Address:10.0.0.1", "TLS Web Server Authentication", "CA:FALSE",
				"Digital Signature", "Subject Key Identifier", "Authority Key Identifier", "Subject: CN = www.example.com", "Issuer: O = Lucid, CN = OpenSSL Inter"}
			if kt == RSA2048 {
				want = append(want, "Key Encipherment")
			}
			caWantAll(t, "server x509 -text", text, want...)
			text = caMustRun(t, bin, "x509", "-in", cli+".crt", "-noout", "-text")
			caWantAll(t, "client x509 -text", text, "TLS Web Client Authentication", "Subject: CN = alice@example.com", "email:alice@example.com", "CA:FALSE")
			text = caMustRun(t, bin, "x509", "-in", filepath.Join(interDir, "ca.crt"), "-noout", "-text")
			caWantAll(t, "intermediate x509 -text", text, "CA:TRUE, pathlen:0", "Certificate Sign, CRL Sign", "Subject: O = Lucid, CN = OpenSSL Inter")
			text = caMustRun(t, bin, "x509", "-in", rootCA, "-noout", "-text")
			caWantAll(t, "root x509 -text", text, "CA:TRUE", "Certificate Sign, CRL Sign")
			if strings.Contains(text, "pathlen") {
				t.Error("the root has a path length")
			}

			serial := strings.TrimSpace(caMustRun(t, bin, "x509", "-in", srv+".crt", "-noout", "-serial"))
			if want := "serial=" + FormatSerial(s.Certificate.SerialNumber); serial != want {
				t.Errorf("openssl prints %q, FormatSerial %q", serial, want)
			}

			pub1 := caMustRun(t, bin, "pkey", "-in", srv+".key", "-pubout")
			pub2 := caMustRun(t, bin, "x509", "-in", srv+".crt", "-noout", "-pubkey")
			if pub1 != pub2 {
				t.Error("the key file does not hold the certificate's key")
			}
			caMustRun(t, bin, "pkey", "-in", filepath.Join(rootDir, "ca.key"), "-noout")

			// Revoke, publish, and OpenSSL refuses the certificate.
			if _, err := inter.Revoke(s.Certificate.SerialNumber, ReasonKeyCompromise, caT0); err != nil {
				t.Fatal(err)
			}
			if _, _, err := inter.CRL(caT0); err != nil {
				t.Fatal(err)
			}
			crl := filepath.Join(interDir, "ca.crl")
			text = caMustRun(t, bin, "crl", "-in", crl, "-noout", "-text")
			caWantAll(t, "crl -text", text, "Serial Number: "+FormatSerial(s.Certificate.SerialNumber), "Key Compromise", "X509v3 CRL Number", "Issuer: O = Lucid, CN = OpenSSL Inter")
			out = caMustRun(t, bin, "crl", "-in", crl, "-noout", "-CAfile", filepath.Join(interDir, "ca.crt"))
			caWantAll(t, "crl -CAfile", out, "verify OK")
			out, err = caRun(t, bin, "verify", "-attime", attime, "-crl_check", "-CAfile", rootCA, "-untrusted", srv+".crt", "-CRLfile", crl, srv+".crt")
			if err == nil || !strings.Contains(out, "certificate revoked") {
				t.Errorf("OpenSSL with the CRL does not see the revocation (err %v):\n%s", err, out)
			}
		})
	}
}

// TestOpenSSLCSR signs a request that OpenSSL made.
func TestOpenSSLCSR(t *testing.T) {
	bin := caOpenSSL(t)
	dir := t.TempDir()
	ca, _ := caRoot(t, InitOptions{})
	csrPath := filepath.Join(dir, "req.csr")
	caMustRun(t, bin, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", filepath.Join(dir, "req.key"), "-subj", "/CN=csr.example.com/O=Requester",
		"-addext", "subjectAltName=DNS:csr2.example.com,IP:10.1.2.3", "-out", csrPath)
	csr, err := os.ReadFile(csrPath)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "signed")
	iss, err := ca.SignCSR(csr, CSROptions{Now: caT0, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	if len(iss.Ignored) == 0 || !strings.Contains(strings.Join(iss.Ignored, ";"), "O=Requester") {
		t.Errorf("Ignored %q", iss.Ignored)
	}
	caMustRun(t, bin, "verify", "-attime", fmt.Sprint(caT0.Unix()), "-CAfile", filepath.Join(ca.Dir(), "ca.crt"), "-purpose", "sslserver", "-verify_hostname", "csr2.example.com", out+".crt")
	text := caMustRun(t, bin, "x509", "-in", out+".crt", "-noout", "-text")
	caWantAll(t, "signed CSR", text, "Subject: CN = csr.example.com", "DNS:csr.example.com, DNS:csr2.example.com, IP Address:10.1.2.3")
	if strings.Contains(text, "Requester") {
		t.Error("the CSR's organization was copied")
	}
	pub1 := caMustRun(t, bin, "pkey", "-in", filepath.Join(dir, "req.key"), "-pubout")
	pub2 := caMustRun(t, bin, "x509", "-in", out+".crt", "-noout", "-pubkey")
	if pub1 != pub2 {
		t.Error("the certificate is not for the requester's key")
	}
}
