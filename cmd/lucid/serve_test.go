package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	stdtls "crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"lucid/inspect"
	"lucid/internal/testbuffer"
	"lucid/internal/testpki"
	"lucid/internal/testtool"
	"lucid/internal/testwait"
	"lucid/pki"
	"lucid/trace"
)

// servePKI is a test CA with a server certificate for the loopback names
// and example.test, and a client certificate, all written to files.
type servePKI struct {
	dir                 string
	caFile              string // the CA certificate, for --cacert and --client-ca
	certFile, keyFile   string // the server's
	clientCert, clientK string // alice's
}

var (
	servePKIOnce sync.Once
	servePKIVal  *servePKI
	servePKIErr  error
)

func newServePKI(t *testing.T) *servePKI {
	t.Helper()
	servePKIOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lucid-serve-test-")
		if err != nil {
			servePKIErr = err
			return
		}
		ca, err := testpki.NewCA("Serve Test Root", testpki.ECDSAP256)
		if err != nil {
			servePKIErr = err
			return
		}
		srv, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost", "127.0.0.1", "::1", "example.test"}})
		if err != nil {
			servePKIErr = err
			return
		}
		cli, err := ca.Issue(testpki.LeafOptions{Names: []string{"alice"}, Client: true})
		if err != nil {
			servePKIErr = err
			return
		}
		p := &servePKI{dir: dir}
		if p.certFile, p.keyFile, err = srv.WriteFiles(dir, "server"); err != nil {
			servePKIErr = err
			return
		}
		if p.clientCert, p.clientK, err = cli.WriteFiles(dir, "client"); err != nil {
			servePKIErr = err
			return
		}
		p.caFile = filepath.Join(dir, "server-ca.pem")
		servePKIVal = p
	})
	if servePKIErr != nil {
		t.Fatal(servePKIErr)
	}
	return servePKIVal
}

// lucidProcessEnv makes the test binary run as the lucid command, so that
// a test can start a real `lucid serve` process and signal it.
const lucidProcessEnv = "LUCID_TEST_RUN_AS_LUCID"

func TestMain(m *testing.M) {
	if os.Getenv(lucidProcessEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if servePKIVal != nil {
		os.RemoveAll(servePKIVal.dir)
	}
	os.Exit(code)
}

// runningServer is serve() running in the background on a loopback port.
type runningServer struct {
	addr           string // 127.0.0.1:port
	port           string
	stdout, stderr *testbuffer.Buffer
	stop           context.CancelFunc
	finished       chan struct{} // closed when serve returned
	err            error         // what serve returned, once finished
}

// wait stops the server and returns serve's error.
func (s *runningServer) wait(t *testing.T) error {
	t.Helper()
	s.stop()
	select {
	case <-s.finished:
		return s.err
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after its context ended")
		return nil
	}
}

// startServe runs serve with o (Addr defaults to a free loopback port).
func startServe(t *testing.T, o serveOptions) *runningServer {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.ClientAuth == "" {
		o.ClientAuth = "none"
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningServer{stdout: &testbuffer.Buffer{}, stderr: &testbuffer.Buffer{}, stop: cancel, finished: make(chan struct{})}
	ready := make(chan net.Addr, 1)
	go func() {
		defer close(s.finished)
		s.err = serve(ctx, o, s.stdout, s.stderr, func(a net.Addr) { ready <- a })
	}()
	select {
	case a := <-ready:
		s.addr = a.String()
		_, s.port, _ = net.SplitHostPort(s.addr)
	case <-s.finished:
		cancel()
		t.Fatalf("serve failed to start: %v\nstdout: %s\nstderr: %s", s.err, s.stdout, s.stderr)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("serve did not become ready")
	}
	t.Cleanup(func() {
		cancel()
		<-s.finished
	})
	return s
}

// needCurl returns curl's path and whether it speaks HTTP/2; it skips the
// test when curl is missing, except under CI, where curl must be there.
func needCurl(t *testing.T) (path string, http2 bool) {
	t.Helper()
	path = testtool.Path(t, "curl", "curl", "the curl interop tests")
	out, err := exec.Command(path, "-V").Output()
	if err != nil {
		t.Fatalf("curl -V: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "Features:"); ok {
			for _, f := range strings.Fields(rest) {
				if f == "HTTP2" {
					http2 = true
				}
			}
		}
	}
	return path, http2
}

// curl runs curl with a timeout and returns stdout and stderr.
func runCurl(t *testing.T, path string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append([]string{"-sS", "--max-time", "8"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// TestServeCurl has curl fetch the connection page over TLS 1.2 and 1.3,
// HTTP/1.1 and HTTP/2, with and without a client certificate.
func TestServeCurl(t *testing.T) {
	curl, curlH2 := needCurl(t)
	p := newServePKI(t)
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, ClientAuth: "request", ClientCAFile: p.caFile})
	url := "https://localhost:" + s.port + "/"
	for _, version := range []string{"1.2", "1.3"} {
		for _, proto := range []string{"1.1", "2"} {
			for _, withCert := range []bool{false, true} {
				name := fmt.Sprintf("TLS%s/HTTP%s/cert=%v", version, proto, withCert)
				t.Run(name, func(t *testing.T) {
					if proto == "2" && !curlH2 {
						t.Skip("skipping: this machine's curl was built without HTTP/2 (no HTTP2 in curl -V's features)")
					}
					args := []string{
						"--cacert", p.caFile, "--resolve", "localhost:" + s.port + ":127.0.0.1",
						"--tlsv" + version, "--tls-max", version, "--http" + proto,
						"-w", "\n%{http_version} %{response_code}", url,
					}
					if withCert {
						args = append([]string{"--cert", p.clientCert, "--key", p.clientK}, args...)
					}
					out, errOut, err := runCurl(t, curl, args...)
					if err != nil {
						t.Fatalf("curl %s: %v\n%s\nserver log:\n%s", strings.Join(args, " "), err, errOut, s.stderr)
					}
					body, status, _ := strings.Cut(out[strings.LastIndex(out, "\n")+1:], " ")
					if body != proto || status != "200" {
						t.Fatalf("curl saw HTTP/%s %s; want HTTP/%s 200", body, status, proto)
					}
					alpn := map[string]string{"1.1": "http/1.1", "2": "h2"}[proto]
					for _, want := range []string{
						"<td>TLS " + version + "</td>",
						"<td>" + alpn + "</td>",
						"<td>localhost</td>", // SNI
					} {
						if !strings.Contains(out, want) {
							t.Errorf("the page lacks %q:\n%s", want, out)
						}
					}
					hasCert := strings.Contains(out, "CN=alice (issued by CN=Serve Test Root")
					if hasCert != withCert || (withCert && !strings.Contains(out, "; verified)")) {
						t.Errorf("client certificate shown: %v, want %v (verified):\n%s", hasCert, withCert, out)
					}
				})
			}
		}
	}
	// The request log has a line per request with version, suite and status.
	log := s.stderr.String()
	for _, want := range []string{"TLS 1.2 TLS_ECDHE_ECDSA_WITH_AES_", "TLS 1.3 TLS_AES_", `"GET / HTTP/2.0" 200`, `"GET / HTTP/1.1" 200`} {
		if !strings.Contains(log, want) {
			t.Errorf("the request log lacks %q:\n%s", want, log)
		}
	}
}

// TestServeCurlRequiresClientCert: with --client-auth require, curl
// without a certificate is refused and with one is served.
func TestServeCurlRequiresClientCert(t *testing.T) {
	curl, _ := needCurl(t)
	p := newServePKI(t)
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, ClientAuth: "require", ClientCAFile: p.caFile})
	url := "https://127.0.0.1:" + s.port + "/"
	if _, _, err := runCurl(t, curl, "--cacert", p.caFile, url); err == nil {
		t.Error("curl without a client certificate was served")
	}
	out, errOut, err := runCurl(t, curl, "--cacert", p.caFile, "--cert", p.clientCert, "--key", p.clientK, url)
	if err != nil || !strings.Contains(out, "CN=alice") {
		t.Errorf("curl with a client certificate: %v %s\n%s", err, errOut, out)
	}
	if log := s.stderr.String(); !strings.Contains(log, "TLS handshake failed") {
		t.Errorf("the refused handshake is not logged:\n%s", log)
	}
}

// Without --cert/--key, serve issues a certificate from the local CA,
// creating it, says where the CA certificate is, and reuses both later.
func TestServeLocalCA(t *testing.T) {
	caDir := filepath.Join(t.TempDir(), "ca")
	s := startServe(t, serveOptions{CADir: caDir})
	caFile := filepath.Join(caDir, "ca.crt")
	out := s.stdout.String()
	for _, want := range []string{"Created a local CA", "curl --cacert " + caFile, "localhost, 127.0.0.1, ::1"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve's output lacks %q:\n%s", want, out)
		}
	}
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]"} {
		var stdout, stderr bytes.Buffer
		url := "https://" + host + ":" + s.port + "/"
		args := []string{"--cacert", caFile, url}
		if host != "127.0.0.1" { // the server listens on 127.0.0.1 only
			args = append(args, "--resolve", host+":"+s.port+":127.0.0.1")
		}
		if code := runGet(args, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "Your connection") {
			t.Errorf("lucid get %s: exit %d\n%s%s", url, code, stderr.String(), stdout.String())
		}
	}
	first, err := os.ReadFile(filepath.Join(caDir, "serve", "localhost.crt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}

	// The second run reuses the CA and the certificate.
	s2 := startServe(t, serveOptions{CADir: caDir})
	if out := s2.stdout.String(); strings.Contains(out, "Created") || !strings.Contains(out, "Using the certificate") {
		t.Errorf("second run:\n%s", out)
	}
	second, _ := os.ReadFile(filepath.Join(caDir, "serve", "localhost.crt"))
	if !bytes.Equal(first, second) {
		t.Error("the second run issued a new certificate")
	}
}

// --client-auth require without --client-ca trusts the local CA: a client
// certificate it issued is accepted, and none is refused.
func TestServeRequireLocalCAClients(t *testing.T) {
	caDir := filepath.Join(t.TempDir(), "ca")
	s := startServe(t, serveOptions{CADir: caDir, ClientAuth: "require"})
	if out := s.stdout.String(); !strings.Contains(out, "Client certificates: required; trusted issuer: the local CA") {
		t.Errorf("stdout:\n%s", out)
	}
	ca, err := pki.Open(caDir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "bob")
	if _, err := ca.Issue(pki.IssueOptions{Kind: pki.KindClient, Names: []string{"bob"}, Now: time.Now(), Out: out}); err != nil {
		t.Fatal(err)
	}
	url := "https://127.0.0.1:" + s.port + "/"
	caFile := filepath.Join(caDir, "ca.crt")
	var stdout, stderr bytes.Buffer
	if code := runGet([]string{"--cacert", caFile, "--cert", out + ".crt", "--key", out + ".key", url}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "CN=bob") {
		t.Errorf("with bob's certificate: exit %d\n%s%s", code, stderr.String(), stdout.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := runGet([]string{"--cacert", caFile, url}, &stdout, &stderr); code != exitHandshake {
		t.Errorf("without a certificate: exit %d, want %d\n%s", code, exitHandshake, stderr.String())
	}
}

func TestServeDirAndHSTS(t *testing.T) {
	p := newServePKI(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello, static world\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, Dir: dir, HSTS: true})
	var stdout, stderr bytes.Buffer
	if code := runGet([]string{"--cacert", p.caFile, "-i", "https://127.0.0.1:" + s.port + "/hello.txt"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "Strict-Transport-Security: max-age=31536000") || !strings.HasSuffix(out, "\r\n\r\nhello, static world\n") {
		t.Errorf("got:\n%s", out)
	}
	if log := s.stderr.String(); !strings.Contains(log, `"GET /hello.txt HTTP/2.0" 200 20B`) {
		t.Errorf("request log:\n%s", log)
	}
}

// The connection page escapes what the client controls, such as the
// subject of its certificate.
func TestServePageEscapes(t *testing.T) {
	p := newServePKI(t)
	ca, err := testpki.NewCA("Evil Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	evil, err := ca.Issue(testpki.LeafOptions{Names: []string{"<script>alert(1)</script>"}, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	cert, key, err := evil.WriteFiles(t.TempDir(), "evil")
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, ClientAuth: "request"})
	var stdout, stderr bytes.Buffer
	if code := runGet([]string{"--cacert", p.caFile, "--cert", cert, "--key", key, "https://127.0.0.1:" + s.port + "/"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if strings.Contains(out, "<script>") || !strings.Contains(out, "&lt;script") || !strings.Contains(out, "not verified") {
		t.Errorf("the page does not escape the client's subject:\n%s", out)
	}
}

// SIGINT's path: ending serve's context stops new connections, lets the
// open request finish and then returns.
func TestServeGracefulShutdown(t *testing.T) {
	p := newServePKI(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile,
		handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() { close(entered) })
			<-release
			io.WriteString(w, "drained\n")
		})})
	type result struct {
		code   int
		stdout string
	}
	got := make(chan result, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := runGet([]string{"--cacert", p.caFile, "https://127.0.0.1:" + s.port + "/"}, &stdout, &stderr)
		got <- result{code, stdout.String() + stderr.String()}
	}()
	<-entered
	s.stop()
	// Shutting down closes the listener first: wait until dials are
	// refused, then check serve is still waiting for the open request.
	refused := testwait.Until(testwait.Context(t), func() bool {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	if !refused {
		t.Fatal("new connections were still accepted while shutting down")
	}
	select {
	case <-s.finished:
		t.Fatalf("serve returned (%v) with a request open", s.err)
	default:
	}
	close(release)
	r := <-got
	if r.code != 0 || r.stdout != "drained\n" {
		t.Fatalf("open request: exit %d, %q", r.code, r.stdout)
	}
	testwait.Recv(t, s.finished, "serve to return after the open request finished")
	if s.err != nil {
		t.Fatalf("serve: %v", s.err)
	}
	if log := s.stderr.String(); !strings.Contains(log, "shutting down") || !strings.Contains(log, "stopped") {
		t.Errorf("stderr:\n%s", log)
	}
}

func TestServeLegacyAndKeyLog(t *testing.T) {
	curl, _ := needCurl(t)
	p := newServePKI(t)
	keylog := filepath.Join(t.TempDir(), "keys.log")
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, Legacy: true, KeyLogFile: keylog})
	// HTTP/1.1: HTTP/2 forbids CBC suites (RFC 9113 §9.2.2), and the
	// server would refuse it with INADEQUATE_SECURITY.
	out, errOut, err := runCurl(t, curl, "--cacert", p.caFile, "--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES128-SHA",
		"--http1.1", "https://127.0.0.1:"+s.port+"/")
	if err != nil {
		t.Fatalf("curl with a CBC suite: %v %s", err, errOut)
	}
	if !strings.Contains(out, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA") {
		t.Errorf("page:\n%s", out)
	}
	data, err := os.ReadFile(keylog)
	if err != nil || !strings.Contains(string(data), "CLIENT_RANDOM ") {
		t.Errorf("key log: %v %q", err, data)
	}
	if !strings.Contains(s.stderr.String(), "writing TLS secrets to") {
		t.Errorf("no key log warning:\n%s", s.stderr)
	}
}

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--tls-min", "1.1"},
		{"--tls-min", "1.3", "--tls-max", "1.2"},
		{"--cert", "x.pem"},
		{"--client-auth", "maybe"},
		{"--client-ca", "x.pem"},
		{"extra"},
		{"--no-such-flag"},
		{"--ticket-rotation", "24h"},
		{"--session-store-key", "kek"},
	} {
		var stdout, stderr bytes.Buffer
		if code := runServe(args, &stdout, &stderr); code != exitUsage {
			t.Errorf("lucid serve %v: exit %d, want %d\n%s", args, code, exitUsage, stderr.String())
		}
	}
	// A Redis URL of another scheme is a usage error, and the password
	// in it is not printed.
	t.Setenv(sessionStoreKeyEnv, strings.Repeat("ab", 32))
	var out, errOut bytes.Buffer
	if code := runServe([]string{"--session-store", "http://user:secret@127.0.0.1:1/0"}, &out, &errOut); code != exitUsage || strings.Contains(errOut.String(), "secret") {
		t.Errorf("lucid serve --session-store http://…: exit %d, want %d, without the password\n%s", code, exitUsage, errOut.String())
	}
	var stdout, stderr bytes.Buffer
	if code := runServe([]string{"-h"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "--client-auth") {
		t.Errorf("lucid serve -h: exit %d\n%s", code, stdout.String())
	}
}

// The inspection page's JSON twin, and --trace-json: every connection's
// events as lucid.trace/1 lines, tagged with the client's address.
func TestServeInspectionJSONAndTrace(t *testing.T) {
	p := newServePKI(t)
	traceFile := filepath.Join(t.TempDir(), "trace.jsonl")
	s := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, TraceJSON: traceFile})
	var stdout, stderr bytes.Buffer
	if code := runGet([]string{"--cacert", p.caFile, "https://localhost:" + s.port + "/api/handshake"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var rep inspect.Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("/api/handshake: %v\n%s", err, stdout.String())
	}
	if rep.Schema != inspect.SchemaVersion || rep.Connection.TLSVersion != "TLS 1.3" || rep.ClientHello == nil ||
		!strings.HasPrefix(rep.Fingerprints.JA4, "t13d") || len(rep.Steps) != 8 || len(rep.CertificateChain) != 1 ||
		rep.CertificateChain[0].NotAfter == "" {
		t.Errorf("report:\n%s", stdout.String())
	}
	if err := s.wait(t); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(traceFile)
	if err != nil {
		t.Fatal(err)
	}
	var hellos int
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var l struct {
			Schema, Kind, Name, Source string
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("trace line %q: %v", line, err)
		}
		if l.Schema != trace.SchemaVersion || !strings.HasPrefix(l.Source, "127.0.0.1:") {
			t.Errorf("trace line %s", line)
		}
		if l.Kind == "message_received" && l.Name == "ClientHello" {
			hellos++
		}
	}
	if hellos != 1 {
		t.Errorf("%d ClientHellos in the trace, want 1:\n%s", hellos, data)
	}
	if !strings.Contains(s.stderr.String(), "writing every connection's events to "+traceFile) {
		t.Errorf("stderr:\n%s", s.stderr)
	}
}

// SIGINT to a real `lucid serve` process while an HTTP/2 client downloads
// a large file and keeps pinging: the download completes, then the server
// exits cleanly. (The https package's tests force the exact schedule in
// which a server that closes its socket too early resets the download;
// this one runs the whole command as an operator would.)
func TestServeSIGINTDuringHTTP2Download(t *testing.T) {
	p := newServePKI(t)
	dir := t.TempDir()
	file := make([]byte, 8<<20)
	rand.Read(file)
	if err := os.WriteFile(filepath.Join(dir, "big"), file, 0o644); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--dir", dir,
		"--cert", p.certFile, "--key", p.keyFile, "--shutdown-timeout", "60s")
	cmd.Env = append(os.Environ(), lucidProcessEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &testbuffer.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() {
		exitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "Serving HTTPS (HTTP/2 and HTTP/1.1) on "); ok {
				a, _, _ := strings.Cut(rest, ": ")
				addr <- a
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var a string
	select {
	case a = <-addr:
	case <-exited:
		t.Fatalf("lucid serve exited (%v) before serving:\n%s", exitErr, stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("lucid serve did not start within 30s:\n%s", stderr)
	}

	caPEM, err := os.ReadFile(p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	conn, err := stdtls.Dial("tcp", a, &stdtls.Config{RootCAs: roots, ServerName: "localhost", NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	cc, err := (&http2.Transport{}).NewClientConn(conn)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://localhost/big", nil)
	resp, err := cc.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.CopyN(h, resp.Body, 1<<20); err != nil {
		t.Fatalf("the first MB: %v", err)
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if !stderr.WaitFor("shutting down", exited) {
		t.Fatalf("lucid serve exited (%v) with a download open:\n%s", exitErr, stderr)
	}
	stopPing := make(chan struct{})
	pinged := make(chan int, 1)
	go func() {
		n := 0
		defer func() { pinged <- n }()
		for {
			select {
			case <-stopPing:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := cc.Ping(ctx)
			cancel()
			if err != nil {
				return
			}
			n++
		}
	}()
	rest, err := io.Copy(h, resp.Body)
	close(stopPing)
	pings := <-pinged
	if err != nil || 1<<20+rest != int64(len(file)) {
		t.Fatalf("the download was cut after %d of %d bytes: %v\n%s", 1<<20+rest, len(file), err, stderr)
	}
	if want := sha256.Sum256(file); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("the download arrived corrupted")
	}
	t.Logf("%d PINGs answered while the response drained", pings)
	conn.Close()

	select {
	case <-exited:
		if exitErr != nil {
			t.Fatalf("lucid serve: %v\n%s", exitErr, stderr)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("lucid serve did not exit within 60s of the download's end:\n%s", stderr)
	}
	if log := stderr.String(); !strings.Contains(log, "lucid serve: stopped") {
		t.Errorf("stderr:\n%s", log)
	}
}
