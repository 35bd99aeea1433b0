package tls_test

// Interoperability tests: Lucid against Go's crypto/tls and against the
// openssl command-line tools, over loopback TCP on 127.0.0.1.
//
// Every successful case moves 1 MiB in each direction and compares the
// SHA-256 of what arrived with the SHA-256 of what was sent. Every case runs
// under the test's deadline (testwait) and every openssl process is killed
// in t.Cleanup, so a misbehaving peer fails the test instead of hanging it.
// Nothing waits for a fixed time: on a busy machine starting openssl or
// moving 2 MiB through it can take many seconds.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	stdtls "crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lucid/internal/testbuffer"
	"lucid/internal/testpki"
	"lucid/internal/testtool"
	"lucid/internal/testwait"
	"lucid/tls"
)

const (
	// iopPayloadSize is how much each side sends in every successful case.
	iopPayloadSize = 1 << 20
	// iopKeyUpdateRecordLen is the length of a protected TLS 1.3 record that
	// carries one KeyUpdate and no padding: a 4-byte handshake header, a
	// 1-byte body, the 1-byte inner content type and a 16-byte AEAD tag
	// (all three TLS 1.3 AEADs have 16-byte tags). No other record that
	// these tests send after the handshake has that length: application
	// data goes out in 64 KiB writes, close_notify is 19 bytes.
	iopKeyUpdateRecordLen = 4 + 1 + 1 + 16
)

var (
	iopAllSuites = []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256}
	iopAllGroups = []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}
	iopCertTypes = []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048, testpki.Ed25519}
)

// ---------------------------------------------------------------------------
// Test PKI, built once per test binary.

type iopPkiFixture struct {
	ca      *testpki.CA // the CA every client trusts
	otherCA *testpki.CA // a CA nobody is told to trust
	// leaves for "localhost" and 127.0.0.1, one per certificate type.
	leaves      map[testpki.KeyType]*testpki.Leaf
	alpha, beta *testpki.Leaf // for alpha.test and beta.test only, for SNI
	expired     *testpki.Leaf // for localhost, expired yesterday
}

var (
	iopFixtureOnce sync.Once
	iopFixture     *iopPkiFixture
	iopFixtureErr  error
)

func iopFixtures(t *testing.T) *iopPkiFixture {
	t.Helper()
	iopFixtureOnce.Do(func() { iopFixture, iopFixtureErr = iopBuildFixtures() })
	if iopFixtureErr != nil {
		t.Fatalf("building the test PKI: %v", iopFixtureErr)
	}
	return iopFixture
}

func iopBuildFixtures() (*iopPkiFixture, error) {
	f := &iopPkiFixture{leaves: map[testpki.KeyType]*testpki.Leaf{}}
	var err error
	if f.ca, err = testpki.NewCA("Lucid Interop CA", testpki.ECDSAP256); err != nil {
		return nil, err
	}
	if f.otherCA, err = testpki.NewCA("Lucid Stranger CA", testpki.ECDSAP256); err != nil {
		return nil, err
	}
	local := []string{"localhost", "127.0.0.1"}
	for _, kt := range iopCertTypes {
		if f.leaves[kt], err = f.ca.Issue(testpki.LeafOptions{Names: local, KeyType: kt}); err != nil {
			return nil, err
		}
	}
	if f.alpha, err = f.ca.Issue(testpki.LeafOptions{Names: []string{"alpha.test"}}); err != nil {
		return nil, err
	}
	if f.beta, err = f.ca.Issue(testpki.LeafOptions{Names: []string{"beta.test"}}); err != nil {
		return nil, err
	}
	now := time.Now()
	if f.expired, err = f.ca.Issue(testpki.LeafOptions{
		Names:     local,
		NotBefore: now.Add(-72 * time.Hour),
		NotAfter:  now.Add(-24 * time.Hour),
	}); err != nil {
		return nil, err
	}
	return f, nil
}

// iopLucidCert loads a leaf through Lucid's own PEM loader.
func iopLucidCert(t *testing.T, l *testpki.Leaf) tls.Certificate {
	t.Helper()
	c, err := tls.X509KeyPair(l.CertPEM, l.KeyPEM)
	if err != nil {
		t.Fatalf("tls.X509KeyPair: %v", err)
	}
	return c
}

func iopStdCert(l *testpki.Leaf) stdtls.Certificate {
	return stdtls.Certificate{Certificate: l.Chain, PrivateKey: l.Key, Leaf: l.Cert}
}

// iopWantScheme reports whether scheme is what a TLS 1.3 server with a leaf
// of type kt may sign its CertificateVerify with.
func iopWantScheme(kt testpki.KeyType, scheme tls.SignatureScheme) bool {
	switch kt {
	case testpki.ECDSAP256:
		return scheme == tls.ECDSAWithP256AndSHA256
	case testpki.Ed25519:
		return scheme == tls.Ed25519
	case testpki.RSA2048:
		// RFC 8446 §4.4.3: RSA signatures in TLS 1.3 are RSASSA-PSS.
		return scheme == tls.PSSWithSHA256 || scheme == tls.PSSWithSHA384 || scheme == tls.PSSWithSHA512
	}
	return false
}

// ---------------------------------------------------------------------------
// A wire tap that counts records by their cleartext headers.

// iopRecordTap parses the 5-byte record headers of a TLS byte stream. It
// cannot see inside protected records, but a KeyUpdate record has a length
// nothing else in these tests has, which is enough to tell that one was
// sent.
type iopRecordTap struct {
	mu         sync.Mutex
	hdr        [5]byte
	nhdr       int
	skip       int
	records    int
	keyUpdates int
}

func (r *iopRecordTap) feed(b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(b) > 0 {
		if r.skip > 0 {
			n := min(r.skip, len(b))
			r.skip -= n
			b = b[n:]
			continue
		}
		n := copy(r.hdr[r.nhdr:], b)
		r.nhdr += n
		b = b[n:]
		if r.nhdr < len(r.hdr) {
			return
		}
		r.nhdr = 0
		length := int(r.hdr[3])<<8 | int(r.hdr[4])
		r.skip = length
		r.records++
		if r.hdr[0] == 23 && length == iopKeyUpdateRecordLen {
			r.keyUpdates++
		}
	}
}

func (r *iopRecordTap) keyUpdateCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keyUpdates
}

// iopTapConn is a net.Conn that feeds what it reads and writes to two taps.
type iopTapConn struct {
	net.Conn
	in, out iopRecordTap
}

func (c *iopTapConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.in.feed(b[:n])
	return n, err
}

func (c *iopTapConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.out.feed(b[:n])
	return n, err
}

// CloseWrite keeps TCP half-close available to the TLS layer above.
func (c *iopTapConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ---------------------------------------------------------------------------
// Moving data.

func iopRandomPayload(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// iopHexPayload returns n random lowercase hex characters: text that no
// openssl command letter (Q, q, R, r, K, k, c, P, S followed by a newline)
// can be mistaken for.
func iopHexPayload(n int) []byte {
	return []byte(hex.EncodeToString(iopRandomPayload(n / 2)))
}

// iopStream is what both *tls.Conn and crypto/tls's *Conn offer.
type iopStream interface {
	io.ReadWriter
	CloseWrite() error
}

// iopExchange sends data on c in 64 KiB writes, calling onQuarter after each
// of the first three quarters, while it reads and hashes everything the
// peer sends until the peer's close_notify. Its own close_notify (a TLS
// half-close, RFC 8446 §6.1) goes out after the last write or, with
// closeAfterRead, only once the peer's has arrived: that keeps the side
// open long enough to answer every KeyUpdate the peer requests.
func iopExchange(c iopStream, data []byte, onQuarter func() error, closeAfterRead bool) (sum [32]byte, n int64, err error) {
	readDone := make(chan struct{})
	werr := make(chan error, 1)
	go func() {
		werr <- func() error {
			quarter := len(data) / 4
			for off := 0; off < len(data); {
				end := min(off+64<<10, len(data))
				if _, err := c.Write(data[off:end]); err != nil {
					return fmt.Errorf("write at offset %d: %w", off, err)
				}
				off = end
				if onQuarter != nil && off%quarter == 0 && off < len(data) {
					if err := onQuarter(); err != nil {
						return fmt.Errorf("key update at offset %d: %w", off, err)
					}
				}
			}
			if closeAfterRead {
				<-readDone
			}
			if err := c.CloseWrite(); err != nil {
				return fmt.Errorf("CloseWrite: %w", err)
			}
			return nil
		}()
	}()
	h := sha256.New()
	n, rerr := io.Copy(h, c)
	close(readDone)
	if rerr != nil {
		rerr = fmt.Errorf("read after %d bytes: %w", n, rerr)
	}
	copy(sum[:], h.Sum(nil))
	return sum, n, errors.Join(rerr, <-werr)
}

// ---------------------------------------------------------------------------
// Lucid against crypto/tls.

type iopGoPair struct {
	lucidClient bool           // Lucid is the client and crypto/tls the server, or the reverse
	lucid       *tls.Config    // Lucid's side
	std         *stdtls.Config // crypto/tls's side
	keyUpdates  bool           // Lucid calls UpdateKeys(true) at each quarter of its upload
}

type iopGoResult struct {
	lucid    tls.ConnectionState
	std      stdtls.ConnectionState
	lucidErr error // Lucid's handshake error
	stdErr   error // crypto/tls's handshake error
	tap      *iopTapConn
	// KeyUpdate records seen on the wire after the handshake.
	keyUpdatesSent, keyUpdatesReceived int
}

// iopLoopbackPair returns both ends of a fresh TCP connection on 127.0.0.1,
// with the test's deadline set and closed at the end of the test.
func iopLoopbackPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	client, server = loopbackTCP(t)
	deadline := testwait.Deadline(t)
	client.SetDeadline(deadline)
	server.SetDeadline(deadline)
	t.Cleanup(func() {
		client.Close()
		server.Close()
	})
	return client, server
}

// iopRunGoPair handshakes Lucid with crypto/tls and, if both handshakes
// succeed, moves 1 MiB each way and checks what arrived.
func iopRunGoPair(t *testing.T, p iopGoPair) iopGoResult {
	t.Helper()
	rawClient, rawServer := iopLoopbackPair(t)
	var res iopGoResult
	var lc *tls.Conn
	var sc *stdtls.Conn
	if p.lucidClient {
		res.tap = &iopTapConn{Conn: rawClient}
		lc = tls.Client(res.tap, p.lucid)
		sc = stdtls.Server(rawServer, p.std)
	} else {
		res.tap = &iopTapConn{Conn: rawServer}
		lc = tls.Server(res.tap, p.lucid)
		sc = stdtls.Client(rawClient, p.std)
	}
	// A side whose handshake failed has sent its alert, if any; closing
	// its write half then ends the other side's wait, whether or not an
	// alert came, once it has read what there is.
	lucidRaw, stdRaw := rawServer, rawClient
	if p.lucidClient {
		lucidRaw, stdRaw = rawClient, rawServer
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if res.stdErr = sc.Handshake(); res.stdErr != nil {
			stdRaw.(*net.TCPConn).CloseWrite()
		}
	}()
	if res.lucidErr = lc.Handshake(); res.lucidErr != nil {
		lucidRaw.(*net.TCPConn).CloseWrite()
	}
	wg.Wait()
	res.lucid = lc.ConnectionState()
	res.std = sc.ConnectionState()
	if res.lucidErr != nil || res.stdErr != nil {
		return res
	}

	lucidData, stdData := iopRandomPayload(iopPayloadSize), iopRandomPayload(iopPayloadSize)
	var onQuarter func() error
	if p.keyUpdates {
		onQuarter = func() error { return lc.UpdateKeys(true) }
	}
	sentBefore, recvBefore := res.tap.out.keyUpdateCount(), res.tap.in.keyUpdateCount()
	var stdSum [32]byte
	var stdN int64
	var stdErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		stdSum, stdN, stdErr = iopExchange(sc, stdData, nil, true)
	}()
	lucidSum, lucidN, lucidErr := iopExchange(lc, lucidData, onQuarter, false)
	wg.Wait()
	res.keyUpdatesSent = res.tap.out.keyUpdateCount() - sentBefore
	res.keyUpdatesReceived = res.tap.in.keyUpdateCount() - recvBefore
	if lucidErr != nil {
		t.Errorf("Lucid side of the transfer: %v", lucidErr)
	}
	if stdErr != nil {
		t.Errorf("crypto/tls side of the transfer: %v", stdErr)
	}
	if lucidN != iopPayloadSize || lucidSum != sha256.Sum256(stdData) {
		t.Errorf("Lucid received %d bytes with SHA-256 %x; crypto/tls sent %d bytes with SHA-256 %x",
			lucidN, lucidSum, iopPayloadSize, sha256.Sum256(stdData))
	}
	if stdN != iopPayloadSize || stdSum != sha256.Sum256(lucidData) {
		t.Errorf("crypto/tls received %d bytes with SHA-256 %x; Lucid sent %d bytes with SHA-256 %x",
			stdN, stdSum, iopPayloadSize, sha256.Sum256(lucidData))
	}
	if err := lc.Close(); err != nil {
		t.Errorf("Lucid Close: %v", err)
	}
	sc.Close()
	return res
}

func iopMustHandshake(t *testing.T, res iopGoResult) {
	t.Helper()
	if res.lucidErr != nil {
		t.Fatalf("Lucid handshake: %v (crypto/tls: %v)", res.lucidErr, res.stdErr)
	}
	if res.stdErr != nil {
		t.Fatalf("crypto/tls handshake: %v", res.stdErr)
	}
}

// iopCheckAgreement checks that both sides report the same TLS 1.3
// parameters, and the ones expected.
func iopCheckAgreement(t *testing.T, res iopGoResult, suite uint16, group tls.CurveID, hrr bool) {
	t.Helper()
	l, s := res.lucid, res.std
	if l.Version != tls.VersionTLS13 || s.Version != stdtls.VersionTLS13 {
		t.Errorf("versions: Lucid %s, crypto/tls %x; want TLS 1.3 on both", tls.VersionName(l.Version), s.Version)
	}
	if !l.HandshakeComplete {
		t.Error("Lucid: HandshakeComplete is false after a successful handshake")
	}
	if suite != 0 && (l.CipherSuite != suite || s.CipherSuite != suite) {
		t.Errorf("cipher suites: Lucid %s, crypto/tls %s; want %s",
			tls.CipherSuiteName(l.CipherSuite), stdtls.CipherSuiteName(s.CipherSuite), tls.CipherSuiteName(suite))
	}
	if l.CipherSuite != s.CipherSuite {
		t.Errorf("cipher suites differ: Lucid %s, crypto/tls %s", tls.CipherSuiteName(l.CipherSuite), stdtls.CipherSuiteName(s.CipherSuite))
	}
	if group != 0 && (l.CurveID != group || uint16(s.CurveID) != uint16(group)) {
		t.Errorf("groups: Lucid %v, crypto/tls %v; want %v", l.CurveID, s.CurveID, group)
	}
	if l.DidHelloRetryRequest != hrr || s.HelloRetryRequest != hrr {
		t.Errorf("HelloRetryRequest: Lucid %v, crypto/tls %v; want %v", l.DidHelloRetryRequest, s.HelloRetryRequest, hrr)
	}
}

func iopLucidClientConfig(f *iopPkiFixture) *tls.Config {
	return &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MinVersion: tls.VersionTLS13}
}

func iopLucidServerConfig(t *testing.T, leaves ...*testpki.Leaf) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS13}
	for _, l := range leaves {
		cfg.Certificates = append(cfg.Certificates, iopLucidCert(t, l))
	}
	return cfg
}

func iopStdClientConfig(f *iopPkiFixture) *stdtls.Config {
	return &stdtls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MinVersion: stdtls.VersionTLS13}
}

func iopStdServerConfig(leaves ...*testpki.Leaf) *stdtls.Config {
	cfg := &stdtls.Config{MinVersion: stdtls.VersionTLS13}
	for _, l := range leaves {
		cfg.Certificates = append(cfg.Certificates, iopStdCert(l))
	}
	return cfg
}

func iopRole(lucidClient bool) string {
	if lucidClient {
		return "lucid-client"
	}
	return "lucid-server"
}

// TestInteropCryptoTLSMatrix runs every TLS 1.3 suite × every group ×
// every certificate type, with Lucid as client and as server.
func TestInteropCryptoTLSMatrix(t *testing.T) {
	f := iopFixtures(t)
	for _, lucidClient := range []bool{true, false} {
		for _, suite := range iopAllSuites {
			for _, group := range iopAllGroups {
				for _, kt := range iopCertTypes {
					name := fmt.Sprintf("%s/%s/%v/%s", iopRole(lucidClient), tls.CipherSuiteName(suite), group, kt)
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						leaf := f.leaves[kt]
						p := iopGoPair{lucidClient: lucidClient}
						// crypto/tls ignores CipherSuites for TLS 1.3, so
						// the suite is forced on Lucid's side; the group is
						// restricted on both, so that no HRR is needed.
						if lucidClient {
							p.lucid = iopLucidClientConfig(f)
							p.std = iopStdServerConfig(leaf)
						} else {
							p.lucid = iopLucidServerConfig(t, leaf)
							p.std = iopStdClientConfig(f)
						}
						p.lucid.CipherSuites = []uint16{suite}
						p.lucid.CurvePreferences = []tls.CurveID{group}
						p.std.CurvePreferences = []stdtls.CurveID{stdtls.CurveID(group)}
						res := iopRunGoPair(t, p)
						iopMustHandshake(t, res)
						iopCheckAgreement(t, res, suite, group, false)
						if lucidClient {
							st := res.lucid
							if len(st.PeerCertificates) == 0 || !bytes.Equal(st.PeerCertificates[0].Raw, leaf.Cert.Raw) {
								t.Error("Lucid client: PeerCertificates[0] is not the server's leaf")
							}
							if len(st.VerifiedChains) == 0 {
								t.Error("Lucid client: no VerifiedChains after verification")
							}
							if !iopWantScheme(kt, st.SignatureScheme) {
								t.Errorf("Lucid client: server signed with %v, not a scheme for a %s key", st.SignatureScheme, kt)
							}
						} else if len(res.std.PeerCertificates) == 0 || !bytes.Equal(res.std.PeerCertificates[0].Raw, leaf.Cert.Raw) {
							t.Error("crypto/tls client: PeerCertificates[0] is not Lucid's leaf")
						}
					})
				}
			}
		}
	}
}

// TestInteropCryptoTLSFeatures covers HelloRetryRequest, ALPN, SNI and
// KeyUpdate against crypto/tls.
func TestInteropCryptoTLSFeatures(t *testing.T) {
	f := iopFixtures(t)
	leaf := f.leaves[testpki.ECDSAP256]

	for _, lucidClient := range []bool{true, false} {
		t.Run("hrr/"+iopRole(lucidClient), func(t *testing.T) {
			t.Parallel()
			// The server accepts only P-384; both clients' defaults send
			// shares for X25519MLKEM768 and X25519 only, so the server
			// must ask for a P-384 share.
			p := iopGoPair{lucidClient: lucidClient}
			if lucidClient {
				p.lucid = iopLucidClientConfig(f)
				p.std = iopStdServerConfig(leaf)
				p.std.CurvePreferences = []stdtls.CurveID{stdtls.CurveP384}
			} else {
				p.lucid = iopLucidServerConfig(t, leaf)
				p.lucid.CurvePreferences = []tls.CurveID{tls.CurveP384}
				p.std = iopStdClientConfig(f)
			}
			res := iopRunGoPair(t, p)
			iopMustHandshake(t, res)
			iopCheckAgreement(t, res, 0, tls.CurveP384, true)
		})

		t.Run("alpn/"+iopRole(lucidClient), func(t *testing.T) {
			t.Parallel()
			p := iopGoPair{lucidClient: lucidClient}
			if lucidClient {
				p.lucid = iopLucidClientConfig(f)
				p.lucid.NextProtos = []string{"h2", "http/1.1"}
				p.std = iopStdServerConfig(leaf)
				p.std.NextProtos = []string{"http/1.1"}
			} else {
				p.lucid = iopLucidServerConfig(t, leaf)
				p.lucid.NextProtos = []string{"h2", "http/1.1"}
				p.std = iopStdClientConfig(f)
				p.std.NextProtos = []string{"lucid-test/1", "http/1.1"}
			}
			res := iopRunGoPair(t, p)
			iopMustHandshake(t, res)
			if res.lucid.NegotiatedProtocol != "http/1.1" || res.std.NegotiatedProtocol != "http/1.1" {
				t.Errorf("ALPN: Lucid %q, crypto/tls %q; want http/1.1 on both", res.lucid.NegotiatedProtocol, res.std.NegotiatedProtocol)
			}
		})

		t.Run("alpn-no-overlap/"+iopRole(lucidClient), func(t *testing.T) {
			t.Parallel()
			p := iopGoPair{lucidClient: lucidClient}
			if lucidClient {
				p.lucid = iopLucidClientConfig(f)
				p.lucid.NextProtos = []string{"h2"}
				p.std = iopStdServerConfig(leaf)
				p.std.NextProtos = []string{"http/1.1"}
			} else {
				p.lucid = iopLucidServerConfig(t, leaf)
				p.lucid.NextProtos = []string{"http/1.1"}
				p.std = iopStdClientConfig(f)
				p.std.NextProtos = []string{"h2"}
			}
			res := iopRunGoPair(t, p)
			if res.lucidErr == nil {
				t.Fatal("Lucid handshake succeeded with no common application protocol")
			}
			var a tls.AlertError
			if !errors.As(res.lucidErr, &a) || a != tls.AlertNoApplicationProtocol {
				t.Errorf("Lucid error %q carries alert %v; want no_application_protocol", res.lucidErr, a)
			}
			var te *tls.Error
			if !errors.As(res.lucidErr, &te) {
				t.Errorf("Lucid error %q is not a *tls.Error", res.lucidErr)
			} else if te.Remote != lucidClient {
				// The server detects the mismatch and sends the alert.
				t.Errorf("Lucid error %q: Remote = %v, want %v", res.lucidErr, te.Remote, lucidClient)
			}
			// crypto/tls's server explains what it refused; its client
			// names the alert it received.
			wantStd := "no application protocol"
			if lucidClient {
				wantStd = `unsupported application protocols (["h2"])`
			}
			if res.stdErr == nil || !strings.Contains(res.stdErr.Error(), wantStd) {
				t.Errorf("crypto/tls error %v; want one containing %q", res.stdErr, wantStd)
			}
		})

		for _, sni := range []string{"alpha.test", "beta.test"} {
			t.Run("sni/"+iopRole(lucidClient)+"/"+sni, func(t *testing.T) {
				t.Parallel()
				p := iopGoPair{lucidClient: lucidClient}
				if lucidClient {
					p.lucid = iopLucidClientConfig(f)
					p.lucid.ServerName = sni
					p.std = iopStdServerConfig(f.alpha, f.beta)
				} else {
					p.lucid = iopLucidServerConfig(t, f.alpha, f.beta)
					p.std = iopStdClientConfig(f)
					p.std.ServerName = sni
				}
				res := iopRunGoPair(t, p)
				iopMustHandshake(t, res)
				// The client's view of the certificate, and both views of SNI.
				var peer []*x509.Certificate
				clientSNI, serverSNI := res.lucid.ServerName, res.std.ServerName
				if lucidClient {
					peer = res.lucid.PeerCertificates
				} else {
					peer = res.std.PeerCertificates
					clientSNI, serverSNI = serverSNI, clientSNI
				}
				if len(peer) == 0 {
					t.Error("client: no PeerCertificates")
				} else if !slices.Equal(peer[0].DNSNames, []string{sni}) {
					t.Errorf("client asked for %s and got a certificate for %v", sni, peer[0].DNSNames)
				}
				if clientSNI != sni || serverSNI != sni {
					t.Errorf("ServerName: client %q, server %q; want %q", clientSNI, serverSNI, sni)
				}
			})
		}

		t.Run("keyupdate/"+iopRole(lucidClient), func(t *testing.T) {
			t.Parallel()
			p := iopGoPair{lucidClient: lucidClient, keyUpdates: true}
			if lucidClient {
				p.lucid = iopLucidClientConfig(f)
				p.std = iopStdServerConfig(leaf)
			} else {
				p.lucid = iopLucidServerConfig(t, leaf)
				p.std = iopStdClientConfig(f)
			}
			// One suite is enough here; the matrix covers the others.
			p.lucid.CipherSuites = []uint16{tls.TLS_CHACHA20_POLY1305_SHA256}
			res := iopRunGoPair(t, p)
			iopMustHandshake(t, res)
			iopCheckAgreement(t, res, tls.TLS_CHACHA20_POLY1305_SHA256, 0, false)
			// Three UpdateKeys calls, each a request_update that crypto/tls
			// must answer with its own KeyUpdate (RFC 8446 §4.6.3).
			t.Logf("KeyUpdate records after the handshake: %d sent, %d received", res.keyUpdatesSent, res.keyUpdatesReceived)
			if res.keyUpdatesSent != 3 {
				t.Errorf("Lucid sent %d KeyUpdate records after 3 UpdateKeys calls", res.keyUpdatesSent)
			}
			if res.keyUpdatesReceived < 1 {
				t.Errorf("crypto/tls answered no KeyUpdate request (saw %d KeyUpdate records)", res.keyUpdatesReceived)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Certificate failures: a Lucid client refusing a server's certificate.

// iopHandshakePair runs client and server handshakes over a loopback
// connection and returns both errors.
func iopHandshakePair(t *testing.T, client, server func(net.Conn) error) (cerr, serr error) {
	t.Helper()
	rawClient, rawServer := iopLoopbackPair(t)
	done := make(chan error, 1)
	go func() { done <- server(rawServer) }()
	cerr = client(rawClient)
	return cerr, <-done
}

func TestInteropCertificateFailures(t *testing.T) {
	f := iopFixtures(t)
	good := f.leaves[testpki.ECDSAP256]
	cases := []struct {
		name       string
		leaf       *testpki.Leaf
		roots      *x509.CertPool
		serverName string
		alert      tls.AlertError
		mention    []string // words the client's error must contain
		stdText    string   // what crypto/tls's server reports on receiving the alert
	}{
		{"expired", f.expired, f.ca.Pool, "localhost", tls.AlertCertificateExpired,
			[]string{"expired"}, "expired certificate"},
		{"wrong-host", good, f.ca.Pool, "wrong.example", tls.AlertBadCertificate,
			[]string{"wrong.example", "localhost"}, "bad certificate"},
		{"unknown-ca", good, f.otherCA.Pool, "localhost", tls.AlertUnknownCA,
			[]string{"unknown", "Lucid Interop CA"}, "unknown certificate authority"},
	}
	for _, tc := range cases {
		for _, peer := range []string{"crypto-tls-server", "lucid-server"} {
			t.Run(tc.name+"/"+peer, func(t *testing.T) {
				t.Parallel()
				clientCfg := &tls.Config{RootCAs: tc.roots, ServerName: tc.serverName}
				var serverCheck func(error)
				server := func(c net.Conn) error {
					if peer == "lucid-server" {
						return tls.Server(c, iopLucidServerConfig(t, tc.leaf)).Handshake()
					}
					return stdtls.Server(c, iopStdServerConfig(tc.leaf)).Handshake()
				}
				if peer == "lucid-server" {
					serverCheck = func(err error) {
						var a tls.AlertError
						var te *tls.Error
						if !errors.As(err, &a) || a != tc.alert {
							t.Errorf("Lucid server error %v: alert %v, want %v", err, a, tc.alert)
						}
						if !errors.As(err, &te) || !te.Remote {
							t.Errorf("Lucid server error %v does not report an alert from the peer", err)
						}
					}
				} else {
					serverCheck = func(err error) {
						if !strings.Contains(err.Error(), tc.stdText) {
							t.Errorf("crypto/tls server error %q does not mention %q", err, tc.stdText)
						}
					}
				}
				cerr, serr := iopHandshakePair(t, func(c net.Conn) error {
					return tls.Client(c, clientCfg).Handshake()
				}, server)
				if cerr == nil {
					t.Fatal("Lucid client accepted the certificate")
				}
				t.Logf("client error: %v", cerr)
				var cve *tls.CertificateVerificationError
				if !errors.As(cerr, &cve) {
					t.Errorf("client error %q is not a *tls.CertificateVerificationError", cerr)
				} else if len(cve.UnverifiedCertificates) == 0 || !bytes.Equal(cve.UnverifiedCertificates[0].Raw, tc.leaf.Cert.Raw) {
					t.Error("CertificateVerificationError.UnverifiedCertificates does not start with the server's leaf")
				}
				var a tls.AlertError
				if !errors.As(cerr, &a) || a != tc.alert {
					t.Errorf("client error %q: alert %v, want %v", cerr, a, tc.alert)
				}
				var te *tls.Error
				if !errors.As(cerr, &te) || te.Remote {
					t.Errorf("client error %q should be a *tls.Error for an alert Lucid sent", cerr)
				}
				for _, w := range tc.mention {
					if !strings.Contains(cerr.Error(), w) {
						t.Errorf("client error %q does not mention %q", cerr, w)
					}
				}
				if serr == nil {
					t.Fatal("server handshake succeeded although the client refused the certificate")
				}
				t.Logf("server error: %v", serr)
				serverCheck(serr)
			})
		}
	}
}

// ---------------------------------------------------------------------------
// Lucid against openssl s_server and s_client.
//
// How data moves: openssl's s_server and s_client copy their standard input
// into the TLS connection and what they receive onto standard output. With
// -brief they print their connection summary on standard error, so standard
// output carries exactly the received bytes. Each side sends 1 MiB of
// random lowercase hex (text, so no byte can look like an interactive
// command letter), and each side knows the length to expect, so no one has
// to rely on end-of-file or close_notify to learn that the transfer is over;
// Lucid's upload starts with a marker so that the payload can also be found
// in openssl's output in the cases that run without -brief (to have openssl
// report ALPN). -WWW/-HTTP were not used: they move data one way only.

const iopUploadMarker = "LUCID-PAYLOAD:"

func iopOpensslPath(t *testing.T) string {
	t.Helper()
	return testtool.Path(t, "openssl", "openssl", "the OpenSSL interop tests")
}

type iopOpensslProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout testbuffer.Buffer
	stderr testbuffer.Buffer
	done   chan struct{}
	// unaccepted counts the connections an s_server started with
	// -naccept still waits for; until they come it does not exit.
	unaccepted atomic.Int32
}

func iopStartOpenSSL(t *testing.T, args ...string) *iopOpensslProc {
	t.Helper()
	bin := iopOpensslPath(t)
	p := &iopOpensslProc{done: make(chan struct{})}
	p.cmd = exec.CommandContext(testwait.Context(t), bin, args...)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	p.cmd.WaitDelay = 2 * time.Second
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatalf("openssl stdin: %v", err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting openssl %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stdin.Close()
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *iopOpensslProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitOutput waits until stdout holds the marker followed by n bytes, and
// returns what precedes the marker and the n bytes. It gives up when
// openssl has exited without printing them, or at the test's deadline.
func (p *iopOpensslProc) waitOutput(t *testing.T, marker string, n int) (before, payload []byte, err error) {
	find := func() bool {
		out := p.stdout.Bytes()
		i := bytes.Index(out, []byte(marker))
		if i < 0 || len(out)-i-len(marker) < n {
			return false
		}
		start := i + len(marker)
		before, payload = out[:i], out[start:start+n]
		return true
	}
	// Once openssl has exited, all it wrote is in stdout.
	testwait.Until(testwait.Context(t), func() bool { return find() || p.exited() })
	if find() {
		return before, payload, nil
	}
	return nil, nil, fmt.Errorf("openssl wrote %d bytes to stdout without the expected %d-byte payload (exited: %v); stderr: %s",
		len(p.stdout.Bytes()), n, p.exited(), iopLastLines(p.stderr.String(), 8))
}

// waitExit waits until openssl has exited, and so has written all it will,
// or fails the test at its deadline.
func (p *iopOpensslProc) waitExit(t *testing.T) {
	t.Helper()
	testwait.Recv(t, p.done, "openssl to exit")
}

func iopLastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// iopFreePort returns a loopback port that is free at the moment, for an
// openssl or gnutls server to bind. It comes from below the system's
// ephemeral range where there is room: the kernel gives a port there to
// no listener of port 0 and to no outgoing connection, so a test running
// in parallel cannot take it between this check and the server binding
// it, and a dial meant for that server cannot reach another test's
// listener (which then accepted the wrong client: a Lucid client's
// handshake with HelloRetryRequest, and its own s_client refused).
func iopFreePort(t *testing.T) int {
	t.Helper()
	if lo := ephemeralLow(); lo > iopPortsFrom+1000 {
		for range 200 {
			port := iopPortsFrom + mrand.IntN(lo-iopPortsFrom)
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				continue // taken: try another
			}
			ln.Close()
			return port
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// iopPortsFrom is the lowest port iopFreePort picks: above the well-known
// and most registered services' ports.
const iopPortsFrom = 20000

// ephemeralLow is the first port of Linux's ephemeral range, or 0 where it
// cannot be read (another system: iopFreePort then asks for port 0).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	var lo, hi int
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil {
		return 0
	}
	return lo
}

// iopStartSServer starts a TLS 1.3 s_server for one connection and
// connects to it.
func iopStartSServer(t *testing.T, args []string) (*iopOpensslProc, net.Conn) {
	t.Helper()
	p, next := i12StartSServer(t, 1, append([]string{"-tls1_3"}, args...)...)
	return p, next()
}

// iopStartSClient listens on loopback, starts openssl s_client with args
// against it and returns the accepted connection.
func iopStartSClient(t *testing.T, args ...string) (*iopOpensslProc, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	p := iopStartOpenSSL(t, append([]string{"s_client", "-connect", ln.Addr().String()}, args...)...)
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			c = nil
		}
		accepted <- c
	}()
	var raw net.Conn
	ctx := testwait.Context(t)
	select {
	case raw = <-accepted:
	case <-p.done:
		// s_client does not exit before the handshake once it has
		// connected: it did not connect.
	case <-ctx.Done():
	}
	if raw == nil {
		select {
		case raw = <-accepted: // it came as the wait ended
		default:
		}
	}
	if raw == nil {
		t.Fatalf("s_client did not connect (exited: %v); stderr: %s", p.exited(), iopLastLines(p.stderr.String(), 8))
	}
	t.Cleanup(func() { raw.Close() })
	return p, raw
}

type iopOsslCase struct {
	lucidClient bool
	lucid       *tls.Config
	args        []string // openssl arguments beyond the connection and -brief
	// verbose runs openssl without -brief, so that it prints details
	// (such as ALPN) on standard output before the payload.
	verbose bool
	// keyUpdates makes Lucid call UpdateKeys(true) at each quarter of its
	// upload.
	keyUpdates bool
	// peerKeyUpdate makes s_client send a KeyUpdate (update_requested)
	// halfway through its upload, by the interactive command "K".
	peerKeyUpdate bool
}

type iopOsslResult struct {
	state        tls.ConnectionState
	handshakeErr error
	info         string // openssl's stdout before the payload (verbose) and its stderr
	stderr       string
	tap          *iopTapConn
	proc         *iopOpensslProc
	// KeyUpdate records seen on the wire after the handshake.
	keyUpdatesSent, keyUpdatesReceived int
}

// iopRunOpenSSL connects Lucid with an openssl s_server or s_client and, if
// the handshake succeeds, moves 1 MiB each way.
func iopRunOpenSSL(t *testing.T, oc iopOsslCase) iopOsslResult {
	t.Helper()
	var res iopOsslResult
	var raw net.Conn
	var p *iopOpensslProc
	args := slices.Clone(oc.args)
	if !oc.verbose {
		args = append(args, "-brief")
	}
	if oc.lucidClient {
		p, raw = iopStartSServer(t, args)
	} else {
		cargs := append([]string{"-tls1_3"}, args...)
		if !oc.peerKeyUpdate {
			cargs = append(cargs, "-nocommands")
		}
		p, raw = iopStartSClient(t, cargs...)
	}
	ctx := testwait.Context(t)
	raw.SetDeadline(testwait.Deadline(t))
	res.proc = p
	res.tap = &iopTapConn{Conn: raw}
	var c *tls.Conn
	if oc.lucidClient {
		c = tls.Client(res.tap, oc.lucid)
	} else {
		c = tls.Server(res.tap, oc.lucid)
	}
	res.handshakeErr = c.Handshake()
	res.state = c.ConnectionState()
	if res.handshakeErr != nil {
		// Let openssl report its side before the caller looks: with
		// Lucid's alert, if any, and the end of the stream it ends the
		// connection and exits.
		raw.(*net.TCPConn).CloseWrite()
		p.waitExit(t)
		res.stderr = p.stderr.String()
		res.info = p.stdout.String() + res.stderr
		return res
	}

	upload := append([]byte(iopUploadMarker), iopHexPayload(iopPayloadSize)...)
	download := iopHexPayload(iopPayloadSize)
	sentBefore, recvBefore := res.tap.out.keyUpdateCount(), res.tap.in.keyUpdateCount()

	// Lucid's upload.
	var uploadErr error
	uploadDone := make(chan struct{})
	go func() {
		defer close(uploadDone)
		uploadErr = func() error {
			quarter := iopPayloadSize / 4
			for off := 0; off < len(upload); {
				end := min(off+64<<10, len(upload))
				if _, err := c.Write(upload[off:end]); err != nil {
					return fmt.Errorf("write at offset %d: %w", off, err)
				}
				// Offsets past the marker, so the quarters are of the payload.
				if oc.keyUpdates && end < len(upload) && (end-len(iopUploadMarker))/quarter != (off-len(iopUploadMarker))/quarter {
					if err := c.UpdateKeys(true); err != nil {
						return fmt.Errorf("UpdateKeys at offset %d: %w", end, err)
					}
				}
				off = end
			}
			return nil
		}()
	}()

	// Lucid's download, signalling when half has arrived.
	halfIn := make(chan struct{})
	downloadDone := make(chan error, 1)
	var downSum [32]byte
	go func() {
		downloadDone <- func() error {
			h := sha256.New()
			half := len(download) / 2
			if _, err := io.CopyN(h, c, int64(half)); err != nil {
				return fmt.Errorf("reading the first half: %w", err)
			}
			close(halfIn)
			if _, err := io.CopyN(h, c, int64(len(download)-half)); err != nil {
				return fmt.Errorf("reading the second half: %w", err)
			}
			copy(downSum[:], h.Sum(nil))
			return nil
		}()
	}()

	// What openssl received from Lucid: found once, by the goroutine
	// below or by this one afterwards.
	var before, upPayload []byte
	var upErr error
	waitUpload := func() {
		if upPayload == nil && upErr == nil {
			before, upPayload, upErr = p.waitOutput(t, iopUploadMarker, iopPayloadSize)
		}
	}

	// openssl's upload, fed through its standard input.
	stdinDone := make(chan error, 1)
	go func() {
		stdinDone <- func() error {
			half := len(download) / 2
			if !oc.keyUpdates && !oc.peerKeyUpdate {
				_, err := p.stdin.Write(download)
				return err
			}
			if _, err := p.stdin.Write(download[:half]); err != nil {
				return err
			}
			if oc.peerKeyUpdate {
				// Once Lucid has the first half, s_client has consumed
				// all of it from its input, so it reads "K\n" on its
				// own, as a command. The second half waits until the
				// KeyUpdate has reached Lucid, so that it cannot share a
				// read with the command (s_client would discard it).
				select {
				case <-halfIn:
				case <-ctx.Done():
					return errors.New("Lucid never received the first half")
				}
				if _, err := p.stdin.Write([]byte("K\n")); err != nil {
					return err
				}
				arrived := func() bool { return res.tap.in.keyUpdateCount() != recvBefore }
				if !testwait.Until(ctx, func() bool { return arrived() || p.exited() }) || !arrived() {
					return errors.New("s_client sent no KeyUpdate after the K command")
				}
			} else {
				// OpenSSL answers a KeyUpdate request on its next write.
				// Holding back the second half until openssl has received
				// all of Lucid's upload, and with it every request, makes
				// sure the answers go out while Lucid still reads.
				<-uploadDone
				if uploadErr != nil {
					return errors.New("Lucid's upload failed")
				}
				if waitUpload(); upErr != nil {
					return errors.New("openssl did not receive Lucid's upload")
				}
			}
			_, err := p.stdin.Write(download[half:])
			return err
		}()
	}()

	select {
	case err := <-stdinDone:
		if err != nil {
			t.Errorf("feeding openssl: %v", err)
		}
	case <-ctx.Done():
		// A write to a live openssl that stopped reading would block
		// for ever; killing it ends the write.
		t.Errorf("feeding openssl: no progress before the test's deadline; killing it")
		p.cmd.Process.Kill()
		<-stdinDone
	}
	<-uploadDone
	if uploadErr != nil {
		t.Errorf("Lucid upload: %v", uploadErr)
	}
	if err := <-downloadDone; err != nil {
		t.Errorf("Lucid download: %v (openssl stderr: %s)", err, iopLastLines(p.stderr.String(), 8))
	} else if downSum != sha256.Sum256(download) {
		t.Errorf("Lucid received SHA-256 %x; openssl was given %x", downSum, sha256.Sum256(download))
	}
	waitUpload()
	if upErr != nil {
		t.Errorf("Lucid upload: %v", upErr)
	} else {
		if got, want := sha256.Sum256(upPayload), sha256.Sum256(upload[len(iopUploadMarker):]); got != want {
			t.Errorf("openssl received SHA-256 %x; Lucid sent %x", got, want)
		}
		if !oc.verbose && len(before) > 0 {
			t.Errorf("openssl -brief printed %q before the payload", before)
		}
	}
	res.keyUpdatesSent = res.tap.out.keyUpdateCount() - sentBefore
	res.keyUpdatesReceived = res.tap.in.keyUpdateCount() - recvBefore

	if err := c.Close(); err != nil {
		t.Errorf("Lucid Close: %v", err)
	}
	p.stdin.Close()
	p.waitExit(t)
	res.stderr = p.stderr.String()
	res.info = string(before) + res.stderr
	return res
}

// iopOpensslGroup is openssl's name for a group in -groups, and how s_client
// -brief names it in "Server Temp Key".
var iopOpensslGroup = map[tls.CurveID]struct{ flag, tempKey string }{
	tls.X25519:    {"X25519", "Server Temp Key: X25519"},
	tls.CurveP256: {"P-256", "Server Temp Key: ECDH, prime256v1"},
	tls.CurveP384: {"P-384", "Server Temp Key: ECDH, secp384r1"},
}

// iopWriteLeaf writes a leaf's certificate, key and issuing CA into dir.
func iopWriteLeaf(t *testing.T, dir, prefix string, l *testpki.Leaf) (cert, key, ca string) {
	t.Helper()
	cert, key, err := l.WriteFiles(dir, prefix)
	if err != nil {
		t.Fatalf("writing %s: %v", prefix, err)
	}
	return cert, key, filepath.Join(dir, prefix+"-ca.pem")
}

func iopCheckContains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, text)
		}
	}
}

// TestInteropOpenSSL runs Lucid against openssl s_server and s_client.
// OpenSSL 3.0 has no ML-KEM, so the groups are X25519, P-256 and P-384. The
// matrix is a Latin square: every suite meets every certificate type once,
// and the group varies so that every suite–group and type–group pair also
// occurs, in 9 cases per direction instead of 27.
func TestInteropOpenSSL(t *testing.T) {
	iopOpensslPath(t)
	f := iopFixtures(t)
	groups := []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}

	// serverArgs are s_server's certificate arguments; clientArgs make
	// s_client verify Lucid's certificate for name.
	serverArgs := func(t *testing.T, l *testpki.Leaf) []string {
		cert, key, _ := iopWriteLeaf(t, t.TempDir(), "server", l)
		return []string{"-cert", cert, "-key", key}
	}
	clientArgs := func(t *testing.T, name string) []string {
		caFile, err := f.ca.WriteFile(t.TempDir())
		if err != nil {
			t.Fatalf("writing the CA: %v", err)
		}
		return []string{"-CAfile", caFile, "-verify_return_error", "-servername", name, "-verify_hostname", name}
	}

	for _, lucidClient := range []bool{true, false} {
		for si, suite := range iopAllSuites {
			for ci, kt := range iopCertTypes {
				group := groups[(si+ci)%len(groups)]
				name := fmt.Sprintf("matrix/%s/%s/%v/%s", iopRole(lucidClient), tls.CipherSuiteName(suite), group, kt)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					leaf := f.leaves[kt]
					oc := iopOsslCase{lucidClient: lucidClient}
					if lucidClient {
						oc.lucid = iopLucidClientConfig(f)
						oc.args = serverArgs(t, leaf)
					} else {
						oc.lucid = iopLucidServerConfig(t, leaf)
						oc.args = clientArgs(t, "localhost")
					}
					oc.lucid.CipherSuites = []uint16{suite}
					oc.lucid.CurvePreferences = []tls.CurveID{group}
					oc.args = append(oc.args, "-ciphersuites", tls.CipherSuiteName(suite), "-groups", iopOpensslGroup[group].flag)
					res := iopRunOpenSSL(t, oc)
					if res.handshakeErr != nil {
						t.Fatalf("handshake: %v; openssl: %s", res.handshakeErr, iopLastLines(res.info, 8))
					}
					st := res.state
					if st.Version != tls.VersionTLS13 || st.CipherSuite != suite || st.CurveID != group || st.DidHelloRetryRequest {
						t.Errorf("Lucid: %s, %s, %v, HRR %v; want TLS 1.3, %s, %v, no HRR",
							tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.CurveID, st.DidHelloRetryRequest,
							tls.CipherSuiteName(suite), group)
					}
					iopCheckContains(t, "openssl's report", res.stderr, "Ciphersuite: "+tls.CipherSuiteName(suite))
					if lucidClient {
						if !iopWantScheme(kt, st.SignatureScheme) {
							t.Errorf("s_server signed with %v, not a scheme for a %s key", st.SignatureScheme, kt)
						}
						if len(st.PeerCertificates) == 0 || !bytes.Equal(st.PeerCertificates[0].Raw, leaf.Cert.Raw) {
							t.Error("Lucid client: PeerCertificates[0] is not s_server's leaf")
						}
					} else {
						iopCheckContains(t, "s_client's report", res.stderr,
							"Verification: OK", "Peer certificate: CN = localhost", iopOpensslGroup[group].tempKey)
					}
				})
			}
		}
	}

	leaf := f.leaves[testpki.ECDSAP256]

	t.Run("hrr/lucid-client", func(t *testing.T) {
		t.Parallel()
		// Lucid's default groups put shares for X25519MLKEM768 and X25519
		// in the first ClientHello; s_server accepts only P-384.
		oc := iopOsslCase{lucidClient: true, lucid: iopLucidClientConfig(f)}
		oc.args = append(serverArgs(t, leaf), "-groups", "P-384")
		res := iopRunOpenSSL(t, oc)
		if res.handshakeErr != nil {
			t.Fatalf("handshake: %v; openssl: %s", res.handshakeErr, iopLastLines(res.info, 8))
		}
		if !res.state.DidHelloRetryRequest || res.state.CurveID != tls.CurveP384 {
			t.Errorf("Lucid client: HRR %v, group %v; want HRR and P-384", res.state.DidHelloRetryRequest, res.state.CurveID)
		}
	})

	t.Run("hrr/lucid-server", func(t *testing.T) {
		t.Parallel()
		// OpenSSL 3.0 sends a key share for the first group only.
		oc := iopOsslCase{lucid: iopLucidServerConfig(t, leaf)}
		oc.lucid.CurvePreferences = []tls.CurveID{tls.CurveP384}
		oc.args = append(clientArgs(t, "localhost"), "-groups", "X25519:P-384")
		res := iopRunOpenSSL(t, oc)
		if res.handshakeErr != nil {
			t.Fatalf("handshake: %v; openssl: %s", res.handshakeErr, iopLastLines(res.info, 8))
		}
		if !res.state.DidHelloRetryRequest || res.state.CurveID != tls.CurveP384 {
			t.Errorf("Lucid server: HRR %v, group %v; want HRR and P-384", res.state.DidHelloRetryRequest, res.state.CurveID)
		}
		iopCheckContains(t, "s_client's report", res.stderr, iopOpensslGroup[tls.CurveP384].tempKey)
	})

	t.Run("alpn/lucid-client", func(t *testing.T) {
		t.Parallel()
		oc := iopOsslCase{lucidClient: true, lucid: iopLucidClientConfig(f), verbose: true}
		oc.lucid.NextProtos = []string{"h2", "http/1.1"}
		oc.args = append(serverArgs(t, leaf), "-alpn", "lucid-test/1,http/1.1")
		res := iopRunOpenSSL(t, oc)
		if res.handshakeErr != nil {
			t.Fatalf("handshake: %v; openssl: %s", res.handshakeErr, iopLastLines(res.info, 8))
		}
		if res.state.NegotiatedProtocol != "http/1.1" {
			t.Errorf("Lucid client: ALPN %q, want http/1.1", res.state.NegotiatedProtocol)
		}
		iopCheckContains(t, "s_server's output", res.info,
			"ALPN protocols advertised by the client: h2, http/1.1", "ALPN protocols selected: http/1.1")
	})

	t.Run("alpn/lucid-server", func(t *testing.T) {
		t.Parallel()
		oc := iopOsslCase{lucid: iopLucidServerConfig(t, leaf), verbose: true}
		oc.lucid.NextProtos = []string{"h2", "http/1.1"}
		oc.args = append(clientArgs(t, "localhost"), "-alpn", "lucid-test/1,http/1.1")
		res := iopRunOpenSSL(t, oc)
		if res.handshakeErr != nil {
			t.Fatalf("handshake: %v; openssl: %s", res.handshakeErr, iopLastLines(res.info, 8))
		}
		if res.state.NegotiatedProtocol != "http/1.1" {
			t.Errorf("Lucid server: ALPN %q, want http/1.1", res.state.NegotiatedProtocol)
		}
		iopCheckContains(t, "s_client's output", res.info, "ALPN protocol: http/1.1")
	})

	t.Run("alpn-no-overlap/lucid-server", func(t *testing.T) {
		t.Parallel()
		oc := iopOsslCase{lucid: iopLucidServerConfig(t, leaf)}
		oc.lucid.NextProtos = []string{"http/1.1"}
		oc.args = append(clientArgs(t, "localhost"), "-alpn", "h2")
		res := iopRunOpenSSL(t, oc)
		if res.handshakeErr == nil {
			t.Fatal("Lucid server completed a handshake with no common application protocol")
		}
		var a tls.AlertError
		if !errors.As(res.handshakeErr, &a) || a != tls.AlertNoApplicationProtocol {
			t.Errorf("Lucid server error %q: alert %v, want no_application_protocol", res.handshakeErr, a)
		}
		iopCheckContains(t, "s_client's report", res.stderr, "no application protocol")
	})

	for _, sni := range []string{"alpha.test", "beta.test"} {
		t.Run("sni/lucid-client/"+sni, func(t *testing.T) {
			t.Parallel()
			// s_server serves alpha.test by default and switches to its
			// second certificate when the client asks for beta.test.
			dir := t.TempDir()
			aCert, aKey, _ := iopWriteLeaf(t, dir, "alpha", f.alpha)
			bCert, bKey, _ := iopWriteLeaf(t, dir, "beta", f.beta)
			oc := iopOsslCase{lucidClient: true, lucid: iopLucidClientConfig(f)}
			oc.lucid.ServerName = sni
			oc.args = []string{"-cert", aCert, "-key", aKey, "-servername", "beta.test", "-cert2", bCert, "-key2", bKey}
			res := iopRunOpenSSL(t, oc)
			if res.handshakeErr != nil {
				t.Fatalf("handshake: %v; openssl: %s", res.handshakeErr, iopLastLines(res.info, 8))
			}
			if pc := res.state.PeerCertificates; len(pc) == 0 {
				t.Error("Lucid client: no PeerCertificates")
			} else if !slices.Equal(pc[0].DNSNames, []string{sni}) {
				t.Errorf("Lucid client asked for %s and got a certificate for %v", sni, pc[0].DNSNames)
			}
		})

		t.Run("sni/lucid-server/"+sni, func(t *testing.T) {
			t.Parallel()
			oc := iopOsslCase{lucid: iopLucidServerConfig(t, f.alpha, f.beta)}
			oc.args = clientArgs(t, sni)
			res := iopRunOpenSSL(t, oc)
			if res.handshakeErr != nil {
				t.Fatalf("handshake: %v; openssl: %s", res.handshakeErr, iopLastLines(res.info, 8))
			}
			if res.state.ServerName != sni {
				t.Errorf("Lucid server saw SNI %q, want %q", res.state.ServerName, sni)
			}
			iopCheckContains(t, "s_client's report", res.stderr, "Peer certificate: CN = "+sni, "Verification: OK")
		})
	}

	for _, lucidClient := range []bool{true, false} {
		t.Run("keyupdate/"+iopRole(lucidClient), func(t *testing.T) {
			t.Parallel()
			oc := iopOsslCase{lucidClient: lucidClient, keyUpdates: true}
			if lucidClient {
				oc.lucid = iopLucidClientConfig(f)
				oc.args = serverArgs(t, leaf)
			} else {
				oc.lucid = iopLucidServerConfig(t, leaf)
				oc.args = clientArgs(t, "localhost")
			}
			res := iopRunOpenSSL(t, oc)
			if res.handshakeErr != nil {
				t.Fatalf("handshake: %v; openssl: %s", res.handshakeErr, iopLastLines(res.info, 8))
			}
			t.Logf("KeyUpdate records after the handshake: %d sent, %d received", res.keyUpdatesSent, res.keyUpdatesReceived)
			if res.keyUpdatesSent != 3 {
				t.Errorf("Lucid sent %d KeyUpdate records after 3 UpdateKeys calls", res.keyUpdatesSent)
			}
			if res.keyUpdatesReceived < 1 {
				t.Errorf("openssl answered no KeyUpdate request (saw %d KeyUpdate records)", res.keyUpdatesReceived)
			}
		})
	}

	t.Run("keyupdate/openssl-initiated", func(t *testing.T) {
		t.Parallel()
		oc := iopOsslCase{lucid: iopLucidServerConfig(t, leaf), peerKeyUpdate: true}
		oc.args = clientArgs(t, "localhost")
		res := iopRunOpenSSL(t, oc)
		if res.handshakeErr != nil {
			t.Fatalf("handshake: %v; openssl: %s", res.handshakeErr, iopLastLines(res.info, 8))
		}
		iopCheckContains(t, "s_client's report", res.stderr, "KEYUPDATE")
		if res.keyUpdatesReceived != 1 {
			t.Errorf("Lucid saw %d KeyUpdate records from s_client, want 1", res.keyUpdatesReceived)
		}
		// "K" asks the peer to update too (update_requested).
		if res.keyUpdatesSent != 1 {
			t.Errorf("Lucid sent %d KeyUpdate records in answer to s_client's request, want 1", res.keyUpdatesSent)
		}
	})
}
