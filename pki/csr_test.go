package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// caCSR makes a CSR for key with the given template.
func caCSR(t *testing.T, key crypto.Signer, tmpl *x509.CertificateRequest) []byte {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func TestSignCSRServer(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	u, _ := url.Parse("spiffe://example/x")
	csr := caCSR(t, key, &x509.CertificateRequest{
		Subject:        pkix.Name{CommonName: "api.example.com", Organization: []string{"Evil Corp"}},
		DNSNames:       []string{"api2.example.com"},
		IPAddresses:    []net.IP{net.ParseIP("192.0.2.7")},
		EmailAddresses: []string{"x@example.com"},
		URIs:           []*url.URL{u},
		ExtraExtensions: []pkix.Extension{
			{Id: oidBasicConstraints, Critical: true, Value: []byte{0x30, 0x03, 0x01, 0x01, 0xff}}, // CA:TRUE
		},
	})
	out := filepath.Join(t.TempDir(), "api")
	iss, err := ca.SignCSR(csr, CSROptions{Now: caT0, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	c := iss.Certificate
	if c.Subject.String() != "CN=api.example.com" || !slices.Equal(c.DNSNames, []string{"api.example.com", "api2.example.com"}) ||
		len(c.IPAddresses) != 1 || len(c.EmailAddresses) != 0 || len(c.URIs) != 0 {
		t.Errorf("copied: subject %q, DNS %v, IP %v, email %v, URI %v", c.Subject, c.DNSNames, c.IPAddresses, c.EmailAddresses, c.URIs)
	}
	if c.IsCA || !slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Error("the CSR's requests decided the certificate's purpose")
	}
	if !sameKey(key, c.PublicKey) {
		t.Error("the certificate is not for the CSR's key")
	}
	if iss.Key != nil || iss.KeyPEM != nil || iss.KeyFile != "" {
		t.Error("SignCSR returned or wrote a key")
	}
	if _, err := os.Stat(out + ".key"); !os.IsNotExist(err) {
		t.Error("SignCSR wrote a key file")
	}
	if _, err := os.Stat(out + ".crt"); err != nil {
		t.Error("SignCSR wrote no certificate")
	}
	for _, want := range []string{"subject O=Evil Corp", "email SAN x@example.com", "URI SAN spiffe://example/x", "extension basic constraints (2.5.29.19)"} {
		if !slices.Contains(iss.Ignored, want) {
			t.Errorf("Ignored %q lacks %q", iss.Ignored, want)
		}
	}
	if err := caVerify(t, ca, iss.Chain, caT0, x509.ExtKeyUsageServerAuth, "api2.example.com"); err != nil {
		t.Error(err)
	}
	if recs, _ := ca.List(); len(recs) != 1 || recs[0].Kind != KindServer {
		t.Errorf("index %v", recs)
	}

	// DER works too, and a CSR with SANs only.
	block, _ := pem.Decode(caCSR(t, key, &x509.CertificateRequest{DNSNames: []string{"only.example"}}))
	iss, err = ca.SignCSR(block.Bytes, CSROptions{Now: caT0})
	if err != nil || iss.Certificate.Subject.CommonName != "only.example" {
		t.Errorf("DER CSR with SANs only: %v", err)
	}
	_ = dir
}

func TestSignCSRClient(t *testing.T) {
	ca := caMem(t, InitOptions{})
	key, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	csr := caCSR(t, key, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "bob@example.com"}, DNSNames: []string{"bob-laptop.example"}})
	iss, err := ca.SignCSR(csr, CSROptions{Now: caT0, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	c := iss.Certificate
	if c.Subject.CommonName != "bob@example.com" || !slices.Equal(c.EmailAddresses, []string{"bob@example.com"}) ||
		!slices.Equal(c.DNSNames, []string{"bob-laptop.example"}) || !slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}) {
		t.Errorf("client from CSR: %q %v %v %v", c.Subject, c.EmailAddresses, c.DNSNames, c.ExtKeyUsage)
	}
	if iss.Record.Kind != KindClient {
		t.Errorf("record kind %s", iss.Record.Kind)
	}
}

func TestSignCSRBadInputs(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	outDir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := caCSR(t, key, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "ok.example"}})

	block, _ := pem.Decode(good)
	tampered := append([]byte{}, block.Bytes...)
	tampered[len(tampered)-5] ^= 0x01 // inside the signature
	badSig := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: tampered})
	// Change the requested name after signing: the signature no longer
	// covers what the CSR says.
	renamed := strings.Replace(string(block.Bytes), "ok.example", "ok.exampl3", 1)
	badName := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte(renamed)})

	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		csr    []byte
		client bool
		days   int
		words  []string
	}{
		{"bad signature", badSig, false, 0, []string{"signature does not verify"}},
		{"altered name", badName, false, 0, []string{"signature does not verify"}},
		{"garbage", []byte("hello"), false, 0, []string{"not a certificate signing request"}},
		{"wrong PEM type", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: block.Bytes}), false, 0, []string{`"CERTIFICATE"`}},
		{"weak key", caCSR(t, weak, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "weak.example"}}), false, 0, []string{"1024-bit RSA key is too short"}},
		{"CN not a host", caCSR(t, key, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "My Server"}}), false, 0, []string{`"My Server"`, "host name"}},
		{"bad SAN", caCSR(t, key, &x509.CertificateRequest{DNSNames: []string{"a_b.example"}}), false, 0, []string{"a_b.example"}},
		{"no names", caCSR(t, key, &x509.CertificateRequest{Subject: pkix.Name{Organization: []string{"X"}}}), false, 0, []string{"names no host"}},
		{"client without CN", caCSR(t, key, &x509.CertificateRequest{DNSNames: []string{"a.example"}}), true, 0, []string{"no common name"}},
		{"days beyond CA", good, false, DefaultRootDays + 1, []string{"expires"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, beforeOut := caDirState(t, dir), caDirState(t, outDir)
			_, err := ca.SignCSR(tc.csr, CSROptions{Now: caT0, Client: tc.client, Days: tc.days, Out: filepath.Join(outDir, "x")})
			caWantErr(t, tc.name, err, tc.words...)
			caSameState(t, "a refused CSR", dir, before)
			caSameState(t, "a refused CSR", outDir, beforeOut)
		})
	}
}
