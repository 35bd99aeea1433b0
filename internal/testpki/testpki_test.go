package testpki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"lucid/internal/testtool"
)

// needOpenSSL returns the openssl path, skipping the test when it is not
// installed, except in CI where a missing tool must not hide a regression.
func needOpenSSL(t *testing.T) string {
	t.Helper()
	return testtool.Path(t, "openssl", "openssl", "the openssl cross-check")
}

func TestIssueVerifiesWithGo(t *testing.T) {
	for _, caType := range KeyTypes {
		for _, leafType := range KeyTypes {
			t.Run(string(caType)+"/"+string(leafType), func(t *testing.T) {
				ca, err := NewCA("Go Check CA "+string(caType), caType)
				if err != nil {
					t.Fatal(err)
				}
				leaf, err := ca.Issue(LeafOptions{Names: []string{"a.example", "192.0.2.7", "::1"}, KeyType: leafType})
				if err != nil {
					t.Fatal(err)
				}
				for _, host := range []string{"a.example", "192.0.2.7", "::1"} {
					_, err = leaf.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool, DNSName: host})
					if err != nil {
						t.Fatalf("verify for %s: %v", host, err)
					}
				}
				if !leaf.Cert.IPAddresses[0].Equal(net.ParseIP("192.0.2.7")) || leaf.Cert.DNSNames[0] != "a.example" {
					t.Fatalf("SANs wrong: %v %v", leaf.Cert.DNSNames, leaf.Cert.IPAddresses)
				}
				if len(leaf.Chain) != 1 || !bytes.Equal(leaf.Chain[0], leaf.Cert.Raw) {
					t.Fatal("Chain is not [leaf DER]")
				}
				// The PEM key must parse back to the same key.
				blk, _ := pem.Decode(leaf.KeyPEM)
				if blk == nil || blk.Type != "PRIVATE KEY" {
					t.Fatal("KeyPEM is not a PKCS#8 PEM block")
				}
				k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
				if err != nil {
					t.Fatal(err)
				}
				if !k.(interface{ Equal(crypto.PrivateKey) bool }).Equal(leaf.Key) {
					t.Fatal("KeyPEM holds a different key")
				}
			})
		}
	}
}

func TestClientAndDates(t *testing.T) {
	ca, err := NewCA("Dates CA", ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	// Within the CA's own validity, which starts a week ago.
	nb := time.Now().Add(-48 * time.Hour).Truncate(time.Second).UTC()
	na := time.Now().Add(72 * time.Hour).Truncate(time.Second).UTC()
	leaf, err := ca.Issue(LeafOptions{Names: []string{"c"}, Client: true, NotBefore: nb, NotAfter: na})
	if err != nil {
		t.Fatal(err)
	}
	if !leaf.Cert.NotBefore.Equal(nb) || !leaf.Cert.NotAfter.Equal(na) {
		t.Fatalf("dates %v..%v", leaf.Cert.NotBefore, leaf.Cert.NotAfter)
	}
	if len(leaf.Cert.ExtKeyUsage) != 1 || leaf.Cert.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
		t.Fatalf("EKU %v, want clientAuth only", leaf.Cert.ExtKeyUsage)
	}
	_, err = leaf.Cert.Verify(x509.VerifyOptions{Roots: ca.Pool, CurrentTime: nb.Add(time.Hour),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDistinctCAsDistinctKeys(t *testing.T) {
	// Unknown-authority tests rely on this even for the cached RSA keys.
	a, err := NewCA("Key A", RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewCA("Key B", RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	if a.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(b.Cert.PublicKey) {
		t.Fatal("two differently named RSA CAs share a key")
	}
	leaf, err := b.Issue(LeafOptions{Names: []string{"x.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: a.Pool, DNSName: "x.example"}); err == nil {
		t.Fatal("leaf of CA B verified against CA A")
	}
	l1, err := a.Issue(LeafOptions{KeyType: RSA2048, FreshKey: true})
	if err != nil {
		t.Fatal(err)
	}
	l2, err := a.Issue(LeafOptions{KeyType: RSA2048})
	if err != nil {
		t.Fatal(err)
	}
	if l1.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(l2.Cert.PublicKey) {
		t.Fatal("FreshKey did not give a fresh RSA key")
	}
}

func TestBadInput(t *testing.T) {
	if _, err := NewCA("", ECDSAP256); err == nil {
		t.Error("NewCA accepted an empty name")
	}
	if _, err := NewCA("x", "dsa-1024"); err == nil {
		t.Error("NewCA accepted an unknown key type")
	}
	var ca *CA
	if _, err := ca.Issue(LeafOptions{}); err == nil {
		t.Error("nil CA issued a leaf")
	}
	if _, err := ca.WriteFile(t.TempDir()); err == nil {
		t.Error("nil CA wrote a file")
	}
	var l *Leaf
	if _, _, err := l.WriteFiles(t.TempDir(), "x"); err == nil {
		t.Error("nil leaf wrote files")
	}
}

func TestOpenSSLVerify(t *testing.T) {
	openssl := needOpenSSL(t)
	for _, kt := range KeyTypes {
		t.Run(string(kt), func(t *testing.T) {
			dir := t.TempDir()
			ca, err := NewCA("OpenSSL CA "+string(kt), kt)
			if err != nil {
				t.Fatal(err)
			}
			caFile, err := ca.WriteFile(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, client := range []bool{false, true} {
				leaf, err := ca.Issue(LeafOptions{Names: []string{"localhost", "127.0.0.1"}, KeyType: kt, Client: client})
				if err != nil {
					t.Fatal(err)
				}
				prefix, purpose := "server", "sslserver"
				if client {
					prefix, purpose = "client", "sslclient"
				}
				certFile, keyFile, err := leaf.WriteFiles(dir, prefix)
				if err != nil {
					t.Fatal(err)
				}
				run := func(args ...string) string {
					t.Helper()
					out, err := exec.Command(openssl, args...).CombinedOutput()
					if err != nil {
						t.Fatalf("openssl %v: %v\n%s", args, err, out)
					}
					return string(out)
				}
				run("verify", "-CAfile", caFile, certFile)
				run("verify", "-purpose", purpose, "-CAfile", caFile, certFile)
				// The CA copy written next to the leaf must work too.
				run("verify", "-CAfile", filepath.Join(dir, prefix+"-ca.pem"), certFile)
				// The key file must hold the key of the certificate.
				certPub := run("x509", "-in", certFile, "-noout", "-pubkey")
				keyPub := run("pkey", "-in", keyFile, "-pubout")
				if certPub != keyPub {
					t.Fatalf("key file does not match certificate:\n%s\n%s", certPub, keyPub)
				}
			}
		})
	}
}
