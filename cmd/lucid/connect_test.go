package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"lucid/internal/testbuffer"
	"lucid/internal/testpki"
	"lucid/internal/testtool"
	"lucid/internal/testwait"
	"lucid/tls"
)

type connectResult struct {
	code           int
	stdout, stderr string
}

func (r connectResult) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func lucidConnect(t *testing.T, stdin string, args ...string) connectResult {
	t.Helper()
	o, code, ok := parseConnectFlags(args, io.Discard, io.Discard)
	if !ok {
		var stderr bytes.Buffer
		parseConnectFlags(args, io.Discard, &stderr)
		return connectResult{code, "", stderr.String()}
	}
	var stdout, stderr bytes.Buffer
	code = doConnect(testwait.Context(t), o, strings.NewReader(stdin), &stdout, &stderr)
	return connectResult{code, stdout.String(), stderr.String()}
}

// echoServer is a Lucid TLS server that answers each connection with
// "peer=CN alpn=P" and then echoes what it reads until close_notify.
func echoServer(t *testing.T, p *servePKI, configure func(*tls.Config)) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(p.certFile, p.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, _ := os.ReadFile(p.caFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, NextProtos: []string{"h2", "lucid-echo"}}
	if configure != nil {
		configure(cfg)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
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
				tc := c.(*tls.Conn)
				if tc.Handshake() != nil {
					return
				}
				cs := tc.ConnectionState()
				peer := "-"
				if len(cs.PeerCertificates) > 0 {
					peer = cs.PeerCertificates[0].Subject.CommonName
				}
				fmt.Fprintf(tc, "peer=%s alpn=%s\n", peer, cs.NegotiatedProtocol)
				io.Copy(tc, tc)
			}()
		}
	}()
	return l.Addr().String()
}

func TestConnectToLucidServer(t *testing.T) {
	p := newServePKI(t)
	addr := echoServer(t, p, nil)
	r := lucidConnect(t, "hello\nworld\n", "--cacert", p.caFile, "--servername", "localhost", "--alpn", "lucid-echo", addr)
	if r.code != 0 || r.stdout != "peer=- alpn=lucid-echo\nhello\nworld\n" {
		t.Fatalf("echo: %v", r)
	}
	for _, want := range []string{
		"[seed 1: client starts the HTTPS request]", "→ ClientHello", "← Certificate",
		"* TLS handshake done: TLS 1.3", "key exchange group X25519MLKEM768",
		"* ALPN: lucid-echo", "subject: CN=localhost", "verified: yes",
		"* Session resumed: no", "End of stdin: sent close_notify", "The server closed the connection",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := lucidConnect(t, "", "-q", "--cacert", p.caFile, "--servername", "localhost", addr); r.code != 0 || r.stderr != "" || r.stdout != "peer=- alpn=\n" {
		t.Errorf("-q: %v", r)
	}

	// --showcerts describes and prints every certificate.
	r = lucidConnect(t, "", "--showcerts", "--tls-max", "1.2", "--cacert", p.caFile, "--servername", "localhost", addr)
	if r.code != 0 || !strings.Contains(r.stderr, "Certificate 0 of 1 (leaf)") || !strings.Contains(r.stderr, "SHA-256 fingerprint:") ||
		!strings.Contains(r.stderr, "TLS handshake done: TLS 1.2") {
		t.Errorf("--showcerts: %v", r)
	}
	block, _ := pem.Decode([]byte(r.stderr[strings.Index(r.stderr, "-----BEGIN"):]))
	if block == nil || block.Type != "CERTIFICATE" {
		t.Errorf("--showcerts printed no PEM certificate:\n%s", r.stderr)
	}

	// The name is checked: 127.0.0.1 is in the certificate, wrong.test is not.
	if r := lucidConnect(t, "", "--cacert", p.caFile, addr); r.code != 0 {
		t.Errorf("by IP: %v", r)
	}
	r = lucidConnect(t, "", "--cacert", p.caFile, "--servername", "wrong.test", addr)
	if r.code != exitCertificate || !strings.Contains(r.stderr, "wrong.test") || !strings.Contains(r.stderr, "did not verify") {
		t.Errorf("wrong name: %v", r)
	}
	r = lucidConnect(t, "", "-k", "--servername", "wrong.test", addr)
	if r.code != 0 || !strings.Contains(r.stderr, "verified: NO (--insecure)") {
		t.Errorf("-k: %v", r)
	}
}

func TestConnectClientCertificate(t *testing.T) {
	p := newServePKI(t)
	addr := echoServer(t, p, func(c *tls.Config) { c.ClientAuth = tls.RequireAndVerifyClientCert })
	for _, v := range []string{"1.2", "1.3"} {
		r := lucidConnect(t, "", "--tls-max", v, "--cert", p.clientCert, "--key", p.clientK, "--cacert", p.caFile, addr)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "peer=alice ") {
			t.Errorf("TLS %s with a client certificate: %v", v, r)
		}
	}
	// Without one, a TLS 1.2 server refuses in the handshake. (A TLS 1.3
	// server refuses after the client's handshake is over, RFC 8446
	// §4.4.2.4: the alert then arrives as the connection's end.)
	r := lucidConnect(t, "", "--tls-max", "1.2", "--cacert", p.caFile, addr)
	if r.code != exitHandshake {
		t.Errorf("TLS 1.2 without a client certificate: %v", r)
	}
	r = lucidConnect(t, "", "--tls-max", "1.3", "--cacert", p.caFile, addr)
	if r.code != exitHandshake || !strings.Contains(r.stderr, "certificate_required") {
		t.Errorf("TLS 1.3 without a client certificate: %v", r)
	}
}

func TestConnectResumption(t *testing.T) {
	p := newServePKI(t)
	addr := echoServer(t, p, nil)
	dir := t.TempDir()
	for _, v := range []string{"1.2", "1.3"} {
		sess := filepath.Join(dir, "sess-"+v+".pem")
		common := []string{"--tls-max", v, "--cacert", p.caFile, "--servername", "localhost"}
		r := lucidConnect(t, "x\n", append(common, "--sess-out", sess, addr)...)
		if r.code != 0 || !strings.Contains(r.stderr, "Session saved to "+sess) {
			t.Fatalf("TLS %s --sess-out: %v", v, r)
		}
		if fi, err := os.Stat(sess); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("TLS %s: the session file should have mode 0600: %v %v", v, fi, err)
		}
		r = lucidConnect(t, "y\n", append(common, "--sess-in", sess, addr)...)
		if r.code != 0 || !strings.Contains(r.stderr, "* Session resumed: yes") || r.stdout != "peer=- alpn=\ny\n" {
			t.Errorf("TLS %s --sess-in: %v", v, r)
		}
		// A session is checked before it is offered: with roots that do
		// not include the server's CA it is not resumed, and the full
		// handshake then fails verification.
		other := filepath.Join(dir, "other-ca.pem")
		os.WriteFile(other, []byte(servePKIOtherRoot(t)), 0o644)
		r = lucidConnect(t, "", "--tls-max", v, "--cacert", other, "--servername", "localhost", "--sess-in", sess, addr)
		if r.code != exitCertificate || strings.Contains(r.stderr, "Session resumed: yes") {
			t.Errorf("TLS %s --sess-in with other roots: %v", v, r)
		}
	}
	// A damaged or foreign file is refused with a clear error.
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("-----BEGIN LUCID TLS SESSION-----\nAAAA\n-----END LUCID TLS SESSION-----\n"), 0o600)
	for _, f := range []string{bad, p.caFile, filepath.Join(dir, "missing")} {
		if r := lucidConnect(t, "", "--cacert", p.caFile, "--sess-in", f, addr); r.code != exitOther || !strings.Contains(r.stderr, "--sess-in") {
			t.Errorf("--sess-in %s: %v", filepath.Base(f), r)
		}
	}
}

// servePKIOtherRoot is a CA certificate (PEM) unrelated to the test PKI.
func servePKIOtherRoot(t *testing.T) string {
	t.Helper()
	ca, err := testpki.NewCA("Unrelated Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	return string(ca.CertPEM)
}

func TestConnectTimeoutAndErrors(t *testing.T) {
	p := newServePKI(t)
	r := lucidConnect(t, "", "--connect-timeout", "0.5", "--cacert", p.caFile, silentListener(t))
	if r.code != exitConnect || !strings.Contains(r.stderr, "timed out") {
		t.Errorf("a server that never answers: %v", r)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().String()
	l.Close()
	if r := lucidConnect(t, "", closed); r.code != exitConnect {
		t.Errorf("closed port: %v", r)
	}
	if r := lucidConnect(t, "", rawServer(t, []byte{21, 3, 3, 0, 2, 2, 40})); r.code != exitHandshake || !strings.Contains(r.stderr, "handshake_failure") {
		t.Errorf("an alert: %v", r)
	}
	for _, args := range [][]string{{}, {"example.com"}, {"a:1", "b:2"}, {"--alpn", ",", "a:1"}, {"--cert", "x", "a:1"}, {"--curves", "nope", "a:1"}, {"a:99999"}} {
		if r := lucidConnect(t, "", args...); r.code != exitUsage {
			t.Errorf("%q: %v", args, r)
		}
	}
	var out bytes.Buffer
	if code := run([]string{"connect", "--help"}, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "--sess-out FILE") {
		t.Errorf("connect --help: %d %s", code, out.String())
	}
}

// needOpenSSL returns openssl's path; it skips the test when openssl is
// missing, except under CI, which must run the interop tests.
func needOpenSSL(t *testing.T) string {
	t.Helper()
	return testtool.Path(t, "openssl", "openssl", "the OpenSSL interop tests")
}

// sServer runs `openssl s_server` for n connections on a free loopback
// port and returns its address and its stdout (what it received).
func sServer(t *testing.T, p *servePKI, n int, args ...string) (string, *testbuffer.Buffer) {
	t.Helper()
	bin := needOpenSSL(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(testwait.Context(t))
	cmd := exec.CommandContext(ctx, bin, append([]string{"s_server", "-accept", addr, "-cert", p.certFile, "-key", p.keyFile,
		"-naccept", fmt.Sprint(n), "-ign_eof"}, args...)...)
	stdout := &testbuffer.Buffer{}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	stdin, _ := cmd.StdinPipe() // kept open: s_server must not see end of input
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); cmd.Wait() }()
	t.Cleanup(func() { stdin.Close(); cancel(); wg.Wait() })
	if !stdout.WaitFor("ACCEPT", testwait.Context(t).Done()) {
		t.Fatalf("s_server did not start: %s", stderr.String())
	}
	return addr, stdout
}

func TestConnectToOpenSSL(t *testing.T) {
	p := newServePKI(t)
	for _, v := range []string{"1.2", "1.3"} {
		addr, received := sServer(t, p, 2)
		sess := filepath.Join(t.TempDir(), "sess.pem")
		common := []string{"--tls-max", v, "--tls-min", v, "--cacert", p.caFile, "--servername", "localhost", addr}
		r := lucidConnect(t, "hello from lucid\n", append([]string{"--sess-out", sess}, common...)...)
		if r.code != 0 || !strings.Contains(r.stderr, "TLS handshake done: TLS "+v) || !strings.Contains(r.stderr, "Session saved") {
			t.Fatalf("TLS %s against s_server: %v", v, r)
		}
		if !received.WaitFor("hello from lucid", testwait.Context(t).Done()) {
			t.Errorf("TLS %s: s_server did not receive stdin:\n%s", v, received)
		}
		r = lucidConnect(t, "", append([]string{"--sess-in", sess}, common...)...)
		if r.code != 0 || !strings.Contains(r.stderr, "* Session resumed: yes") {
			t.Errorf("TLS %s resumption against s_server: %v", v, r)
		}
	}
}

// cert inspect reads the server's chain from s_server too.
func TestCertInspectOpenSSL(t *testing.T) {
	p := newServePKI(t)
	addr, _ := sServer(t, p, 1)
	r := certRun("inspect", "--cacert", p.caFile, "--servername", "localhost", addr)
	if r.code != 0 || !strings.Contains(r.stdout, "OK: a chain of 2") || !strings.Contains(r.stdout, "Subject:             CN=localhost") {
		t.Errorf("cert inspect against s_server: %v", r)
	}
}
