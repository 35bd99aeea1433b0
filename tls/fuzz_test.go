package tls_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"lucid/tls"
)

// scriptedConn is a net.Conn whose reads come from a fixed byte string and
// whose writes are recorded: enough to drive a whole Conn from fuzz input.
type scriptedConn struct {
	r       *bytes.Reader
	mu      sync.Mutex
	written bytes.Buffer
}

func (s *scriptedConn) Read(b []byte) (int, error) { return s.r.Read(b) }
func (s *scriptedConn) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written.Write(b)
}
func (s *scriptedConn) Close() error                     { return nil }
func (s *scriptedConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (s *scriptedConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (s *scriptedConn) SetDeadline(time.Time) error      { return nil }
func (s *scriptedConn) SetReadDeadline(time.Time) error  { return nil }
func (s *scriptedConn) SetWriteDeadline(time.Time) error { return nil }

var fuzzPKI struct {
	once sync.Once
	cert tls.Certificate
}

// fuzzCert is a self-signed Ed25519 certificate made the same way every
// time: Ed25519 signs deterministically, so with a fixed Rand a recorded
// handshake replays exactly and mutations of it reach deep states.
func fuzzCert(t testing.TB) tls.Certificate {
	fuzzPKI.once.Do(func() {
		key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "localhost"},
			DNSNames:     []string{"localhost"},
			NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:     time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
		if err != nil {
			t.Fatal(err)
		}
		fuzzPKI.cert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	})
	return fuzzPKI.cert
}

// runScripted drives one side with input as everything the peer sends and
// requires a clean failure: an error, never a panic or a hang.
func runScripted(t testing.TB, client bool, input []byte) {
	// A scripted peer can only run out of bytes, so anything still running
	// after a generous bound is a hang in Lucid: fail with every stack.
	watchdog := time.AfterFunc(10*time.Second, func() {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		panic(fmt.Sprintf("scripted %d-byte conversation hung:\n%s", len(input), buf[:n]))
	})
	defer watchdog.Stop()
	cert := fuzzCert(t)
	sc := &scriptedConn{r: bytes.NewReader(input)}
	var c *tls.Conn
	if client {
		c = tls.Client(sc, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", Rand: fixedRand(), DeterministicForTesting: true})
	} else {
		c = tls.Server(sc, &tls.Config{Certificates: []tls.Certificate{cert}, Rand: fixedRand(), DeterministicForTesting: true})
	}
	err := c.Handshake()
	buf := make([]byte, 64)
	for range 8 {
		if _, rerr := c.Read(buf); rerr != nil {
			break
		}
	}
	if err != nil {
		// Once failed, a connection stays failed.
		if _, err := c.Write([]byte("x")); err == nil {
			t.Fatal("Write after a failed handshake succeeded")
		}
	}
}

// fixedRand is the same byte stream for every connection, which makes the
// recorded seeds valid conversations. The Configs that use it also set
// DeterministicForTesting: without it a server's ML-KEM ciphertext, and so
// every key after ServerHello, would differ from the recording.
func fixedRand() io.Reader { return rand.NewChaCha8([32]byte{'l', 'u', 'c', 'i', 'd'}) }

// FuzzServerConn feeds arbitrary bytes, as records, to a server.
func FuzzServerConn(f *testing.F) {
	addSeeds(f, "server")
	f.Fuzz(func(t *testing.T, input []byte) { runScripted(t, false, input) })
}

// FuzzClientConn feeds arbitrary bytes, as the server's records, to a client.
func FuzzClientConn(f *testing.F) {
	addSeeds(f, "client")
	f.Fuzz(func(t *testing.T, input []byte) { runScripted(t, true, input) })
}

func addSeeds(f *testing.F, role string) {
	f.Add([]byte{})
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte{22, 3, 1, 0, 4, 1, 0, 0, 0})
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40})
}

// TestWriteFuzzSeeds records what a real peer sends in a real handshake as
// seed corpus files. It runs only with LUCID_WRITE_SEEDS=1; the files it
// writes are committed so plain `go test` replays them.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("LUCID_WRITE_SEEDS") != "1" {
		t.Skip("set LUCID_WRITE_SEEDS=1 to regenerate the fuzz seed corpus")
	}
	cert := fuzzCert(t)
	for _, seed := range []struct {
		name   string
		groups []tls.CurveID
		// server12 makes the server speak TLS 1.2 (the client's flights
		// then are TLS 1.2's too); client12 limits the client instead.
		server12, client12 bool
	}{
		{name: "full"},
		{name: "hrr", groups: []tls.CurveID{tls.CurveP384}},
		{name: "tls12-server", server12: true},
		{name: "tls12-client", client12: true},
	} {
		c, s := pair(t)
		rc := &recorder{Conn: c}
		rs := &recorder{Conn: s}
		scfg := &tls.Config{Certificates: []tls.Certificate{cert}, CurvePreferences: seed.groups, Rand: fixedRand(), DeterministicForTesting: true}
		ccfg := &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", Rand: fixedRand(), DeterministicForTesting: true}
		if seed.server12 {
			scfg.MaxVersion = tls.VersionTLS12
		}
		if seed.client12 {
			ccfg.MaxVersion = tls.VersionTLS12
		}
		server := tls.Server(rs, scfg)
		client := tls.Client(rc, ccfg)
		done := make(chan error, 1)
		go func() { done <- server.Handshake() }()
		if err := client.Handshake(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		client.Write([]byte("hello from the client"))
		server.Write([]byte("hello from the server"))
		client.Close()
		server.Close()
		// A server's flight replays only to a client configured like the
		// scripted one (both versions), and a client's only to a server
		// like the scripted one; each seed feeds the fuzzer whose side
		// matches.
		if !seed.client12 {
			writeSeed(t, "FuzzClientConn", seed.name, rs.out.Bytes())
		}
		if !seed.server12 {
			writeSeed(t, "FuzzServerConn", seed.name, rc.out.Bytes())
		}
	}
}

type recorder struct {
	net.Conn
	out bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.out.Write(b)
	return r.Conn.Write(b)
}

func writeSeed(t *testing.T, fuzzer, name string, data []byte) {
	dir := filepath.Join("testdata", "fuzz", fuzzer)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n[]byte(")
	b.WriteString(quoteBytes(data))
	b.WriteString(")\n")
	if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func quoteBytes(b []byte) string {
	var s bytes.Buffer
	s.WriteByte('"')
	for _, c := range b {
		s.WriteString("\\x")
		const hex = "0123456789abcdef"
		s.WriteByte(hex[c>>4])
		s.WriteByte(hex[c&15])
	}
	s.WriteByte('"')
	return s.String()
}

// TestFuzzSeedsReplay checks that each recorded seed is still a whole
// conversation for the side that replays it: the handshake completes, so
// the fuzzers start from deep states rather than from a ClientHello that
// no longer matches. A change to what Lucid sends makes this fail until
// the seeds are rewritten (LUCID_WRITE_SEEDS=1).
func TestFuzzSeedsReplay(t *testing.T) {
	for _, fuzzer := range []string{"FuzzServerConn", "FuzzClientConn"} {
		for _, name := range []string{"full", "hrr", "tls12-client", "tls12-server"} {
			data, err := os.ReadFile(filepath.Join("testdata", "fuzz", fuzzer, name))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if fuzzer == "FuzzServerConn" && name == "hrr" {
				// Recorded against a server that asked for P-384; the
				// scripted server takes the first share, so this seed
				// only seeds mutations of a two-ClientHello flight.
				continue
			}
			input := unquoteSeed(t, data)
			sc := &scriptedConn{r: bytes.NewReader(input)}
			var c *tls.Conn
			if fuzzer == "FuzzClientConn" {
				c = tls.Client(sc, &tls.Config{InsecureSkipVerify: true, ServerName: "localhost", Rand: fixedRand(), DeterministicForTesting: true})
			} else {
				c = tls.Server(sc, &tls.Config{Certificates: []tls.Certificate{fuzzCert(t)}, Rand: fixedRand(), DeterministicForTesting: true})
			}
			if err := c.Handshake(); err != nil {
				t.Errorf("%s/%s no longer replays: %v", fuzzer, name, err)
			}
		}
	}
}

// unquoteSeed reads back the []byte literal writeSeed wrote.
func unquoteSeed(t *testing.T, file []byte) []byte {
	t.Helper()
	s := string(file)
	start, end := bytes.IndexByte(file, '"'), bytes.LastIndexByte(file, '"')
	if start < 0 || end <= start {
		t.Fatalf("seed file without a quoted literal: %q", s)
	}
	var out []byte
	for lit := s[start+1 : end]; len(lit) >= 4; lit = lit[4:] {
		var b byte
		if _, err := fmt.Sscanf(lit[:4], "\\x%02x", &b); err != nil {
			t.Fatalf("seed literal: %v", err)
		}
		out = append(out, b)
	}
	return out
}
