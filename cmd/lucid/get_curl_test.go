package main

import (
	stdtls "crypto/tls"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/pki"
)

// redirectServer serves /r/N as a redirect to /r/N-1 down to /r/0, which
// answers "landed"; /loop redirects to itself; /files/hello.txt is a file.
func redirectServer(t *testing.T, p *servePKI, maxVersion uint16) *httptest.Server {
	t.Helper()
	cert, err := stdtls.LoadX509KeyPair(p.certFile, p.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/r/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/r/"))
			if n == 0 {
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, "landed\n")
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/r/%d", n-1), http.StatusFound)
		case r.URL.Path == "/files/hello.txt":
			io.WriteString(w, "hello, file\n")
		default:
			io.WriteString(w, "ok\n")
		}
	}))
	ts.EnableHTTP2 = true
	ts.TLS = &stdtls.Config{Certificates: []stdtls.Certificate{cert}, MaxVersion: maxVersion}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

func TestGetSilentAndShowError(t *testing.T) {
	p := newServePKI(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	r := lucidGet("-s", "--cacert", p.caFile, "https://"+closed+"/")
	if r.code != exitConnect || r.stderr != "" {
		t.Errorf("-s should fail silently with exit 3: %v", r)
	}
	for _, args := range [][]string{{"-s", "-S"}, {"-sS"}, {"--silent", "--show-error"}} {
		r = lucidGet(append(args, "--cacert", p.caFile, "https://"+closed+"/")...)
		if r.code != exitConnect || !strings.Contains(r.stderr, "refused") {
			t.Errorf("%v should print the error: %v", args, r)
		}
	}
	// The --insecure warning is not silenced.
	ts := redirectServer(t, p, 0)
	r = lucidGet("-sk", ts.URL)
	if r.code != 0 || r.stdout != "ok\n" || !strings.Contains(r.stderr, "WARNING: --insecure") {
		t.Errorf("-sk: %v", r)
	}
}

func TestGetRemoteName(t *testing.T) {
	p := newServePKI(t)
	ts := redirectServer(t, p, 0)
	dir := t.TempDir()
	t.Chdir(dir)
	r := lucidGet("-O", "--cacert", p.caFile, ts.URL+"/files/hello.txt")
	if got, err := os.ReadFile(filepath.Join(dir, "hello.txt")); r.code != 0 || r.stdout != "" || err != nil || string(got) != "hello, file\n" {
		t.Errorf("-O: %v; file %q, %v", r, got, err)
	}
	for _, u := range []string{ts.URL + "/", ts.URL, ts.URL + "/files/.."} {
		if r := lucidGet("-O", "--cacert", p.caFile, u); r.code != exitUsage || !strings.Contains(r.stderr, "no file name") {
			t.Errorf("-O %s: %v", u, r)
		}
	}
	if r := lucidGet("-O", "-o", "x", ts.URL+"/files/hello.txt"); r.code != exitUsage {
		t.Errorf("-O -o: %v", r)
	}
}

func TestGetFollowsBoundedRedirects(t *testing.T) {
	p := newServePKI(t)
	ts := redirectServer(t, p, 0)
	r := lucidGet("-L", "-w", "%{num_redirects} %{url_effective}", "--cacert", p.caFile, ts.URL+"/r/3")
	if r.code != 0 || r.stdout != "landed\n3 "+ts.URL+"/r/0" {
		t.Errorf("-L through 3 redirects: %v", r)
	}
	// Without -L the redirect itself is the answer.
	r = lucidGet("-w", "%{http_code}", "--cacert", p.caFile, ts.URL+"/r/3")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "302") {
		t.Errorf("no -L: %v", r)
	}
	r = lucidGet("-L", "--max-redirs", "2", "--cacert", p.caFile, ts.URL+"/r/3")
	if r.code != exitOther || !strings.Contains(r.stderr, "stopped after 2 redirects") {
		t.Errorf("--max-redirs 2 with 3 redirects: %v", r)
	}
	r = lucidGet("-L", "--cacert", p.caFile, ts.URL+"/loop")
	if r.code != exitOther || !strings.Contains(r.stderr, fmt.Sprintf("stopped after %d redirects", defaultMaxRedirs)) {
		t.Errorf("a redirect loop: %v", r)
	}
}

func TestGetWriteOut(t *testing.T) {
	p := newServePKI(t)
	ts := redirectServer(t, p, 0)
	r := lucidGet("-s", "-w", "%{http_code}", "--cacert", p.caFile, ts.URL+"/")
	if r.code != 0 || r.stdout != "ok\n200" {
		t.Errorf("-s -w %%{http_code}: %v", r)
	}
	r = lucidGet("-o", os.DevNull, "-w", `%{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}\n`+
		`%{ssl_verify_result}|%{http_version}|%{size_download}|%{content_type}|%{remote_ip}|%{remote_port}|100%%\t.`,
		"--cacert", p.caFile, ts.URL+"/r/0")
	lines := strings.Split(r.stdout, "\n")
	if r.code != 0 || len(lines) != 2 {
		t.Fatalf("-w with times: %v", r)
	}
	var times []float64
	for _, f := range strings.Fields(lines[0]) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || !strings.Contains(f, ".") || len(f[strings.Index(f, ".")+1:]) != 6 {
			t.Errorf("time %q is not seconds with 6 decimals", f)
		}
		times = append(times, v)
	}
	if len(times) != 4 || times[0] <= 0 || !slices.IsSorted(times) {
		t.Errorf("times should be positive and in order connect ≤ appconnect ≤ starttransfer ≤ total: %q", lines[0])
	}
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	if want := "0|2|7|text/plain|127.0.0.1|" + port + "|100%\t."; lines[1] != want {
		t.Errorf("-w second line: got %q, want %q", lines[1], want)
	}

	// After a failure the format is still written, with code 000 and the
	// verification result in OpenSSL's numbering.
	other, _ := testpki.NewCA("Other Root", testpki.ECDSAP256)
	otherFile, _ := other.WriteFile(t.TempDir())
	r = lucidGet("-s", "-w", "%{http_code} %{ssl_verify_result}", "--cacert", otherFile, ts.URL)
	if r.code != exitCertificate || r.stdout != "000 20" {
		t.Errorf("-w after a certificate failure: %v", r)
	}
	// Under -k it still tells what verification would have said.
	r = lucidGet("-k", "-w", "%{ssl_verify_result}", "--cacert", otherFile, ts.URL)
	if r.code != 0 || r.stdout != "ok\n20" {
		t.Errorf("-k -w %%{ssl_verify_result}: %v", r)
	}
	f := filepath.Join(t.TempDir(), "fmt")
	os.WriteFile(f, []byte("code=%{http_code}\n"), 0o644)
	if r := lucidGet("-w", "@"+f, "--cacert", p.caFile, ts.URL); r.code != 0 || r.stdout != "ok\ncode=200\n" {
		t.Errorf("-w @file: %v", r)
	}
	for _, bad := range []string{"%{nope}", "%{http_code", "@" + filepath.Join(t.TempDir(), "missing")} {
		if r := lucidGet("-w", bad, ts.URL); r.code != exitUsage {
			t.Errorf("-w %q: %v", bad, r)
		}
	}
}

// silentListener accepts connections and never writes to them: a server
// that hangs the handshake.
func silentListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				select {
				case <-done:
				case <-testwait.Context(t).Done():
				}
			}()
		}
	}()
	return l.Addr().String()
}

func TestGetTimeouts(t *testing.T) {
	p := newServePKI(t)
	addr := silentListener(t)
	// A handshake that never finishes is a timeout (3), not a handshake
	// failure (4), and says which limit ran out.
	for _, args := range [][]string{{"--http1.1"}, {"--http2"}, {}} {
		r := lucidGet(append(args, "--connect-timeout", "0.5", "--cacert", p.caFile, "https://"+addr+"/")...)
		if r.code != exitConnect || !strings.Contains(r.stderr, "timed out") || !strings.Contains(r.stderr, "--connect-timeout") {
			t.Errorf("%v: silent server, --connect-timeout: %v", args, r)
		}
	}
	r := lucidGet("--max-time", "0.5", "--connect-timeout", "0", "--cacert", p.caFile, "https://"+addr+"/")
	if r.code != exitConnect || !strings.Contains(r.stderr, "--max-time") {
		t.Errorf("silent server, --max-time: %v", r)
	}
	// --connect-timeout does not limit what follows the handshake (or the
	// TCP connection, for http://): a response slower than it arrives.
	for _, scheme := range []string{"https", "http"} {
		release, entered := make(chan struct{}), make(chan struct{}, 1)
		cert, _ := stdtls.LoadX509KeyPair(p.certFile, p.keyFile)
		slow := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			entered <- struct{}{}
			<-release
			io.WriteString(w, "late\n")
		}))
		slow.Config.ErrorLog = log.New(io.Discard, "", 0)
		if scheme == "https" {
			slow.TLS = &stdtls.Config{Certificates: []stdtls.Certificate{cert}}
			slow.StartTLS()
		} else {
			slow.Start()
		}
		got := make(chan getResult, 1)
		// Generous, so that a slow machine still shakes hands in time.
		const limit = "2"
		go func() {
			var stdout, stderr strings.Builder
			code := runGet([]string{"--connect-timeout", limit, "--cacert", p.caFile, slow.URL}, &stdout, &stderr)
			got <- getResult{code, stdout.String(), stderr.String()}
		}()
		// Wait until the server has the request, then until a connection
		// made after that has itself run out of the same connect timeout:
		// by then the slow request's own limit has passed too.
		select {
		case <-entered:
		case r := <-got:
			t.Fatalf("%s: the request never reached the server: %v", scheme, r)
		}
		r = lucidGet("--connect-timeout", limit, "--cacert", p.caFile, "https://"+addr+"/")
		if r.code != exitConnect {
			t.Fatalf("silent server: %v", r)
		}
		close(release)
		if r := <-got; r.code != 0 || r.stdout != "late\n" {
			t.Errorf("%s: a response after --connect-timeout has passed: %v", scheme, r)
		}
		slow.Close()
	}
}

func TestGetVersionsCiphersCurves(t *testing.T) {
	p := newServePKI(t)
	ts12 := redirectServer(t, p, stdtls.VersionTLS12)
	ts := redirectServer(t, p, 0)
	if r := lucidGet("--tlsv1.3", "--cacert", p.caFile, ts12.URL); r.code != exitHandshake {
		t.Errorf("--tlsv1.3 against a TLS 1.2 server: %v", r)
	}
	if r := lucidGet("-v", "--tlsv1.2", "--cacert", p.caFile, ts12.URL); r.code != 0 || !strings.Contains(r.stderr, "TLS handshake done: TLS 1.2") {
		t.Errorf("--tlsv1.2: %v", r)
	}
	if r := lucidGet("-v", "--tlsv1.2", "--tls-max", "1.2", "--cacert", p.caFile, ts.URL); r.code != 0 || !strings.Contains(r.stderr, "TLS handshake done: TLS 1.2") {
		t.Errorf("--tls-max 1.2: %v", r)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384"}, "cipher suite TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"},
		{[]string{"--tls-max", "1.2", "--ciphers", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, "cipher suite TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,"},
		{[]string{"--tlsv1.3", "--ciphers", "TLS_CHACHA20_POLY1305_SHA256"}, "cipher suite TLS_CHACHA20_POLY1305_SHA256,"},
		{[]string{"--curves", "secp384r1"}, "key exchange group secp384r1\n"},
		{[]string{"--curves", "P-256"}, "key exchange group secp256r1\n"},
		{[]string{"--curves", "X25519:secp256r1"}, "key exchange group x25519\n"},
		{[]string{"--curves", "secp521r1"}, "key exchange group secp521r1\n"},
		{[]string{"--tls-max", "1.2", "--curves", "x25519:secp256r1"}, "key exchange group x25519\n"},
	} {
		r := lucidGet(append(append([]string{"-v", "--cacert", p.caFile}, c.args...), ts.URL)...)
		if r.code != 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: want %q in: %v", c.args, c.want, r)
		}
		if strings.Contains(r.stderr, "CurveP") {
			t.Errorf("%v: -v names a group the Go way:\n%s", c.args, r.stderr)
		}
	}
	for _, args := range [][]string{{"--ciphers", "RC4-MD5"}, {"--curves", "brainpool"}, {"--ciphers", ":"}, {"--max-redirs", "-1"}} {
		if r := lucidGet(append(args, ts.URL)...); r.code != exitUsage {
			t.Errorf("%v: %v", args, r)
		}
	}
}

// A server whose certificate a --crl list revokes is refused with exit 5;
// a list that does not name it changes nothing.
func TestGetCRL(t *testing.T) {
	ca, err := testpki.NewCA("CRL Test Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile, _ := ca.WriteFile(dir)
	leaf, _ := ca.Issue(testpki.LeafOptions{Names: []string{"127.0.0.1"}})
	other, _ := ca.Issue(testpki.LeafOptions{Names: []string{"127.0.0.1"}})
	certFile, keyFile, _ := leaf.WriteFiles(dir, "server")
	cert, _ := stdtls.LoadX509KeyPair(certFile, keyFile)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") }))
	ts.TLS = &stdtls.Config{Certificates: []stdtls.Certificate{cert}}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	defer ts.Close()

	writeCRL := func(name string, pemForm bool, revoked ...*testpki.Leaf) string {
		rl, err := ca.RevocationList(revoked...)
		if err != nil {
			t.Fatal(err)
		}
		data := rl.Raw
		if pemForm {
			data = pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: rl.Raw})
		}
		f := filepath.Join(dir, name)
		os.WriteFile(f, data, 0o644)
		return f
	}
	revokes := writeCRL("revokes.crl", true, leaf)
	revokesDER := writeCRL("revokes.der", false, leaf)
	spares := writeCRL("spares.crl", true, other)

	if r := lucidGet("--cacert", caFile, "--crl", spares, ts.URL); r.code != 0 {
		t.Errorf("a CRL that does not list the server: %v", r)
	}
	for _, f := range []string{revokes, revokesDER} {
		r := lucidGet("-w", "%{ssl_verify_result}", "--cacert", caFile, "--crl", spares, "--crl", f, ts.URL)
		if r.code != exitCertificate || !strings.Contains(r.stderr, "revoked") || r.stdout != "23" {
			t.Errorf("--crl %s: %v", filepath.Base(f), r)
		}
	}
	// -k still connects, and -w says what verification would have said.
	if r := lucidGet("-k", "-w", "%{ssl_verify_result}", "--cacert", caFile, "--crl", revokes, ts.URL); r.code != 0 || r.stdout != "ok\n23" {
		t.Errorf("-k with a revoking CRL: %v", r)
	}
	garbage := filepath.Join(dir, "garbage.crl")
	os.WriteFile(garbage, []byte("not a CRL"), 0o644)
	for _, f := range []string{garbage, filepath.Join(dir, "missing.crl"), caFile} {
		if r := lucidGet("--cacert", caFile, "--crl", f, ts.URL); r.code != exitOther || !strings.Contains(r.stderr, "--crl") {
			t.Errorf("--crl %s: %v", filepath.Base(f), r)
		}
	}
}

func TestExpandShortFlags(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"-sSL", "url"}, []string{"-s", "-S", "-L", "url"}},
		{[]string{"-fsSL"}, []string{"-f", "-s", "-S", "-L"}},
		{[]string{"-d", "-sS", "-sS"}, []string{"-d", "-sS", "-s", "-S"}},
		{[]string{"-sx"}, []string{"-sx"}},
		{[]string{"--", "-sS"}, []string{"--", "-sS"}},
		{[]string{"-w", "-sS"}, []string{"-w", "-sS"}},
		{[]string{"-w=x", "-sS"}, []string{"-w=x", "-s", "-S"}},
	} {
		if got := expandShortFlags(c.in); !slices.Equal(got, c.want) {
			t.Errorf("expandShortFlags(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The flow the issue names: lucid ca issues the server's certificate,
// lucid serve uses it, then `ca revoke` and `ca crl` make the next
// `get --crl` fail with certificate_revoked and exit 5.
func TestGetCRLFromLucidCA(t *testing.T) {
	dir := t.TempDir()
	caDir := filepath.Join(dir, "ca")
	caMust(t, "init", "--dir", caDir)
	caMust(t, "issue", "--dir", caDir, "--server", "localhost,127.0.0.1", "--out", filepath.Join(dir, "srv"))
	chain, err := readCertificateFile(filepath.Join(dir, "srv.crt"))
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t, serveOptions{CertFile: filepath.Join(dir, "srv.crt"), KeyFile: filepath.Join(dir, "srv.key")})
	caFile, crlFile := filepath.Join(caDir, "ca.crt"), filepath.Join(caDir, "ca.crl")
	url := "https://127.0.0.1:" + s.port + "/"

	caMust(t, "crl", "--dir", caDir)
	if r := lucidGet("-s", "-o", os.DevNull, "-w", "%{http_code}", "--cacert", caFile, "--crl", crlFile, url); r.code != 0 || r.stdout != "200" {
		t.Fatalf("before the revocation: %v", r)
	}
	caMust(t, "revoke", "--dir", caDir, pki.FormatSerial(chain[0].SerialNumber))
	caMust(t, "crl", "--dir", caDir)
	r := lucidGet("--cacert", caFile, "--crl", crlFile, url)
	if r.code != exitCertificate || !strings.Contains(r.stderr, "certificate_revoked") || !strings.Contains(r.stderr, "was revoked on") {
		t.Errorf("after ca revoke and ca crl: %v", r)
	}
}

// FuzzWriteOut: no -w format panics or runs away, and what parses renders.
func FuzzWriteOut(f *testing.F) {
	for _, s := range []string{"%{http_code}", `%{time_total}\n%%\t\\x`, "%{", "%{}", "%{nope}", `\`, "%", "a%{url_effective}b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, format string) {
		if strings.HasPrefix(format, "@") {
			return // a file name, not a format
		}
		parts, err := parseWriteOut(format)
		if err != nil {
			return
		}
		var b strings.Builder
		if err := writeOut(&b, parts, &transferFacts{status: 200, url: "u"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(format, "%") && !strings.Contains(format, `\`) && b.String() != format {
			t.Fatalf("plain text %q rendered as %q", format, b.String())
		}
	})
}
