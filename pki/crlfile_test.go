package pki

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crlPEM is a CRL from an in-memory CA that revokes one certificate.
func crlPEM(t testing.TB) (pemData []byte, der []byte) {
	t.Helper()
	now := time.Now()
	ca, err := NewMemoryCA(InitOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	iss, err := ca.Issue(IssueOptions{Kind: KindClient, Names: []string{"carol"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Revoke(iss.Certificate.SerialNumber, 1, now); err != nil {
		t.Fatal(err)
	}
	_, out, err := ca.CRL(now)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(out)
	return out, block.Bytes
}

func TestParseCRLs(t *testing.T) {
	p, der := crlPEM(t)
	two := append(append(append([]byte("a comment\n"), p...), []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")...), p...)
	for name, tc := range map[string]struct {
		data []byte
		n    int
	}{"pem": {p, 1}, "der": {der, 1}, "two pem blocks among others": {two, 2}} {
		lists, err := ParseCRLs(tc.data)
		if err != nil || len(lists) != tc.n {
			t.Errorf("%s: %d lists, %v; want %d", name, len(lists), err, tc.n)
			continue
		}
		if len(lists[0].RevokedCertificateEntries) != 1 {
			t.Errorf("%s: %d entries, want 1", name, len(lists[0].RevokedCertificateEntries))
		}
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"empty":      {[]byte(" \n"), "empty"},
		"no CRL":     {[]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), `no "X509 CRL" block`},
		"garbage":    {[]byte("hello"), "not a PEM or DER CRL"},
		"cut DER":    {der[:len(der)/2], "not a PEM or DER CRL"},
		"bad in PEM": {pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der[:10]}), "CRL 1 in the PEM"},
	} {
		if _, err := ParseCRLs(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
}

func TestReadCRLFile(t *testing.T) {
	p, _ := crlPEM(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "ca.crl")
	if err := os.WriteFile(good, p, 0o644); err != nil {
		t.Fatal(err)
	}
	if lists, err := ReadCRLFile(good); err != nil || len(lists) != 1 {
		t.Errorf("ReadCRLFile: %d lists, %v", len(lists), err)
	}
	// A sparse file past the cap is refused without reading it all.
	huge := filepath.Join(dir, "huge.crl")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxCRLFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadCRLFile(huge); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge file: %v", err)
	}
	if _, err := ReadCRLFile(filepath.Join(dir, "missing.crl")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseCRLs(f *testing.F) {
	p, der := crlPEM(f)
	f.Add(p)
	f.Add(der)
	f.Add(bytes.Repeat(p, 2))
	f.Add([]byte("-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lists, err := ParseCRLs(data)
		if err == nil && len(lists) == 0 {
			t.Fatal("no error and no list")
		}
		for _, l := range lists {
			if l == nil {
				t.Fatal("nil list without an error")
			}
		}
	})
}
