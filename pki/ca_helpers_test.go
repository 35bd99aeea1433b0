package pki

// Helpers for the CA tests. Names carry a "ca" prefix because verify_test.go
// shares the package and has its own helpers.

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// caT0 is the tests' "now": fixed, so dates in assertions are exact.
var caT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// caDirState records every file and directory under root with its mode
// and a hash of its content, to show an operation changed nothing.
func caDirState(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == root {
				return filepath.SkipDir
			}
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		v := info.Mode().String()
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			v += " " + hex.EncodeToString(sum[:8])
		}
		out[rel] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// caSameState fails the test when the directory changed since before.
func caSameState(t *testing.T, what, root string, before map[string]string) {
	t.Helper()
	after := caDirState(t, root)
	if maps.Equal(before, after) {
		return
	}
	var diff []string
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if after[k] != before[k] {
			diff = append(diff, fmt.Sprintf("  %s: %q -> %q", k, before[k], after[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[k]; !ok {
			diff = append(diff, fmt.Sprintf("  %s: new %q", k, after[k]))
		}
	}
	t.Errorf("%s changed %s:\n%s", what, root, strings.Join(diff, "\n"))
}

// caRoot makes a root CA in a fresh directory.
func caRoot(t *testing.T, opts InitOptions) (*CA, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "root")
	if opts.Now.IsZero() {
		opts.Now = caT0
	}
	ca, err := Init(dir, opts)
	if err != nil {
		t.Fatalf("Init root: %v", err)
	}
	return ca, dir
}

// caMem makes a root CA in memory.
func caMem(t *testing.T, opts InitOptions) *CA {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = caT0
	}
	ca, err := NewMemoryCA(opts)
	if err != nil {
		t.Fatalf("NewMemoryCA: %v", err)
	}
	return ca
}

// caWantErr fails unless err is non-nil and mentions every word.
func caWantErr(t *testing.T, what string, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one mentioning %q", what, words)
		return
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q lacks %q", what, err, w)
		}
	}
}

// caVerify verifies a DER chain (leaf first) against the CA's root at
// when, for the given usage.
func caVerify(t *testing.T, ca *CA, chain [][]byte, when time.Time, usage x509.ExtKeyUsage, dnsName string) error {
	t.Helper()
	certs := make([]*x509.Certificate, len(chain))
	inter := x509.NewCertPool()
	for i, d := range chain {
		c, err := x509.ParseCertificate(d)
		if err != nil {
			t.Fatal(err)
		}
		certs[i] = c
		if i > 0 {
			inter.AddCert(c)
		}
	}
	_, err := certs[0].Verify(x509.VerifyOptions{
		Roots: ca.RootPool(), Intermediates: inter, CurrentTime: when,
		KeyUsages: []x509.ExtKeyUsage{usage}, DNSName: dnsName,
	})
	return err
}

// caMode returns a file's permission bits.
func caMode(t *testing.T, p string) fs.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}
