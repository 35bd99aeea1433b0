package tls_test

// record_size_limit (RFC 8449) against GnuTLS, whose gnutls-cli and
// gnutls-serv advertise a limit with --recordsize and keep to the peer's.
// Lucid's side of each connection is tapped, and the size of every
// protected record each way is read from its header: the limit is checked
// on the wire, not taken on either stack's word.

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"lucid/internal/testbuffer"
	"lucid/internal/testpki"
	"lucid/internal/testtool"
	"lucid/internal/testwait"
	"lucid/tls"
)

func rslGnuTLSPath(t *testing.T, tool string) string {
	t.Helper()
	return testtool.Path(t, tool, "gnutls-bin", "the GnuTLS record_size_limit interop tests")
}

// rslWire keeps every byte one side of a connection wrote and read.
type rslWire struct {
	net.Conn
	mu      sync.Mutex
	out, in bytes.Buffer
}

func (c *rslWire) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	c.in.Write(b[:n])
	c.mu.Unlock()
	return n, err
}

func (c *rslWire) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.mu.Lock()
	c.out.Write(b[:n])
	c.mu.Unlock()
	return n, err
}

// largestProtected returns the largest plaintext among the protected
// records in stream (TLSInnerPlaintext in TLS 1.3), given what protection
// adds to a record's plaintext, and how many protected records there were.
// In TLS 1.2 the records after change_cipher_spec are the protected ones;
// in TLS 1.3 those of outer type application_data.
func rslLargestProtected(t *testing.T, stream []byte, v uint16, overhead int) (largest, count int) {
	t.Helper()
	protected := false
	for len(stream) >= 5 {
		typ, n := stream[0], int(stream[3])<<8|int(stream[4])
		if len(stream) < 5+n {
			break
		}
		if (v == tls.VersionTLS13 && typ == 23) || (v == tls.VersionTLS12 && protected) {
			count++
			largest = max(largest, n-overhead)
		}
		if typ == 20 {
			protected = true
		}
		stream = stream[5+n:]
	}
	return largest, count
}

// rslOverhead is what the suites these tests allow add to a protected
// record's plaintext: the 16-byte tag of every TLS 1.3 AEAD (the content
// type is counted in the limit), the 8-byte explicit nonce and 16-byte
// tag of TLS 1.2's AES-GCM.
func rslOverhead(v uint16) int {
	if v == tls.VersionTLS13 {
		return 16
	}
	return 8 + 16
}

// rslAdvertised is the record_size_limit GnuTLS sends for --recordsize n:
// n is the data it takes per record, and in TLS 1.3 the limit also counts
// the content type byte.
func rslAdvertised(n int, v uint16) int {
	if v == tls.VersionTLS13 {
		return n + 1
	}
	return n
}

var rslVersions = []struct {
	name     string
	v        uint16
	priority string
}{
	{"TLS1.3", tls.VersionTLS13, "NORMAL:-VERS-ALL:+VERS-TLS1.3"},
	{"TLS1.2", tls.VersionTLS12, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM"},
}

// rslPayload is n bytes of text in lines, which both GnuTLS tools pass on
// as they are.
func rslPayload(n int) []byte {
	b := iopHexPayload(n)
	for i := 63; i < n; i += 64 {
		b[i] = '\n'
	}
	return b
}

// GnuTLS with a record size limit of 512 receives no larger record from
// Lucid.
func TestInteropGnuTLSClientRecordSizeLimit(t *testing.T) {
	bin := rslGnuTLSPath(t, "gnutls-cli")
	f := iopFixtures(t)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, f.ca.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	const gnutlsLimit, lucidLimit = 512, 1024 // lucidLimit: Lucid's own, which GnuTLS keeps to
	for _, tc := range rslVersions {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
			cmd := exec.CommandContext(testwait.Context(t), bin, "--x509cafile", caFile, "--recordsize", strconv.Itoa(gnutlsLimit),
				"--priority", tc.priority, "--logfile", filepath.Join(dir, tc.name+".log"), "-p", port, "127.0.0.1")
			var stdout, stderr testbuffer.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.WaitDelay = 2 * time.Second
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); <-done })

			raw, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			w := &rslWire{Conn: raw}
			cfg := &tls.Config{Certificates: []tls.Certificate{iopLucidCert(t, f.leaves[testpki.ECDSAP256])},
				MinVersion: tc.v, MaxVersion: tc.v, RecordSizeLimit: lucidLimit,
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}}
			srv := tls.Server(w, cfg)
			defer srv.Close()
			srv.SetDeadline(testwait.Deadline(t))
			if err := srv.Handshake(); err != nil {
				t.Fatalf("handshake with gnutls-cli: %v; gnutls-cli: %s", err, iopLastLines(stderr.String(), 6))
			}
			// Only Lucid sends: the other direction is
			// TestInteropGnuTLSServerRecordSizeLimit's, through
			// gnutls-serv's echo.
			toGnuTLS := rslPayload(20000)
			if _, err := srv.Write(toGnuTLS); err != nil {
				t.Fatal(err)
			}
			testwait.Until(testwait.Context(t), func() bool { return len(stdout.Bytes()) >= len(toGnuTLS) })
			if !bytes.Equal(stdout.Bytes(), toGnuTLS) {
				t.Fatalf("gnutls-cli printed %d bytes, not the %d Lucid sent; stderr: %s", len(stdout.Bytes()), len(toGnuTLS), iopLastLines(stderr.String(), 6))
			}
			w.mu.Lock()
			sent := bytes.Clone(w.out.Bytes())
			w.mu.Unlock()
			// 20000 bytes fill records to the limit, so the largest is
			// the limit itself: smaller would mean the limit was never
			// reached, larger that it was broken.
			if largest, n := rslLargestProtected(t, sent, tc.v, rslOverhead(tc.v)); largest != rslAdvertised(gnutlsLimit, tc.v) {
				t.Errorf("largest protected record Lucid sent: %d bytes of plaintext in %d records, want %d", largest, n, rslAdvertised(gnutlsLimit, tc.v))
			}
		})
	}
}

// Lucid's client with a limit of 512 (GnuTLS ignores a smaller one)
// against gnutls-serv advertising 1024:
// each side's records keep to the other's limit, and GnuTLS's echo of what
// Lucid sent comes back whole, with no record_overflow on the way.
func TestInteropGnuTLSServerRecordSizeLimit(t *testing.T) {
	bin := rslGnuTLSPath(t, "gnutls-serv")
	f := iopFixtures(t)
	dir := t.TempDir()
	leaf := f.leaves[testpki.ECDSAP256]
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, leaf.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, leaf.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	const gnutlsLimit, lucidLimit = 1024, 512
	for _, tc := range rslVersions {
		t.Run(tc.name, func(t *testing.T) {
			port := iopFreePort(t)
			cmd := exec.CommandContext(testwait.Context(t), bin, "--echo", "--recordsize", strconv.Itoa(gnutlsLimit), "--priority", tc.priority,
				"--x509certfile", certFile, "--x509keyfile", keyFile, "-p", strconv.Itoa(port))
			var out testbuffer.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			cmd.WaitDelay = 2 * time.Second
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			t.Cleanup(func() { cmd.Process.Kill(); <-done })
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			var raw net.Conn
			exited := false
			testwait.Until(testwait.Context(t), func() bool {
				select {
				case <-done:
					exited = true
					return true
				default:
				}
				c, err := net.Dial("tcp", addr)
				if err == nil {
					raw = c
				}
				return err == nil
			})
			if raw == nil {
				t.Fatalf("gnutls-serv never listened on %s (exited: %v): %s", addr, exited, iopLastLines(out.String(), 6))
			}
			w := &rslWire{Conn: raw}
			cfg := &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MinVersion: tc.v, MaxVersion: tc.v, RecordSizeLimit: lucidLimit}
			c := tls.Client(w, cfg)
			defer c.Close()
			c.SetDeadline(testwait.Deadline(t))
			if err := c.Handshake(); err != nil {
				t.Fatalf("handshake with gnutls-serv: %v; gnutls-serv: %s", err, iopLastLines(out.String(), 6))
			}
			msg := rslPayload(3000)
			if _, err := c.Write(msg); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(c, got); err != nil {
				t.Fatalf("reading gnutls-serv's echo: %v; gnutls-serv: %s", err, iopLastLines(out.String(), 6))
			}
			if !bytes.Equal(got, msg) {
				t.Fatal("gnutls-serv's echo differs from what Lucid sent")
			}
			w.mu.Lock()
			sent, recvd := bytes.Clone(w.out.Bytes()), bytes.Clone(w.in.Bytes())
			w.mu.Unlock()
			ours, n := rslLargestProtected(t, sent, tc.v, rslOverhead(tc.v))
			if ours != rslAdvertised(gnutlsLimit, tc.v) {
				t.Errorf("largest protected record Lucid sent: %d bytes of plaintext in %d records, want %d", ours, n, rslAdvertised(gnutlsLimit, tc.v))
			}
			largest, n := rslLargestProtected(t, recvd, tc.v, rslOverhead(tc.v))
			if largest > lucidLimit || n == 0 {
				t.Errorf("largest protected record gnutls-serv sent: %d bytes of plaintext in %d records, want at most %d", largest, n, lucidLimit)
			}
			t.Logf("%s: Lucid's records at most %d bytes of plaintext, GnuTLS's at most %d", tc.name, ours, largest)
		})
	}
}
