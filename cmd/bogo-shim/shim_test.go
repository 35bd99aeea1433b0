package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"lucid/tls"
)

// writeKeyPair makes a self-signed ECDSA certificate and returns the paths
// of its PEM files, as the runner's -cert-file and -key-file would name.
func writeKeyPair(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "bogo shim test"},
		DNSNames:     []string{"test.example"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// fakeRunner stands in for the BoGo runner: it listens on loopback, starts
// the shim's run with the given flags plus -port and -shim-id, and hands
// each accepted connection, with its shim ID checked, to the caller.
type fakeRunner struct {
	t      *testing.T
	ln     net.Listener
	status chan int
	stderr *bytes.Buffer
}

const testShimID = 0x0102030405060708

func startShim(t *testing.T, flags ...string) *fakeRunner {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	port := ln.Addr().(*net.TCPAddr).Port
	args := append([]string{"-port", strconv.Itoa(port), "-shim-id", strconv.FormatUint(testShimID, 10)}, flags...)
	r := &fakeRunner{t: t, ln: ln, status: make(chan int, 1), stderr: new(bytes.Buffer)}
	go func() { r.status <- run(args, io.Discard, r.stderr) }()
	return r
}

// accept takes the shim's next connection and checks the 8-byte
// little-endian shim ID that must open it.
func (r *fakeRunner) accept() net.Conn {
	r.t.Helper()
	r.ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	c, err := r.ln.Accept()
	if err != nil {
		r.t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var id [8]byte
	if _, err := io.ReadFull(c, id[:]); err != nil {
		r.t.Fatal(err)
	}
	if got := binary.LittleEndian.Uint64(id[:]); got != testShimID {
		r.t.Fatalf("shim ID %#x, want %#x", got, uint64(testShimID))
	}
	return c
}

func (r *fakeRunner) wait() int {
	r.t.Helper()
	select {
	case code := <-r.status:
		return code
	case <-time.After(10 * time.Second):
		r.t.Fatal("the shim did not finish")
		return -1
	}
}

// exchange writes msg and checks that the shim answers with every byte
// XORed with 0xFF.
func exchange(t *testing.T, c io.ReadWriter, msg string) {
	t.Helper()
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != msg[i]^0xff {
			t.Fatalf("echo %x, want the XOR of %x", got, msg)
		}
	}
}

func TestServerEchoes(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	for _, v := range []struct {
		name    string
		version uint16
	}{{"TLS12", tls.VersionTLS12}, {"TLS13", tls.VersionTLS13}} {
		t.Run(v.name, func(t *testing.T) {
			r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile,
				"-expect-version", strconv.Itoa(int(v.version)), "-max-send-fragment", "3",
				"-select-alpn", "foo", "-expect-alpn", "foo", "-expect-advertised-alpn", "\x03bar\x03foo")
			raw := r.accept()
			c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, MinVersion: v.version, MaxVersion: v.version, NextProtos: []string{"bar", "foo"}})
			exchange(t, c, "hello, shim")
			exchange(t, c, strings.Repeat("x", 2000))
			if got := c.ConnectionState().NegotiatedProtocol; got != "foo" {
				t.Errorf("ALPN %q, want foo", got)
			}
			c.Close()
			if code := r.wait(); code != 0 {
				t.Fatalf("exit %d, stderr %q", code, r.stderr)
			}
		})
	}
}

func TestServerCheckFails(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile, "-expect-version", strconv.Itoa(tls.VersionTLS13))
	c := tls.Client(r.accept(), &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
	c.Handshake()
	c.Close()
	if code := r.wait(); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, r.stderr)
	}
	if !strings.Contains(r.stderr.String(), "want version 0304") {
		t.Errorf("stderr %q does not name the version mismatch", r.stderr)
	}
}

func TestClientResumesAndWritesFirst(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	server := &tls.Config{Certificates: []tls.Certificate{cert}}
	r := startShim(t, "-resume-count", "1", "-shim-writes-first", "-host-name", "test.example",
		"-on-initial-expect-curve-id", strconv.Itoa(int(tls.X25519)), "-curves", strconv.Itoa(int(tls.X25519)),
		"-export-keying-material", "16", "-export-label", "label", "-export-context", "ctx", "-use-export-context")
	for i := range 2 {
		c := tls.Server(r.accept(), server)
		km := make([]byte, 16)
		if _, err := io.ReadFull(c, km); err != nil {
			t.Fatal(err)
		}
		cs := c.ConnectionState()
		want, _ := cs.ExportKeyingMaterial("label", []byte("ctx"), 16)
		if !bytes.Equal(km, want) {
			t.Errorf("connection %d: exported %x, want %x", i, km, want)
		}
		if cs.DidResume != (i == 1) {
			t.Errorf("connection %d: DidResume %v", i, cs.DidResume)
		}
		first := make([]byte, len(hello))
		if _, err := io.ReadFull(c, first); err != nil || string(first) != hello {
			t.Fatalf("first write %q, %v", first, err)
		}
		exchange(t, c, "ping")
		c.Close()
	}
	if code := r.wait(); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, r.stderr)
	}
}

func TestUnknownFlagIsUnimplemented(t *testing.T) {
	for _, args := range [][]string{
		{"-no-such-flag"},
		{"-server", "-on-resume-frobnicate"},
		{"-dtls"},
		{"-verify-prefs", "1027", "-port", "1"},
		{"-max-version", "770", "-port", "1"},
	} {
		var stderr bytes.Buffer
		if code := run(args, io.Discard, &stderr); code != exitUnimplemented {
			t.Errorf("%q: exit %d, want %d (stderr %q)", args, code, exitUnimplemented, &stderr)
		}
	}
}

func TestHandshakerProbe(t *testing.T) {
	var stdout bytes.Buffer
	if code := run([]string{"-is-handshaker-supported"}, &stdout, io.Discard); code != 0 || stdout.String() != "No\n" {
		t.Fatalf("exit %d, stdout %q", code, &stdout)
	}
}

func TestPrefixes(t *testing.T) {
	p, err := parseArgs([]string{"-curves", "29", "-on-resume-curves", "23", "-on-initial-expect-session-miss", "-on-shim-server", "-on-handshaker-no-ticket"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.initial.curves) != 1 || len(p.resume.curves) != 2 || len(p.retry.curves) != 1 {
		t.Errorf("curves: initial %v resume %v retry %v", p.initial.curves, p.resume.curves, p.retry.curves)
	}
	if !p.initial.expectSessionMiss || p.resume.expectSessionMiss {
		t.Error("-on-initial- leaked into resumption")
	}
	if !p.initial.server || p.initial.noTicket {
		t.Error("-on-shim-/-on-handshaker- handled wrongly")
	}
}
