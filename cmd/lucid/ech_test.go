package main

import (
	"bytes"
	"context"
	stdtls "crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lucid/inspect"
	"lucid/internal/testpki"
	"lucid/internal/testproxy"
	"lucid/internal/wire"
	"lucid/tls"
)

// The ECH tests hide echRealName inside an outer hello for echPublicName;
// echPKI's server certificate covers both. Both have two labels, since
// crypto/tls skips configs whose public name has one (like localhost).
const (
	echPublicName = "public.test"
	echRealName   = "secret.test"
)

// echPKI is a CA and a server certificate for both ECH names, in files.
func echPKI(t *testing.T) *servePKI {
	t.Helper()
	ca, err := testpki.NewCA("ECH Test Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{echRealName, echPublicName, "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	p := &servePKI{dir: t.TempDir()}
	if p.certFile, p.keyFile, err = leaf.WriteFiles(p.dir, "server"); err != nil {
		t.Fatal(err)
	}
	p.caFile = filepath.Join(p.dir, "server-ca.pem")
	return p
}

// echKeys is what `lucid ech keygen` wrote.
type echKeys struct {
	keyFile, listFile string
	list              []byte
	b64               string // the base64 it printed
}

func makeECHKeys(t *testing.T, publicName string, configID int) echKeys {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ech")
	var stdout, stderr bytes.Buffer
	code := run([]string{"ech", "keygen", "--public-name", publicName, "--out", dir, "--config-id", fmt.Sprint(configID)}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("lucid ech keygen: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	k := echKeys{keyFile: filepath.Join(dir, "ech.pem"), listFile: filepath.Join(dir, "ech.configlist")}
	var err error
	if k.list, err = os.ReadFile(k.listFile); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(stdout.String(), "\n")
	for i, l := range lines {
		if l == "ECHConfigList (base64):" && i+1 < len(lines) {
			k.b64 = lines[i+1]
		}
	}
	return k
}

// stdECHClient is a crypto/tls client of the test PKI that dials addr
// whatever the URL says, with ECH to list when it is set.
func stdECHClient(t *testing.T, p *servePKI, addr string, list []byte) *http.Client {
	t.Helper()
	caPEM, err := os.ReadFile(p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	tr := &http.Transport{
		TLSClientConfig: &stdtls.Config{RootCAs: pool, MinVersion: stdtls.VersionTLS13, EncryptedClientHelloConfigList: list},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2: true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestECHKeygen(t *testing.T) {
	k := makeECHKeys(t, "public.example", 7)
	st, err := os.Stat(k.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	if b, err := base64.StdEncoding.DecodeString(k.b64); err != nil || !bytes.Equal(b, k.list) {
		t.Errorf("printed base64 %q is not the ECHConfigList file (%v)", k.b64, err)
	}
	pemData, _ := os.ReadFile(k.keyFile)
	var types []string
	for rest := pemData; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		types = append(types, b.Type)
		if b.Type == "ECHCONFIG" && !bytes.Equal(b.Bytes, k.list) {
			t.Error("the key file's ECHCONFIG block is not the ECHConfigList")
		}
	}
	if strings.Join(types, ",") != "PRIVATE KEY,ECHCONFIG" {
		t.Errorf("key file blocks %q", types)
	}
	key, c, err := loadECHKeyFile(k.keyFile)
	if err != nil || c.ConfigID != 7 || c.PublicName != "public.example" || len(key.PrivateKey) != 32 {
		t.Fatalf("loading the key file: %v (config id %d, name %q)", err, c.ConfigID, c.PublicName)
	}
	// The config a client reads, in each form get takes.
	for _, arg := range []string{k.listFile, k.keyFile, k.b64, strings.TrimRight(k.b64, "=")} {
		list, c, err := readECHConfigArg(arg)
		if err != nil || !bytes.Equal(list, k.list) || c.ConfigID != 7 {
			t.Errorf("--ech-config %s: %v", arg, err)
		}
	}

	var stdout, stderr bytes.Buffer
	dir := filepath.Dir(k.keyFile)
	if code := run([]string{"ech", "keygen", "--public-name", "public.example", "--out", dir}, &stdout, &stderr); code != exitOther || !strings.Contains(stderr.String(), "exists") {
		t.Errorf("keygen over an existing key: exit %d, %s", code, stderr.String())
	}
	if after, _ := os.ReadFile(k.keyFile); !bytes.Equal(after, pemData) {
		t.Error("keygen overwrote a key without --force")
	}
	for _, args := range [][]string{
		{"ech", "keygen", "--out", dir},
		{"ech", "keygen", "--public-name", "x.example"},
		{"ech", "keygen", "--public-name", "not a name", "--out", dir},
		{"ech", "keygen", "--public-name", "x.example", "--out", dir, "--config-id", "256"},
		{"ech", "rotate"},
	} {
		stderr.Reset()
		if code := run(args, io.Discard, &stderr); code != exitUsage || stderr.Len() == 0 {
			t.Errorf("%q: exit %d, %q", args, code, stderr.String())
		}
	}
	// A key file with a config for another key is refused.
	other := makeECHKeys(t, "public.example", 8)
	mixed := filepath.Join(t.TempDir(), "mixed.pem")
	keyBlock, _ := pem.Decode(pemData)
	os.WriteFile(mixed, append(pem.EncodeToMemory(keyBlock), pem.EncodeToMemory(&pem.Block{Type: "ECHCONFIG", Bytes: other.list})...), 0o600)
	if _, _, err := loadECHKeyFile(mixed); err == nil || !strings.Contains(err.Error(), "no config") {
		t.Errorf("a key with another key's config: %v", err)
	}
	if _, _, err := readECHConfigArg("%%%"); err == nil {
		t.Error("--ech-config accepts what is neither a file nor base64")
	}
}

// A crypto/tls client with the config from lucid ech keygen reaches lucid
// serve --ech-key with ECH accepted, and the path sees only the public
// name.
func TestECHServeCryptoTLSClient(t *testing.T) {
	p := echPKI(t)
	k := makeECHKeys(t, echPublicName, 1)
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, ECHKeyFiles: []string{k.keyFile}})
	if out := s.stdout.String(); !strings.Contains(out, base64.StdEncoding.EncodeToString(k.list)) || !strings.Contains(out, "config id 1, public name public.test (current") {
		t.Errorf("serve does not print the config list to publish:\n%s", out)
	}
	relay := testproxy.New(t, s.addr)
	url := "https://" + net.JoinHostPort(echRealName, s.port) + "/api/handshake"

	resp, err := stdECHClient(t, p, relay.Addr(), k.list).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !resp.TLS.ECHAccepted {
		t.Fatal("crypto/tls reports ECH not accepted")
	}
	if resp.TLS.ServerName != echRealName {
		t.Errorf("crypto/tls ServerName %q", resp.TLS.ServerName)
	}
	hello := relay.FirstFlight()
	if !bytes.Contains(hello, []byte(echPublicName)) || bytes.Contains(hello, []byte(echRealName)) {
		t.Errorf("the captured hello (%d bytes) does not show %q alone: %q", len(hello), echPublicName, hello)
	}
	checkInspectECH(t, body, "accepted", echPublicName, echRealName)

	// The same client without ECH: the capture shows the real name, so
	// the check above could fail.
	resp, err = stdECHClient(t, p, relay.Addr(), nil).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.TLS.ECHAccepted || !bytes.Contains(relay.FirstFlight(), []byte(echRealName)) {
		t.Errorf("without ECH: accepted %v, the real name in clear %v", resp.TLS.ECHAccepted, bytes.Contains(relay.FirstFlight(), []byte(echRealName)))
	}
	checkInspectECH(t, body, "none", echRealName, "")
}

// checkInspectECH checks the ech member of a lucid.inspect/2 report.
func checkInspectECH(t *testing.T, body []byte, status, outer, inner string) {
	t.Helper()
	var rep inspect.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("/api/handshake: %v\n%s", err, body)
	}
	e := rep.Connection.ECH
	if e.Status != status || e.OuterServerName != outer || e.InnerServerName != inner {
		t.Errorf("the inspection report's ech is %+v, want status %s, outer %q, inner %q", e, status, outer, inner)
	}
}

// stdECHServer is a crypto/tls HTTPS server for echRealName with the ECH
// keys in files; it answers with whether ECH was accepted and the name it
// served.
func stdECHServer(t *testing.T, p *servePKI, sendAsRetry bool, keyFiles ...string) *httptest.Server {
	t.Helper()
	cert, err := stdtls.LoadX509KeyPair(p.certFile, p.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var keys []stdtls.EncryptedClientHelloKey
	for _, f := range keyFiles {
		k, _, err := loadECHKeyFile(f)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, stdtls.EncryptedClientHelloKey{Config: k.Config, PrivateKey: k.PrivateKey, SendAsRetry: sendAsRetry})
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ech=%v name=%s\n", r.TLS.ECHAccepted, r.TLS.ServerName)
	}))
	ts.EnableHTTP2 = true
	ts.TLS = &stdtls.Config{Certificates: []stdtls.Certificate{cert}, EncryptedClientHelloKeys: keys}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

// echGetArgs are lucid get's arguments to fetch path from a server on
// port as echRealName.
func echGetArgs(p *servePKI, port, path string, more ...string) []string {
	return append([]string{"--cacert", p.caFile, "--resolve", echRealName + ":" + port + ":127.0.0.1"},
		append(more, "https://"+net.JoinHostPort(echRealName, port)+path)...)
}

// lucid get --ech-config against a crypto/tls ECH server reports
// acceptance, with the config as a file and as base64.
func TestGetECHCryptoTLSServer(t *testing.T) {
	p := echPKI(t)
	k := makeECHKeys(t, echPublicName, 3)
	ts := stdECHServer(t, p, true, k.keyFile)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	for _, cfg := range []string{k.listFile, k.b64} {
		r := lucidGet(echGetArgs(p, port, "/", "-v", "--ech-config", cfg)...)
		if r.code != 0 || r.stdout != "ech=true name="+echRealName+"\n" {
			t.Fatalf("--ech-config %s: %v", cfg, r)
		}
		for _, want := range []string{
			"* ECH: the hello for secret.test goes encrypted to config id 3; the outer hello, which is all the path sees, names the public name public.test",
			"* ECH: accepted (the ServerHello's confirmation checked): the path saw the outer hello, naming public.test; only the server saw the inner hello, naming secret.test",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("-v lacks %q:\n%s", want, r.stderr)
			}
		}
	}
	// Without --ech-config, -v says the name went in clear.
	r := lucidGet(echGetArgs(p, port, "/", "-v")...)
	if r.code != 0 || r.stdout != "ech=false name="+echRealName+"\n" || !strings.Contains(r.stderr, "* ECH: not used (no --ech-config): the path saw the server name secret.test") {
		t.Errorf("without --ech-config: %v", r)
	}
	// ECH needs TLS 1.3.
	r = lucidGet(echGetArgs(p, port, "/", "--tls-max", "1.2", "--ech-config", k.listFile)...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "TLS 1.3") {
		t.Errorf("--ech-config with --tls-max 1.2: %v", r)
	}
}

// A stale config is rejected; lucid get retries with the server's retry
// configs and succeeds, against lucid serve and against crypto/tls.
func TestGetECHStaleConfigRetried(t *testing.T) {
	p := echPKI(t)
	stale, current := makeECHKeys(t, echPublicName, 1), makeECHKeys(t, echPublicName, 2)
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, ECHKeyFiles: []string{current.keyFile}, Dir: t.TempDir()})
	ts := stdECHServer(t, p, true, current.keyFile)
	_, stdPort, _ := net.SplitHostPort(ts.Listener.Addr().String())
	for name, port := range map[string]string{"lucid serve": s.port, "crypto/tls": stdPort} {
		r := lucidGet(echGetArgs(p, port, "/", "-v", "-o", os.DevNull, "--ech-config", stale.listFile)...)
		if r.code != 0 {
			t.Fatalf("%s: %v", name, r)
		}
		for _, want := range []string{
			"* ECH: rejected: the server could not open the hello encrypted to config id 1, and proved with its certificate that it is public.test; it sent retry configs (config id 2, public name public.test): retrying once with them",
			"* ECH: accepted, with the server's retry config (the ServerHello's confirmation checked)",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: -v lacks %q:\n%s", name, want, r.stderr)
			}
		}
	}

	// Rotation: a server that keeps the old key as well takes the stale
	// config directly.
	rot := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, ECHKeyFiles: []string{current.keyFile, stale.keyFile}, Dir: t.TempDir()})
	if !strings.Contains(rot.stdout.String(), "config id 1, public name public.test (older") {
		t.Errorf("serve does not say the second key is kept for old configs:\n%s", rot.stdout)
	}
	r := lucidGet(echGetArgs(p, rot.port, "/", "-v", "-o", os.DevNull, "--ech-config", stale.listFile)...)
	if r.code != 0 || strings.Contains(r.stderr, "rejected") || !strings.Contains(r.stderr, "* ECH: accepted (") {
		t.Errorf("rotated server and an old config: %v", r)
	}

	// A server that sends no retry configs: lucid get fails, saying why,
	// rather than send the name in clear.
	none := stdECHServer(t, p, false, current.keyFile)
	_, port, _ := net.SplitHostPort(none.Listener.Addr().String())
	r = lucidGet(echGetArgs(p, port, "/", "--ech-config", stale.listFile)...)
	if r.code != exitHandshake || !strings.Contains(r.stderr, "sent no retry configs") || !strings.Contains(r.stderr, "does not fall back") || r.stdout != "" {
		t.Errorf("no retry configs: %v", r)
	}
}

// The key file and --ech-config readers take any bytes without a panic,
// and what they accept is consistent.
func FuzzParseECHKeyFile(f *testing.F) {
	k, err := tls.GenerateEncryptedClientHelloKey("public.example", 1)
	if err != nil {
		f.Fatal(err)
	}
	list, keyPEM, err := encodeECHKey(k)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(keyPEM)
	f.Add(list)
	f.Add([]byte(base64.StdEncoding.EncodeToString(list)))
	f.Add(keyPEM[:len(keyPEM)/2])
	f.Add([]byte("-----BEGIN ECHCONFIG-----\nAAA=\n-----END ECHCONFIG-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if k, c, err := parseECHKeyFile(data); err == nil {
			if !bytes.Equal(k.Config, c.Raw) || len(k.PrivateKey) == 0 {
				t.Fatalf("accepted a key file whose key and config disagree")
			}
		}
		if l, err := echConfigFromFile(data); err == nil {
			if c, err := usableECHConfig(l); err == nil {
				if _, perr := wire.ParseECHConfig(c.Raw); perr != nil {
					t.Fatalf("the config get would use does not parse alone: %v", perr)
				}
			}
		}
	})
}

func TestServeECHKeyChecks(t *testing.T) {
	p := echPKI(t)
	k := makeECHKeys(t, "other.test", 4)
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, ECHKeyFiles: []string{k.keyFile}})
	if !strings.Contains(s.stderr.String(), "WARNING: no certificate is for the ECH public name other.test") {
		t.Errorf("no warning for a public name without a certificate:\n%s", s.stderr)
	}
	for name, c := range map[string]struct {
		files []string
		want  string
	}{
		"twice":     {[]string{k.keyFile, k.keyFile}, "is the same key as"},
		"not a key": {[]string{p.certFile}, "not an ECH key file"},
		"missing":   {[]string{filepath.Join(t.TempDir(), "none.pem")}, "no such file"},
	} {
		o := serveOptions{Addr: "127.0.0.1:0", CertFile: p.certFile, KeyFile: p.keyFile, ClientAuth: "none", ECHKeyFiles: c.files}
		ctx, cancel := context.WithCancel(context.Background())
		err := serve(ctx, o, io.Discard, io.Discard, func(net.Addr) { t.Errorf("%s: the server started", name); cancel() })
		cancel()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, c.want)
		}
	}
	var stderr bytes.Buffer
	if code := run([]string{"serve", "--ech-key", k.keyFile, "--tls-max", "1.2"}, io.Discard, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "TLS 1.3") {
		t.Errorf("--ech-key with --tls-max 1.2: exit %d, %s", code, stderr.String())
	}
}
