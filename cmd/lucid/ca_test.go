package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"lucid/pki"
)

// caRun runs `lucid ca ARGS...` and returns the exit status and output.
func caRun(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(append([]string{"ca"}, args...), &o, &e)
	return code, o.String(), e.String()
}

// caMust runs a command that must succeed.
func caMust(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := caRun(args...)
	if code != 0 {
		t.Fatalf("lucid ca %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// caTree lists every file under root with its mode and a content hash.
func caTree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		info, _ := d.Info()
		rel, _ := filepath.Rel(root, p)
		v := info.Mode().String()
		if !d.IsDir() {
			data, _ := os.ReadFile(p)
			sum := sha256.Sum256(data)
			v += hex.EncodeToString(sum[:8])
		}
		out[rel] = v
		return nil
	})
	return out
}

func TestCAHelp(t *testing.T) {
	code, out, _ := caRun("-h")
	if code != 0 || !strings.Contains(out, "Commands:") || !strings.Contains(out, "LUCID_CA_DIR") {
		t.Errorf("lucid ca -h: exit %d\n%s", code, out)
	}
	for _, sub := range []string{"init", "issue", "sign", "revoke", "crl", "list"} {
		code, out, errOut := caRun(sub, "-h")
		if code != 0 || !strings.Contains(out, "Usage: lucid ca "+sub) || !strings.Contains(out, "-dir") || errOut != "" {
			t.Errorf("lucid ca %s -h: exit %d\nstdout:\n%s\nstderr:\n%s", sub, code, out, errOut)
		}
	}
	code, _, errOut := caRun()
	if code != 2 || !strings.Contains(errOut, "Commands:") {
		t.Errorf("lucid ca with no command: exit %d, %q", code, errOut)
	}
	var o, e bytes.Buffer
	if run([]string{"-h"}, &o, &e); !strings.Contains(o.String(), "lucid ca COMMAND") {
		t.Error("lucid -h does not mention lucid ca")
	}
}

func TestCAUsageErrors(t *testing.T) {
	dir := t.TempDir()
	caMust(t, "init", "--dir", dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"frob"}, `unknown command "frob"`},
		{[]string{"init", "--dir", dir, "--bogus"}, "unknown flag --bogus"},
		{[]string{"init", "--dir", dir, "--days", "ten"}, `"ten" is not a whole number`},
		{[]string{"init", "--dir", dir, "extra"}, `unexpected argument "extra"`},
		{[]string{"issue", "--dir", dir, "--server", "a.example"}, "--out PREFIX is required"},
		{[]string{"issue", "--dir", dir, "--out", "x"}, "--server NAME[,NAME...] or --client NAME"},
		{[]string{"issue", "--dir", dir, "--server", "a.example", "--client", "b", "--out", "x"}, "not both"},
		{[]string{"sign", "--dir", dir, "--out", "x"}, "missing CSR file"},
		{[]string{"sign", "a.csr", "b.csr", "--dir", dir, "--out", "x"}, `unexpected argument "b.csr"`},
		{[]string{"sign", "a.csr", "--dir", dir}, "--out PREFIX is required"},
		{[]string{"revoke", "--dir", dir}, "missing serial number"},
		{[]string{"list", "--dir", dir, "x"}, `unexpected argument "x"`},
		{[]string{"crl", "--dir", dir, "--force"}, "unknown flag --force"},
	} {
		before := caTree(t, dir)
		code, out, errOut := caRun(tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "see 'lucid ca") || out != "" {
			t.Errorf("lucid ca %s: exit %d, want 2 with %q and the help hint\nstderr:\n%s", strings.Join(tc.args, " "), code, tc.want, errOut)
		}
		if !maps.Equal(before, caTree(t, dir)) {
			t.Errorf("lucid ca %s changed the CA directory", strings.Join(tc.args, " "))
		}
	}
}

var serialRE = regexp.MustCompile(`certificate ([0-9A-F]{32}) `)

func TestCAFlow(t *testing.T) {
	base := t.TempDir()
	root, inter := filepath.Join(base, "root"), filepath.Join(base, "inter")
	out := caMust(t, "init", "--dir", root, "--name", "Flow Root", "--key", "ecdsa-p384")
	if !strings.Contains(out, `Created root CA "Flow Root" (ECDSA P-384)`) || !strings.Contains(out, filepath.Join(root, "ca.key")) {
		t.Errorf("init output:\n%s", out)
	}
	out = caMust(t, "init", "--dir", inter, "--parent", root, "--name", "Flow Inter", "--permit", "example.com,10.0.0.0/8")
	if !strings.Contains(out, `Created intermediate CA "Flow Inter"`) || !strings.Contains(out, "path length 0") || !strings.Contains(out, "only example.com, 10.0.0.0/8") {
		t.Errorf("intermediate init output:\n%s", out)
	}

	srvPrefix := filepath.Join(base, "srv")
	out = caMust(t, "issue", "--dir", inter, "--server", "www.example.com,example.com", "--server", "10.0.0.1", "--out", srvPrefix)
	m := serialRE.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "www.example.com, example.com, 10.0.0.1") || !strings.Contains(out, "then 1 intermediate(s)") {
		t.Fatalf("issue output:\n%s", out)
	}
	srvSerial := m[1]
	chain, _ := os.ReadFile(srvPrefix + ".crt")
	if n := bytes.Count(chain, []byte("BEGIN CERTIFICATE")); n != 2 {
		t.Errorf("server chain file holds %d certificates, want leaf and intermediate", n)
	}
	if st, err := os.Stat(srvPrefix + ".key"); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("server key: %v", err)
	}

	out = caMust(t, "issue", "--client", "carol@example.com", "--dir", inter, "--key", "ed25519", "--days", "30", "--out", filepath.Join(base, "carol"))
	if !strings.Contains(out, "Issued client certificate") || !strings.Contains(out, "(Ed25519)") {
		t.Errorf("client issue output:\n%s", out)
	}

	// sign: the CSR first, flags after.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "api.example.com", Organization: []string{"Req"}}, DNSNames: []string{"api2.example.com"}}, key)
	csrPath := filepath.Join(base, "api.csr")
	os.WriteFile(csrPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644)
	out = caMust(t, "sign", csrPath, "--dir", inter, "--out", filepath.Join(base, "api"))
	if !strings.Contains(out, "api.example.com, api2.example.com") || !strings.Contains(out, "Not copied from the CSR: subject O=Req") {
		t.Errorf("sign output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(base, "api.key")); !os.IsNotExist(err) {
		t.Error("sign wrote a key")
	}

	out = caMust(t, "list", "--dir", inter)
	for _, want := range []string{"SERIAL", "STATUS", srvSerial, "valid", "CN=www.example.com", "www.example.com,example.com,10.0.0.1", "client", "CN=carol@example.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	if got := strings.Count(out, "\n"); got != 4 {
		t.Errorf("list has %d lines, want a header and 3 certificates:\n%s", got, out)
	}
	out = caMust(t, "list", "--dir", root)
	if !strings.Contains(out, "ca") || !strings.Contains(out, "CN=Flow Inter") {
		t.Errorf("root list lacks the intermediate:\n%s", out)
	}

	// revoke takes the serial in lower case with colons, as openssl -text
	// shows it.
	var colons []string
	for i := 0; i < len(srvSerial); i += 2 {
		colons = append(colons, strings.ToLower(srvSerial[i:i+2]))
	}
	out = caMust(t, "revoke", strings.Join(colons, ":"), "--dir", inter, "--reason", "key-compromise")
	if !strings.Contains(out, "Revoked "+srvSerial) || !strings.Contains(out, "keyCompromise") || !strings.Contains(out, "lucid ca crl") {
		t.Errorf("revoke output:\n%s", out)
	}
	code, _, errOut := caRun("revoke", srvSerial, "--dir", inter)
	if code != 1 || !strings.HasPrefix(errOut, "lucid ca: ") || !strings.Contains(errOut, "already revoked") {
		t.Errorf("second revoke: exit %d, %q", code, errOut)
	}

	out = caMust(t, "crl", "--dir", inter)
	if !strings.Contains(out, "CRL number 1, 1 revoked certificate(s)") {
		t.Errorf("crl output:\n%s", out)
	}
	out = caMust(t, "crl", "--dir", inter)
	if !strings.Contains(out, "CRL number 2") {
		t.Errorf("second crl output:\n%s", out)
	}
	data, err := os.ReadFile(filepath.Join(inter, "ca.crl"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	list, err := x509.ParseRevocationList(block.Bytes)
	if err != nil || len(list.RevokedCertificateEntries) != 1 || pki.FormatSerial(list.RevokedCertificateEntries[0].SerialNumber) != srvSerial {
		t.Errorf("ca.crl: %v", err)
	}
	out = caMust(t, "list", "--dir", inter)
	if !strings.Contains(out, "revoked (keyCompromise)") {
		t.Errorf("list after revoke:\n%s", out)
	}

	// Later, the 30-day client certificate has expired.
	defer func(f func() time.Time) { caNow = f }(caNow)
	caNow = func() time.Time { return time.Now().AddDate(0, 0, 60) }
	out = caMust(t, "list", "--dir", inter)
	if !regexp.MustCompile(`expired .* client `).MatchString(out) {
		t.Errorf("list 60 days on lacks the expired client:\n%s", out)
	}
}

// TestCAErrorsWriteNothing runs every kind of bad input against a CA and
// checks the exit status, the message and that no file changed.
func TestCAErrorsWriteNothing(t *testing.T) {
	base := t.TempDir()
	ca := filepath.Join(base, "ca")
	caMust(t, "init", "--dir", ca, "--days", "365")
	caMust(t, "issue", "--dir", ca, "--server", "taken.example", "--out", filepath.Join(base, "taken"))
	flat := filepath.Join(base, "flat")
	caMust(t, "init", "--dir", flat, "--pathlen", "0")

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "csr.example"}}, key)
	der[len(der)-3] ^= 0x01
	badCSR := filepath.Join(base, "bad.csr")
	os.WriteFile(badCSR, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), 0o644)

	out := filepath.Join(base, "new")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"init", "--dir", ca}, "already holds a CA"},
		{[]string{"init", "--dir", filepath.Join(base, "x"), "--key", "dsa"}, `unknown key type "dsa"`},
		{[]string{"init", "--dir", filepath.Join(base, "x"), "--parent", filepath.Join(base, "nothing")}, "the parent: no CA"},
		{[]string{"init", "--dir", filepath.Join(base, "x"), "--parent", flat}, "path length 0"},
		{[]string{"init", "--dir", filepath.Join(base, "x"), "--parent", ca, "--days", "400"}, "at most 365 days"},
		{[]string{"init", "--dir", filepath.Join(base, "x"), "--days", "0"}, "--days must be at least 1"},
		{[]string{"issue", "--dir", ca, "--server", "bad_name", "--out", out}, `"bad_name" is not a host name or IP address`},
		{[]string{"issue", "--dir", ca, "--server", "ok.example", "--key", "rsa-1024", "--out", out}, "unknown key type"},
		{[]string{"issue", "--dir", filepath.Join(base, "nothing"), "--server", "ok.example", "--out", out}, "no CA in"},
		{[]string{"issue", "--dir", ca, "--server", "ok.example", "--days", "0", "--out", out}, "--days must be at least 1"},
		{[]string{"issue", "--dir", ca, "--server", "ok.example", "--days", "-5", "--out", out}, "--days must be at least 1"},
		{[]string{"issue", "--dir", ca, "--server", "ok.example", "--days", "366", "--out", out}, "after the CA certificate"},
		{[]string{"issue", "--dir", ca, "--server", "ok.example", "--out", filepath.Join(base, "taken")}, "already exists; refusing to overwrite it (--force replaces it)"},
		{[]string{"issue", "--dir", ca, "--client", "", "--out", out}, "needs a name"},
		{[]string{"sign", badCSR, "--dir", ca, "--out", out}, "signature does not verify"},
		{[]string{"sign", filepath.Join(base, "missing.csr"), "--dir", ca, "--out", out}, "reading the CSR"},
		{[]string{"revoke", "zz", "--dir", ca}, "not hexadecimal"},
		{[]string{"revoke", "0123", "--dir", ca}, "issued no certificate with serial 0123"},
		{[]string{"revoke", "0123", "--dir", ca, "--reason", "certificateHold"}, "not supported"},
		{[]string{"crl", "--dir", filepath.Join(base, "nothing")}, "create one with 'lucid ca init"},
		{[]string{"list", "--dir", filepath.Join(base, "nothing")}, "no CA in"},
	} {
		before := caTree(t, base)
		code, stdout, errOut := caRun(tc.args...)
		if code != 1 || !strings.HasPrefix(errOut, "lucid ca: ") || !strings.Contains(errOut, tc.want) || stdout != "" {
			t.Errorf("lucid ca %s: exit %d, want 1 with %q\nstdout: %q\nstderr: %q", strings.Join(tc.args, " "), code, tc.want, stdout, errOut)
		}
		if after := caTree(t, base); !maps.Equal(before, after) {
			t.Errorf("lucid ca %s changed files", strings.Join(tc.args, " "))
		}
	}
	// --force replaces.
	caMust(t, "issue", "--dir", ca, "--server", "ok.example", "--out", filepath.Join(base, "taken"), "--force")
	caMust(t, "init", "--dir", ca, "--force")
}

func TestCADirFromEnvironment(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "envca")
	t.Setenv("LUCID_CA_DIR", dir)
	caMust(t, "init")
	if _, err := os.Stat(filepath.Join(dir, "ca.crt")); err != nil {
		t.Fatalf("init without --dir did not use LUCID_CA_DIR: %v", err)
	}
	code, out, _ := caRun("init", "-h")
	if code != 0 || !strings.Contains(out, dir) {
		t.Errorf("init -h does not show the default directory %s:\n%s", dir, out)
	}
}

func TestDefaultCADir(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		goos string
		want string
	}{
		{map[string]string{"LUCID_CA_DIR": "/x/ca", "HOME": "/home/u"}, "linux", "/x/ca"},
		{map[string]string{"XDG_DATA_HOME": "/data", "HOME": "/home/u"}, "linux", "/data/lucid/ca"},
		{map[string]string{"XDG_DATA_HOME": "rel/data", "HOME": "/home/u"}, "linux", "/home/u/.local/share/lucid/ca"},
		{map[string]string{"HOME": "/home/u"}, "freebsd", "/home/u/.local/share/lucid/ca"},
		{map[string]string{"HOME": "/Users/u"}, "darwin", "/Users/u/Library/Application Support/lucid/ca"},
		{map[string]string{"LocalAppData": `C:\Users\u\AppData\Local`}, "windows", filepath.Join(`C:\Users\u\AppData\Local`, "lucid", "ca")},
		{map[string]string{}, "linux", ""},
		{map[string]string{}, "windows", ""},
	} {
		got, err := defaultCADir(func(k string) string { return tc.env[k] }, tc.goos)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("defaultCADir(%v, %s) = %q, %v; want %q", tc.env, tc.goos, got, err, tc.want)
		}
	}
	t.Setenv("LUCID_CA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "")
	code, _, errOut := caRun("list")
	if code != 2 || !strings.Contains(errOut, "pass --dir or set LUCID_CA_DIR") {
		t.Errorf("no directory at all: exit %d, %q", code, errOut)
	}
}
