package main

import (
	"bytes"
	stdtls "crypto/tls"
	"crypto/x509"
	"encoding/json"
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

	"lucid/internal/testpki"
	"lucid/internal/testwait"
)

// stdServer is a crypto/tls net/http server (HTTP/2 on) with the test
// PKI's server certificate; it echoes the request.
func stdServer(t *testing.T, p *servePKI, clientAuth stdtls.ClientAuthType) *httptest.Server {
	t.Helper()
	cert, err := stdtls.LoadX509KeyPair(p.certFile, p.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.Error(w, "no such page", http.StatusNotFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		peer := "-"
		if len(r.TLS.PeerCertificates) > 0 {
			peer = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		w.Header().Set("X-Echo", "yes")
		fmt.Fprintf(w, "%s %s %s x-test=%s ct=%s body=%s peer=%s\n", r.Method, r.URL.Path, r.Proto,
			r.Header.Get("X-Test"), r.Header.Get("Content-Type"), body, peer)
	}))
	ts.EnableHTTP2 = true
	ts.TLS = &stdtls.Config{Certificates: []stdtls.Certificate{cert}, ClientAuth: clientAuth, ClientCAs: pool}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

type getResult struct {
	code           int
	stdout, stderr string
}

func lucidGet(args ...string) getResult {
	var stdout, stderr bytes.Buffer
	code := runGet(args, &stdout, &stderr)
	return getResult{code, stdout.String(), stderr.String()}
}

func (r getResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func TestGetFromCryptoTLSServer(t *testing.T) {
	p := newServePKI(t)
	ts := stdServer(t, p, stdtls.VerifyClientCertIfGiven)
	url := ts.URL + "/echo"

	r := lucidGet("--cacert", p.caFile, url)
	if r.code != 0 || r.stdout != "GET /echo HTTP/2.0 x-test= ct= body= peer=-\n" {
		t.Errorf("plain GET: %v", r)
	}
	r = lucidGet(url, "--http1.1", "--cacert", p.caFile) // flags after the URL, as with curl
	if r.code != 0 || !strings.HasPrefix(r.stdout, "GET /echo HTTP/1.1 ") {
		t.Errorf("--http1.1: %v", r)
	}
	r = lucidGet("--cacert", p.caFile, "-X", "PUT", "-d", "a=1&b=2", "-H", "X-Test: hello", url)
	if r.code != 0 || r.stdout != "PUT /echo HTTP/2.0 x-test=hello ct=application/x-www-form-urlencoded body=a=1&b=2 peer=-\n" {
		t.Errorf("-X -d -H: %v", r)
	}
	dataFile := filepath.Join(t.TempDir(), "data")
	os.WriteFile(dataFile, []byte("from a file"), 0o644)
	r = lucidGet("--cacert", p.caFile, "-d", "@"+dataFile, "-H", "Content-Type: text/plain", url)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "POST /echo HTTP/2.0 x-test= ct=text/plain body=from a file ") {
		t.Errorf("-d @file: %v", r)
	}
	r = lucidGet("--cacert", p.caFile, "-I", url)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "HTTP/2.0 200 OK\r\n") || !strings.Contains(r.stdout, "X-Echo: yes\r\n") || strings.Contains(r.stdout, "GET") {
		t.Errorf("-I: %v", r)
	}
	out := filepath.Join(t.TempDir(), "body.txt")
	r = lucidGet("--cacert", p.caFile, "-o", out, url)
	if got, _ := os.ReadFile(out); r.code != 0 || r.stdout != "" || !strings.HasPrefix(string(got), "GET /echo") {
		t.Errorf("-o: %v; file %q", r, got)
	}
	r = lucidGet("--cacert", p.caFile, "--cert", p.clientCert, "--key", p.clientK, url)
	if r.code != 0 || !strings.Contains(r.stdout, "peer=alice") {
		t.Errorf("--cert/--key: %v", r)
	}
	// --resolve sends example.test (SNI and certificate check) to 127.0.0.1.
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	r = lucidGet("--cacert", p.caFile, "--resolve", "example.test:"+port+":127.0.0.1", "https://example.test:"+port+"/r")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "GET /r ") {
		t.Errorf("--resolve: %v", r)
	}
	// Without --fail a 404 is a success; with it, exit 6 and no body.
	r = lucidGet("--cacert", p.caFile, ts.URL+"/missing")
	if r.code != 0 || r.stdout != "no such page\n" {
		t.Errorf("404 without --fail: %v", r)
	}
}

func TestGetVerbose(t *testing.T) {
	p := newServePKI(t)
	ts := stdServer(t, p, stdtls.NoClientCert)
	r := lucidGet("-v", "--cacert", p.caFile, "--tls-max", "1.2", ts.URL+"/v")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	for _, want := range []string{
		"* Connected to 127.0.0.1:",
		"TLS 1.2, cipher suite TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, key exchange group x25519",
		"* ALPN: h2",
		"subject: CN=localhost",
		"issuer:  CN=Serve Test Root,O=Lucid test PKI",
		"names:   localhost, example.test, 127.0.0.1, ::1",
		"expires: ",
		"verified: yes",
		"* Session resumed: no",
		"> GET /v HTTP/2.0",
		"< HTTP/2.0 200 OK",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("-v lacks %q:\n%s", want, r.stderr)
		}
	}
	r = lucidGet("-v", "--cacert", p.caFile, "--http1.1", "--tls-min", "1.3", ts.URL+"/v")
	if r.code != 0 || !strings.Contains(r.stderr, "TLS 1.3, cipher suite TLS_AES_") || !strings.Contains(r.stderr, "< HTTP/1.1 200 OK") {
		t.Errorf("-v --http1.1 --tls-min 1.3: %v", r)
	}
}

// Each exit code comes from a real failure of its kind.
func TestGetExitCodes(t *testing.T) {
	p := newServePKI(t)
	ts := stdServer(t, p, stdtls.NoClientCert)

	// 5: the server's certificate is from a CA the client does not trust.
	other, err := testpki.NewCA("Other Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	otherFile, err := other.WriteFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := lucidGet("-v", "--cacert", otherFile, ts.URL)
	if r.code != exitCertificate || !strings.Contains(r.stderr, "certificate") || !strings.Contains(r.stderr, "did not verify:") {
		t.Errorf("wrong CA: %v", r)
	}
	// 5 also for a name the certificate does not carry.
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	r = lucidGet("--cacert", p.caFile, "--resolve", "wrong.test:"+port+":127.0.0.1", "https://wrong.test:"+port+"/")
	if r.code != exitCertificate || !strings.Contains(r.stderr, "wrong.test") {
		t.Errorf("wrong name: %v", r)
	}
	// -k turns verification off, loudly.
	r = lucidGet("-k", "--cacert", otherFile, ts.URL)
	if r.code != 0 || !strings.Contains(r.stderr, "WARNING: --insecure") {
		t.Errorf("-k: %v", r)
	}

	// 4: a server that answers with an alert, and one that answers garbage.
	alertAddr := rawServer(t, []byte{21, 3, 3, 0, 2, 2, 40}) // fatal handshake_failure
	r = lucidGet("--cacert", p.caFile, "https://"+alertAddr+"/")
	if r.code != exitHandshake || !strings.Contains(r.stderr, "handshake_failure") {
		t.Errorf("alert: %v", r)
	}
	garbageAddr := rawServer(t, []byte("SSH-2.0-OpenSSH_9.2\r\n"))
	r = lucidGet("--cacert", p.caFile, "https://"+garbageAddr+"/")
	if r.code != exitHandshake {
		t.Errorf("garbage: %v", r)
	}
	// 4: the server requires a client certificate and none is sent.
	mtls := stdServer(t, p, stdtls.RequireAndVerifyClientCert)
	for _, v := range []string{"1.2", "1.3"} {
		r = lucidGet("--cacert", p.caFile, "--tls-max", v, mtls.URL)
		if r.code != exitHandshake {
			t.Errorf("no client certificate, TLS %s: %v", v, r)
		}
	}
	// 4: --http2 against a server that only speaks HTTP/1.1.
	h1only := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	cert, _ := stdtls.LoadX509KeyPair(p.certFile, p.keyFile)
	h1only.Config.ErrorLog = log.New(io.Discard, "", 0)
	h1only.TLS = &stdtls.Config{Certificates: []stdtls.Certificate{cert}, NextProtos: []string{"http/1.1"}}
	h1only.StartTLS()
	defer h1only.Close()
	r = lucidGet("--cacert", p.caFile, "--http2", h1only.URL)
	if r.code != exitHandshake {
		t.Errorf("--http2 against HTTP/1.1 only: %v", r)
	}

	// 3: nothing listens on the port.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	r = lucidGet("--cacert", p.caFile, "https://"+closed+"/")
	if r.code != exitConnect || !strings.Contains(r.stderr, "refused") {
		t.Errorf("closed port: %v", r)
	}

	// 6: --fail and a 404.
	r = lucidGet("--fail", "--cacert", p.caFile, ts.URL+"/missing")
	if r.code != exitHTTPError || r.stdout != "" || !strings.Contains(r.stderr, "404 Not Found") {
		t.Errorf("--fail 404: %v", r)
	}

	// 2: usage errors.
	for _, args := range [][]string{
		{},
		{"--http1.1", "--http2", ts.URL},
		{"--tls-min", "1.0", ts.URL},
		{"-H", "no colon", ts.URL},
		{"--resolve", "bad", ts.URL},
		{"--cert", "only.pem", ts.URL},
		{"ftp://example.com/"},
		{ts.URL, ts.URL},
		{"--bogus", ts.URL},
	} {
		if r := lucidGet(args...); r.code != exitUsage {
			t.Errorf("lucid get %q: %v", args, r)
		}
	}

	// --help lists the exit codes.
	r = lucidGet("--help")
	if r.code != 0 {
		t.Errorf("--help: %v", r)
	}
	for _, want := range []string{"3  connection failed", "4  TLS handshake failed", "5  certificate verification failed", "6  HTTP error"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

// rawServer accepts connections on loopback and answers each with reply,
// then closes it after reading a little.
func rawServer(t *testing.T, reply []byte) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	deadline := testwait.Deadline(t)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(deadline)
				c.Read(make([]byte, 4096)) // the ClientHello
				c.Write(reply)
				c.(*net.TCPConn).CloseWrite()
				io.Copy(io.Discard, c)
			}()
		}
	}()
	return l.Addr().String()
}

// lucid get against lucid serve, over both protocols and versions.
func TestGetFromServe(t *testing.T) {
	p := newServePKI(t)
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile})
	for _, proto := range []string{"--http1.1", "--http2"} {
		for _, v := range []string{"1.2", "1.3"} {
			r := lucidGet("--cacert", p.caFile, proto, "--tls-min", v, "--tls-max", v,
				"--resolve", "localhost:"+s.port+":127.0.0.1", "https://localhost:"+s.port+"/")
			alpn := map[string]string{"--http1.1": "http/1.1", "--http2": "h2"}[proto]
			if r.code != 0 || !strings.Contains(r.stdout, "<td>TLS "+v+"</td>") || !strings.Contains(r.stdout, "<td>"+alpn+"</td>") {
				t.Errorf("%s TLS %s: %v", proto, v, r)
			}
		}
	}
	r := lucidGet("--fail", "--cacert", p.caFile, "https://127.0.0.1:"+s.port+"/nothing-here")
	if r.code != exitHTTPError {
		t.Errorf("--fail against serve's 404: %v", r)
	}
}

// -v prints the handshake's timeline, each step under its seed step;
// --trace-json writes lucid.trace/1 lines; --keylog and $SSLKEYLOGFILE
// append NSS key log lines to a 0600 file, --keylog winning.
func TestGetTraceAndKeyLog(t *testing.T) {
	p := newServePKI(t)
	ts := stdServer(t, p, stdtls.NoClientCert)
	dir := t.TempDir()

	for _, v := range []string{"1.2", "1.3"} {
		t.Run("TLS "+v, func(t *testing.T) {
			jsonFile := filepath.Join(dir, "trace-"+v+".jsonl")
			keyFile := filepath.Join(dir, "keys-"+v+".log")
			r := lucidGet("-v", "--cacert", p.caFile, "--tls-min", v, "--tls-max", v,
				"--trace-json", jsonFile, "--keylog", keyFile, ts.URL+"/t")
			if r.code != 0 {
				t.Fatalf("%v", r)
			}
			// The timeline: seed labels, sent and received messages, the
			// certificate checks, then the summary as before.
			for _, want := range []string{
				"[seed 1: client starts the HTTPS request]",
				"[seed 4: client checks the certificate]",
				"→ ClientHello",
				"← ServerHello",
				"← Certificate",
				"✓ ",
				"→ Finished",
				"* TLS handshake done: TLS " + v,
				"* TLS secrets are appended to " + keyFile + " (--keylog)",
			} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("-v lacks %q:\n%s", want, r.stderr)
				}
			}
			if strings.Index(r.stderr, "→ ClientHello") > strings.Index(r.stderr, "* TLS handshake done") {
				t.Errorf("the timeline should come before the summary:\n%s", r.stderr)
			}

			// JSON lines: every line is lucid.trace/1, and the handshake
			// is there.
			data, err := os.ReadFile(jsonFile)
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			steps := map[float64]bool{}
			for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(line), &m); err != nil {
					t.Fatalf("line %d: %v: %s", i+1, err, line)
				}
				if m["schema"] != "lucid.trace/1" {
					t.Errorf("line %d: schema %v", i+1, m["schema"])
				}
				names[fmt.Sprint(m["kind"], " ", m["name"])] = true
				if s, ok := m["seed_step"].(float64); ok {
					steps[s] = true
				}
			}
			for _, want := range []string{"message_sent ClientHello", "message_received ServerHello", "message_received Finished", "message_sent Finished"} {
				if !names[want] {
					t.Errorf("--trace-json lacks %q; has %v", want, names)
				}
			}
			wantSteps := []float64{1, 3, 4, 6, 7}
			if v == "1.2" {
				wantSteps = append(wantSteps, 5) // ServerKeyExchange, ClientKeyExchange
			}
			for _, s := range wantSteps {
				if !steps[s] {
					t.Errorf("--trace-json has no event of seed step %v", s)
				}
			}
			if strings.Contains(string(data), "SECRET") || strings.Contains(string(data), "CLIENT_RANDOM") {
				t.Errorf("--trace-json holds key log material")
			}

			// The key log.
			checkKeyLog(t, keyFile, v)
		})
	}

	// $SSLKEYLOGFILE is appended to (never truncated), with mode 0600;
	// --keylog, when given, is used instead.
	envFile := filepath.Join(dir, "env-keys.log")
	os.WriteFile(envFile, []byte("# kept\n"), 0o600)
	t.Setenv("SSLKEYLOGFILE", envFile)
	if r := lucidGet("--cacert", p.caFile, "--tls-max", "1.3", ts.URL); r.code != 0 {
		t.Fatalf("%v", r)
	}
	if r := lucidGet("--cacert", p.caFile, "--tls-max", "1.2", ts.URL); r.code != 0 {
		t.Fatalf("%v", r)
	}
	data, _ := os.ReadFile(envFile)
	if !strings.HasPrefix(string(data), "# kept\n") || !strings.Contains(string(data), "CLIENT_TRAFFIC_SECRET_0 ") || !strings.Contains(string(data), "CLIENT_RANDOM ") {
		t.Errorf("$SSLKEYLOGFILE should have been appended to with TLS 1.3 and 1.2 secrets:\n%s", data)
	}
	flagFile := filepath.Join(dir, "flag-keys.log")
	before := len(data)
	if r := lucidGet("--cacert", p.caFile, "--keylog", flagFile, ts.URL); r.code != 0 {
		t.Fatalf("%v", r)
	}
	if data, _ := os.ReadFile(envFile); len(data) != before {
		t.Errorf("with --keylog, $SSLKEYLOGFILE should be left alone")
	}
	checkKeyLog(t, flagFile, "1.3")

	// Files that cannot be written are errors, before anything is sent.
	bad := filepath.Join(dir, "no", "such", "dir")
	if r := lucidGet("--cacert", p.caFile, "--keylog", bad, ts.URL); r.code != exitOther || !strings.Contains(r.stderr, "--keylog") {
		t.Errorf("--keylog into a missing directory: %v", r)
	}
	if r := lucidGet("--cacert", p.caFile, "--trace-json", bad, ts.URL); r.code != exitOther || !strings.Contains(r.stderr, "--trace-json") {
		t.Errorf("--trace-json into a missing directory: %v", r)
	}
}

// checkKeyLog checks that file is a 0600 NSS key log with the labels of
// TLS version v.
func checkKeyLog(t *testing.T, file, v string) {
	t.Helper()
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", file, fi.Mode().Perm())
	}
	data, _ := os.ReadFile(file)
	labels := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || len(f[1]) != 64 {
			t.Errorf("not an NSS key log line: %q", line)
			continue
		}
		labels[f[0]] = true
	}
	want := []string{"CLIENT_RANDOM"}
	if v == "1.3" {
		want = []string{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
			"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"}
	}
	for _, l := range want {
		if !labels[l] {
			t.Errorf("%s lacks %s; has %v", file, l, labels)
		}
	}
}
