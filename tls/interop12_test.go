package tls_test

// TLS 1.2 interoperability: Lucid against crypto/tls and the openssl tools in
// both roles, for every default and every legacy suite; version negotiation
// between every pair of version ranges; refusal of a client that offers only
// RSA key transport; and the RFC 8446 §4.1.3 downgrade sentinel met through
// a man in the middle who strips TLS 1.3 from the ClientHello.
//
// The helpers here (prefix i12) are also used by resume_test.go. They build
// on the iop helpers of interop_test.go: the PKI fixture, loopback pairs,
// iopExchange and the openssl process wrapper. Every successful connection
// moves 1 MiB each way and compares SHA-256 sums; a wiretap on the raw
// connection keeps the cleartext hellos, so that what was negotiated (EMS,
// renegotiation_info, the downgrade sentinel, which resumption mechanism) is
// checked on the wire as well as in each side's own report.

import (
	"bytes"
	"crypto/sha256"
	stdtls "crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/internal/wire"
	"lucid/tls"
)

// ---------------------------------------------------------------------------
// A wiretap that keeps the first bytes of each direction.

// i12CaptureMax is how much of each direction the tap keeps: enough for
// every cleartext hello and certificate in these tests.
const i12CaptureMax = 64 << 10

// i12Capture is a net.Conn that keeps the first i12CaptureMax bytes it reads
// and writes.
type i12Capture struct {
	net.Conn
	mu      sync.Mutex
	in, out []byte
}

func i12Keep(dst *[]byte, b []byte) {
	if room := i12CaptureMax - len(*dst); room > 0 {
		*dst = append(*dst, b[:min(room, len(b))]...)
	}
}

func (c *i12Capture) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	i12Keep(&c.in, b[:n])
	c.mu.Unlock()
	return n, err
}

func (c *i12Capture) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.mu.Lock()
	i12Keep(&c.out, b[:n])
	c.mu.Unlock()
	return n, err
}

// CloseWrite keeps TCP half-close available to the TLS layer above.
func (c *i12Capture) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *i12Capture) streams() (in, out []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.in), bytes.Clone(c.out)
}

// i12FirstMessage returns the first handshake message of a TLS byte stream,
// header included, reassembled from the cleartext handshake records at its
// start.
func i12FirstMessage(stream []byte) ([]byte, error) {
	var hs []byte
	for len(stream) >= 5 && stream[0] == 22 {
		n := int(stream[3])<<8 | int(stream[4])
		if len(stream) < 5+n {
			break
		}
		hs = append(hs, stream[5:5+n]...)
		stream = stream[5+n:]
		if len(hs) >= wire.HeaderLen {
			if l := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3]); len(hs) >= wire.HeaderLen+l {
				return hs[:wire.HeaderLen+l], nil
			}
		}
	}
	return nil, fmt.Errorf("no complete handshake message at the start of %d captured bytes", len(stream))
}

// i12Hellos parses the ClientHello and the ServerHello (or
// HelloRetryRequest) that opened a connection.
type i12Hellos struct {
	ch *wire.ClientHello
	sh *wire.ServerHello
}

func i12ParseHellos(clientToServer, serverToClient []byte) (i12Hellos, error) {
	var h i12Hellos
	m, err := i12FirstMessage(clientToServer)
	if err != nil {
		return h, fmt.Errorf("client to server: %w", err)
	}
	if m[0] != wire.TypeClientHello {
		return h, fmt.Errorf("client's first message is of type %d", m[0])
	}
	if h.ch, err = wire.ParseClientHello(m[wire.HeaderLen:]); err != nil {
		return h, fmt.Errorf("parsing the ClientHello: %w", err)
	}
	if m, err = i12FirstMessage(serverToClient); err != nil {
		return h, fmt.Errorf("server to client: %w", err)
	}
	if m[0] != wire.TypeServerHello {
		return h, fmt.Errorf("server's first message is of type %d", m[0])
	}
	if h.sh, err = wire.ParseServerHello(m[wire.HeaderLen:]); err != nil {
		return h, fmt.Errorf("parsing the ServerHello: %w", err)
	}
	return h, nil
}

// hellos parses what the tap saw; clientSide says which end it wraps.
func (c *i12Capture) hellos(t *testing.T, clientSide bool) i12Hellos {
	t.Helper()
	in, out := c.streams()
	if !clientSide {
		in, out = out, in
	}
	h, err := i12ParseHellos(out, in)
	if err != nil {
		t.Fatalf("wiretap: %v", err)
	}
	return h
}

var i12Sentinel12 = []byte("DOWNGRD\x01")

func (h i12Hellos) sentinel() bool { return bytes.HasSuffix(h.sh.Random[:], i12Sentinel12) }

// checkEMS checks that both hellos carried extended_master_secret and
// renegotiation_info (RFC 7627, RFC 5746) in a TLS 1.2 handshake.
func (h i12Hellos) checkEMS(t *testing.T) {
	t.Helper()
	if !h.ch.ExtendedMasterSecret || !h.sh.ExtendedMasterSecret {
		t.Errorf("extended_master_secret on the wire: ClientHello %v, ServerHello %v; want both", h.ch.ExtendedMasterSecret, h.sh.ExtendedMasterSecret)
	}
	if !h.sh.SecureRenegotiationSupported {
		t.Error("the ServerHello carries no renegotiation_info")
	}
	if h.sh.SupportedVersion != 0 {
		t.Errorf("a TLS 1.2 ServerHello carries supported_versions %#04x", h.sh.SupportedVersion)
	}
}

// ---------------------------------------------------------------------------
// Lucid and crypto/tls peers, either side.

// i12Peer is a *tls.Conn or a crypto/tls *Conn.
type i12Peer interface {
	iopStream
	Handshake() error
	Close() error
}

// i12Maker makes one side of a connection over a raw net.Conn.
type i12Maker func(net.Conn) i12Peer

func i12Lucid(cfg *tls.Config, client bool) i12Maker {
	return func(c net.Conn) i12Peer {
		if client {
			return tls.Client(c, cfg)
		}
		return tls.Server(c, cfg)
	}
}

func i12Std(cfg *stdtls.Config, client bool) i12Maker {
	return func(c net.Conn) i12Peer {
		if client {
			return stdtls.Client(c, cfg)
		}
		return stdtls.Server(c, cfg)
	}
}

// i12State is what both implementations report about a connection.
type i12State struct {
	impl      string // "Lucid" or "crypto/tls"
	version   uint16
	suite     uint16
	didResume bool
	peerCerts []*x509.Certificate
}

func i12StateOf(p i12Peer) i12State {
	switch c := p.(type) {
	case *tls.Conn:
		st := c.ConnectionState()
		return i12State{"Lucid", st.Version, st.CipherSuite, st.DidResume, st.PeerCertificates}
	case *stdtls.Conn:
		st := c.ConnectionState()
		return i12State{"crypto/tls", st.Version, st.CipherSuite, st.DidResume, st.PeerCertificates}
	}
	panic(fmt.Sprintf("i12StateOf(%T)", p))
}

func (s i12State) String() string {
	return fmt.Sprintf("%s: %s, %s, resumed %v", s.impl, tls.VersionName(s.version), tls.CipherSuiteName(s.suite), s.didResume)
}

type i12Result struct {
	client, server i12State
	cerr, serr     error
	cap            *i12Capture // on the client's raw connection
}

func (r i12Result) hellos(t *testing.T) i12Hellos { return r.cap.hellos(t, true) }

// must fails the test unless both handshakes succeeded.
func (r i12Result) must(t *testing.T) {
	t.Helper()
	if r.cerr != nil || r.serr != nil {
		t.Fatalf("handshake failed: client (%s) %v; server (%s) %v", r.client.impl, r.cerr, r.server.impl, r.serr)
	}
}

// check checks that both sides agree on version and suite (if non-zero) and
// on whether the session was resumed.
func (r i12Result) check(t *testing.T, version, suite uint16, resumed bool) {
	t.Helper()
	for _, s := range []i12State{r.client, r.server} {
		if s.version != version || (suite != 0 && s.suite != suite) || s.didResume != resumed {
			want := tls.CipherSuiteName(suite)
			if suite == 0 {
				want = "any suite"
			}
			t.Errorf("%v; want %s, %s, resumed %v", s, tls.VersionName(version), want, resumed)
		}
	}
	if r.client.suite != r.server.suite {
		t.Errorf("the sides disagree on the suite: client %v, server %v", r.client, r.server)
	}
}

// i12Connect runs a handshake between the two sides over loopback TCP and,
// if both succeed, moves 1 MiB each way and compares what arrived.
func i12Connect(t *testing.T, mkClient, mkServer i12Maker) i12Result {
	t.Helper()
	rawC, rawS := iopLoopbackPair(t)
	res := i12Result{cap: &i12Capture{Conn: rawC}}
	c, s := mkClient(res.cap), mkServer(rawS)
	cdone, sdone := make(chan error, 1), make(chan error, 1)
	// A side whose handshake failed has sent its alert, if any; closing
	// its write half then ends the other side's wait, whether or not an
	// alert came, once it has read what there is.
	go func() {
		if err := c.Handshake(); err != nil {
			rawC.(*net.TCPConn).CloseWrite()
			cdone <- err
			return
		}
		cdone <- nil
	}()
	go func() {
		if err := s.Handshake(); err != nil {
			rawS.(*net.TCPConn).CloseWrite()
			sdone <- err
			return
		}
		sdone <- nil
	}()
	res.cerr, res.serr = <-cdone, <-sdone
	res.client, res.server = i12StateOf(c), i12StateOf(s)
	if res.cerr != nil || res.serr != nil {
		return res
	}

	cData, sData := iopRandomPayload(iopPayloadSize), iopRandomPayload(iopPayloadSize)
	type outcome struct {
		sum [32]byte
		n   int64
		err error
	}
	sres := make(chan outcome, 1)
	go func() {
		var o outcome
		o.sum, o.n, o.err = iopExchange(s, sData, nil, true)
		sres <- o
	}()
	var co outcome
	co.sum, co.n, co.err = iopExchange(c, cData, nil, false)
	so := <-sres
	if co.err != nil {
		t.Errorf("client (%s) transfer: %v", res.client.impl, co.err)
	}
	if so.err != nil {
		t.Errorf("server (%s) transfer: %v", res.server.impl, so.err)
	}
	if co.n != iopPayloadSize || co.sum != sha256.Sum256(sData) {
		t.Errorf("client received %d bytes with SHA-256 %x; the server sent %d with %x", co.n, co.sum, len(sData), sha256.Sum256(sData))
	}
	if so.n != iopPayloadSize || so.sum != sha256.Sum256(cData) {
		t.Errorf("server received %d bytes with SHA-256 %x; the client sent %d with %x", so.n, so.sum, len(cData), sha256.Sum256(cData))
	}
	c.Close()
	s.Close()
	// Post-handshake messages (TLS 1.3 tickets) are in by now.
	res.client, res.server = i12StateOf(c), i12StateOf(s)
	return res
}

// i12AlertOf returns the alert a Lucid error carries and whether the peer
// sent it.
func i12AlertOf(err error) (a tls.AlertError, remote, ok bool) {
	var te *tls.Error
	if errors.As(err, &te) {
		return te.Alert, te.Remote, true
	}
	if errors.As(err, &a) {
		return a, false, true
	}
	return 0, false, false
}

// ---------------------------------------------------------------------------
// The TLS 1.2 suites.

type i12Suite struct {
	id     uint16
	ossl   string          // openssl's name, for -cipher
	kt     testpki.KeyType // the certificate the suite needs
	legacy bool            // used only when named in Config.CipherSuites
}

var i12Suites = []i12Suite{
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", testpki.ECDSAP256, false},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", testpki.ECDSAP256, false},
	{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", testpki.ECDSAP256, false},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", testpki.RSA2048, false},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", testpki.RSA2048, false},
	{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", testpki.RSA2048, false},
	{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", testpki.RSA2048, true},
	{tls.TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", testpki.RSA2048, true},
	{tls.TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", testpki.RSA2048, true},
	{tls.TLS_RSA_WITH_AES_128_CBC_SHA256, "AES128-SHA256", testpki.RSA2048, true},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ECDHE-ECDSA-AES128-SHA", testpki.ECDSAP256, true},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "ECDHE-RSA-AES128-SHA", testpki.RSA2048, true},
	{tls.TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA", testpki.RSA2048, true},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "ECDHE-ECDSA-AES256-SHA", testpki.ECDSAP256, true},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA", testpki.RSA2048, true},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, "ECDHE-ECDSA-AES128-SHA256", testpki.ECDSAP256, true},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, "ECDHE-RSA-AES128-SHA256", testpki.RSA2048, true},
}

func (s i12Suite) name() string {
	kind := "default"
	if s.legacy {
		kind = "legacy"
	}
	return kind + "/" + tls.CipherSuiteName(s.id)
}

// lucidSuites is what Lucid is configured with: nothing for a default
// suite, which must then be among the defaults; the suite itself for a
// legacy one.
func (s i12Suite) lucidSuites() []uint16 {
	if s.legacy {
		return []uint16{s.id}
	}
	return nil
}

// i12LucidClient is a Lucid client for "localhost" with its default version
// range (TLS 1.2 and 1.3).
func i12LucidClient(f *iopPkiFixture) *tls.Config {
	return &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"}
}

func i12LucidServer(t *testing.T, leaves ...*testpki.Leaf) *tls.Config {
	cfg := &tls.Config{}
	for _, l := range leaves {
		cfg.Certificates = append(cfg.Certificates, iopLucidCert(t, l))
	}
	return cfg
}

func i12StdClient(f *iopPkiFixture) *stdtls.Config {
	return &stdtls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"}
}

func i12StdServer(leaves ...*testpki.Leaf) *stdtls.Config {
	cfg := &stdtls.Config{}
	for _, l := range leaves {
		cfg.Certificates = append(cfg.Certificates, iopStdCert(l))
	}
	return cfg
}

// TestInterop12CryptoTLS runs every TLS 1.2 suite against crypto/tls, Lucid
// as client and as server. crypto/tls is limited to TLS 1.2 and to the one
// suite; Lucid keeps its default version range and, for a default suite,
// its default suites. crypto/tls counts the RSA key transport and CBC
// suites as insecure (tls.InsecureCipherSuites) but still negotiates them
// when they are named in its CipherSuites.
func TestInterop12CryptoTLS(t *testing.T) {
	f := iopFixtures(t)
	for _, s := range i12Suites {
		for _, lucidClient := range []bool{true, false} {
			t.Run(iopRole(lucidClient)+"/"+s.name(), func(t *testing.T) {
				t.Parallel()
				leaf := f.leaves[s.kt]
				var res i12Result
				if lucidClient {
					lc := i12LucidClient(f)
					lc.CipherSuites = s.lucidSuites()
					sc := i12StdServer(leaf)
					sc.MaxVersion, sc.CipherSuites = stdtls.VersionTLS12, []uint16{s.id}
					res = i12Connect(t, i12Lucid(lc, true), i12Std(sc, false))
				} else {
					lc := i12LucidServer(t, leaf)
					lc.CipherSuites = s.lucidSuites()
					cc := i12StdClient(f)
					cc.MaxVersion, cc.CipherSuites = stdtls.VersionTLS12, []uint16{s.id}
					res = i12Connect(t, i12Std(cc, true), i12Lucid(lc, false))
				}
				res.must(t)
				res.check(t, tls.VersionTLS12, s.id, false)
				h := res.hellos(t)
				h.checkEMS(t)
				if !lucidClient && !h.sentinel() {
					t.Error("Lucid, able to speak TLS 1.3, negotiated TLS 1.2 without the DOWNGRD sentinel")
				}
				if lucidClient && h.sentinel() {
					t.Error("crypto/tls, limited to TLS 1.2, wrote the downgrade sentinel")
				}
				if pc := res.client.peerCerts; len(pc) == 0 || !bytes.Equal(pc[0].Raw, leaf.Cert.Raw) {
					t.Errorf("client (%s): PeerCertificates[0] is not the server's leaf", res.client.impl)
				}
			})
		}
	}
}

// TestInterop12RefuseRSAKeyTransport checks that a Lucid server with its
// default suites refuses a client that offers only RSA key transport, and
// that a Lucid client does not offer legacy suites by default.
func TestInterop12RefuseRSAKeyTransport(t *testing.T) {
	f := iopFixtures(t)
	leaf := f.leaves[testpki.RSA2048]
	checkLucid := func(t *testing.T, who string, err error, remote bool) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: handshake succeeded", who)
		}
		a, r, ok := i12AlertOf(err)
		if !ok || a != tls.AlertHandshakeFailure || r != remote {
			t.Errorf("%s error %q: alert %v (remote %v), want handshake_failure (remote %v)", who, err, a, r, remote)
		}
	}

	t.Run("crypto-tls-client", func(t *testing.T) {
		t.Parallel()
		cc := i12StdClient(f)
		cc.MaxVersion, cc.CipherSuites = stdtls.VersionTLS12, []uint16{stdtls.TLS_RSA_WITH_AES_128_GCM_SHA256}
		res := i12Connect(t, i12Std(cc, true), i12Lucid(i12LucidServer(t, leaf), false))
		checkLucid(t, "Lucid server", res.serr, false)
		if res.cerr == nil || !strings.Contains(res.cerr.Error(), "handshake failure") {
			t.Errorf("crypto/tls client error %v; want a handshake failure alert", res.cerr)
		}
	})

	t.Run("crypto-tls-server", func(t *testing.T) {
		t.Parallel()
		// A Lucid client with default suites offers nothing a server
		// limited to RSA key transport accepts.
		sc := i12StdServer(leaf)
		sc.MaxVersion, sc.CipherSuites = stdtls.VersionTLS12, []uint16{stdtls.TLS_RSA_WITH_AES_128_GCM_SHA256}
		res := i12Connect(t, i12Lucid(i12LucidClient(f), true), i12Std(sc, false))
		checkLucid(t, "Lucid client", res.cerr, true)
		_, out := res.cap.streams()
		m, err := i12FirstMessage(out)
		if err != nil || m[0] != wire.TypeClientHello {
			t.Fatalf("no ClientHello on the wire (%v)", err)
		}
		if ch, err := wire.ParseClientHello(m[wire.HeaderLen:]); err != nil {
			t.Errorf("parsing Lucid's ClientHello: %v", err)
		} else {
			for _, id := range ch.CipherSuites {
				for _, s := range i12Suites {
					if s.id == id && s.legacy {
						t.Errorf("Lucid's default ClientHello offers legacy suite %s", tls.CipherSuiteName(id))
					}
				}
			}
		}
	})

	t.Run("lucid-client", func(t *testing.T) {
		t.Parallel()
		lc := i12LucidClient(f)
		lc.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
		lc.MaxVersion = tls.VersionTLS12
		res := i12Connect(t, i12Lucid(lc, true), i12Lucid(i12LucidServer(t, leaf), false))
		checkLucid(t, "Lucid server", res.serr, false)
		checkLucid(t, "Lucid client", res.cerr, true)
	})

	t.Run("openssl-s_client", func(t *testing.T) {
		t.Parallel()
		iopOpensslPath(t)
		p, raw := i12StartSClient(t, i12SClientArgs(t, f, "-tls1_2", "-cipher", "AES128-GCM-SHA256")...)
		r := i12OsslSession(t, p, raw, false, i12LucidServer(t, leaf), "")
		checkLucid(t, "Lucid server", r.err, false)
		out := i12OsslEnd(t, p)
		iopCheckContains(t, "s_client's output", out, "alert handshake failure")
	})
}

// ---------------------------------------------------------------------------
// Lucid against openssl.

// i12StartSClient starts openssl s_client, without its interactive
// commands, against a Lucid listener and returns the accepted connection.
func i12StartSClient(t *testing.T, args ...string) (*iopOpensslProc, net.Conn) {
	t.Helper()
	return iopStartSClient(t, append([]string{"-nocommands"}, args...)...)
}

// i12SClientArgs makes s_client verify Lucid's certificate for localhost.
func i12SClientArgs(t *testing.T, f *iopPkiFixture, extra ...string) []string {
	t.Helper()
	caFile, err := f.ca.WriteFile(t.TempDir())
	if err != nil {
		t.Fatalf("writing the CA: %v", err)
	}
	return append([]string{"-CAfile", caFile, "-verify_return_error", "-servername", "localhost", "-verify_hostname", "localhost"}, extra...)
}

// i12SServerArgs gives s_server a leaf.
func i12SServerArgs(t *testing.T, l *testpki.Leaf, extra ...string) []string {
	t.Helper()
	cert, key, _ := iopWriteLeaf(t, t.TempDir(), "server", l)
	return append([]string{"-cert", cert, "-key", key}, extra...)
}

// i12StartSServer starts s_server for naccept connections on a free
// loopback port. next returns the connection made while waiting for it to
// listen, then fresh ones.
//
// With -brief s_server does not print the port it listens on, so the port
// is chosen here; dialing repeats until s_server listens (a refused
// connection does not use up -naccept), and the whole start is retried if
// s_server exits, as it does when another process took the port first.
func i12StartSServer(t *testing.T, naccept int, args ...string) (p *iopOpensslProc, next func() net.Conn) {
	t.Helper()
	ctx := testwait.Context(t)
	for attempt := 1; attempt <= 3; attempt++ {
		addr := fmt.Sprintf("127.0.0.1:%d", iopFreePort(t))
		full := append([]string{"s_server", "-accept", addr, "-naccept", fmt.Sprint(naccept)}, args...)
		p := iopStartOpenSSL(t, full...)
		p.unaccepted.Store(int32(naccept))
		var first net.Conn
		testwait.Until(ctx, func() bool {
			if p.exited() {
				return true
			}
			c, err := net.Dial("tcp", addr)
			if err != nil {
				return false
			}
			first = c
			return true
		})
		if first != nil {
			next := func() net.Conn {
				t.Helper()
				c := first
				if c == nil {
					var err error
					if c, err = net.Dial("tcp", addr); err != nil {
						t.Fatalf("dialing s_server again: %v; stderr: %s", err, iopLastLines(p.stderr.String(), 8))
					}
				}
				first = nil
				p.unaccepted.Add(-1)
				t.Cleanup(func() { c.Close() })
				return c
			}
			return p, next
		}
		if !p.exited() {
			t.Fatalf("s_server did not accept on %s before the test's deadline; stderr: %s", addr, iopLastLines(p.stderr.String(), 8))
		}
		t.Logf("s_server exited before accepting (attempt %d): %s", attempt, iopLastLines(p.stderr.String(), 4))
	}
	t.Fatal("s_server failed to start three times")
	return nil, nil
}

type i12OsslResult struct {
	state tls.ConnectionState
	err   error  // Lucid's handshake error
	info  string // openssl's standard output before this connection's payload
	cap   *i12Capture
}

func (r i12OsslResult) hellos(t *testing.T, lucidClient bool) i12Hellos {
	return r.cap.hellos(t, lucidClient)
}

// i12OsslSession runs one connection between Lucid and a running openssl
// s_client or s_server (without -brief, so that it reports on standard
// output before the payload) and, if the handshake succeeds, moves 1 MiB of
// hex each way: Lucid's upload, prefixed by marker, is found in openssl's
// standard output; openssl's comes from its standard input. marker must be
// unique among the connections one process serves. Lucid closes the
// connection at the end; the process keeps running.
func i12OsslSession(t *testing.T, p *iopOpensslProc, raw net.Conn, lucidClient bool, cfg *tls.Config, marker string) i12OsslResult {
	t.Helper()
	raw.SetDeadline(testwait.Deadline(t))
	res := i12OsslResult{cap: &i12Capture{Conn: raw}}
	var c *tls.Conn
	if lucidClient {
		c = tls.Client(res.cap, cfg)
	} else {
		c = tls.Server(res.cap, cfg)
	}
	res.err = c.Handshake()
	res.state = c.ConnectionState()
	if res.err != nil {
		// With Lucid's alert, if any, and the end of the stream openssl
		// ends the connection.
		raw.(*net.TCPConn).CloseWrite()
		return res
	}
	if marker == "" {
		marker = "LUCID-PAYLOAD:"
	}
	upload := append([]byte(marker), iopHexPayload(iopPayloadSize)...)
	download := iopHexPayload(iopPayloadSize)

	uploadErr, stdinErr := make(chan error, 1), make(chan error, 1)
	go func() {
		uploadErr <- func() error {
			for off := 0; off < len(upload); off += 64 << 10 {
				if _, err := c.Write(upload[off:min(off+64<<10, len(upload))]); err != nil {
					return fmt.Errorf("write at offset %d: %w", off, err)
				}
			}
			return nil
		}()
	}()
	go func() {
		_, err := p.stdin.Write(download)
		stdinErr <- err
	}()
	got := make([]byte, len(download))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Errorf("Lucid reading openssl's data: %v; openssl stderr: %s", err, iopLastLines(p.stderr.String(), 8))
	} else if sha256.Sum256(got) != sha256.Sum256(download) {
		t.Errorf("Lucid received SHA-256 %x; openssl was given %x", sha256.Sum256(got), sha256.Sum256(download))
	}
	before, payload, err := p.waitOutput(t, marker, iopPayloadSize)
	if err != nil {
		t.Errorf("openssl did not print Lucid's data: %v", err)
	} else if sha256.Sum256(payload) != sha256.Sum256(upload[len(marker):]) {
		t.Errorf("openssl received SHA-256 %x; Lucid sent %x", sha256.Sum256(payload), sha256.Sum256(upload[len(marker):]))
	}
	res.info = string(before)
	for name, ch := range map[string]chan error{"Lucid's upload": uploadErr, "feeding openssl": stdinErr} {
		if err := testwait.Recv(t, ch, name+" to end"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := c.Close(); err != nil {
		t.Errorf("Lucid Close: %v", err)
	}
	return res
}

// i12OsslEnd closes openssl's standard input, waits for it to exit and
// returns everything it printed. An s_server still owed connections would
// never exit by itself (the caller gave up on the rest, as when a first
// handshake failed), so it is killed; what it still buffered is lost,
// which only thins a failure's report.
func i12OsslEnd(t *testing.T, p *iopOpensslProc) string {
	t.Helper()
	p.stdin.Close()
	if p.unaccepted.Load() > 0 {
		p.cmd.Process.Kill()
	}
	p.waitExit(t)
	return p.stdout.String() + p.stderr.String()
}

// TestInterop12OpenSSL runs every TLS 1.2 suite against s_server and
// s_client, limited to TLS 1.2 and the one suite.
func TestInterop12OpenSSL(t *testing.T) {
	iopOpensslPath(t)
	f := iopFixtures(t)
	for _, s := range i12Suites {
		for _, lucidClient := range []bool{true, false} {
			t.Run(iopRole(lucidClient)+"/"+s.name(), func(t *testing.T) {
				t.Parallel()
				leaf := f.leaves[s.kt]
				var p *iopOpensslProc
				var r i12OsslResult
				if lucidClient {
					var next func() net.Conn
					p, next = i12StartSServer(t, 1, i12SServerArgs(t, leaf, "-tls1_2", "-cipher", s.ossl)...)
					cfg := i12LucidClient(f)
					cfg.CipherSuites = s.lucidSuites()
					r = i12OsslSession(t, p, next(), true, cfg, "")
				} else {
					var raw net.Conn
					p, raw = i12StartSClient(t, i12SClientArgs(t, f, "-tls1_2", "-cipher", s.ossl)...)
					cfg := i12LucidServer(t, leaf)
					cfg.CipherSuites = s.lucidSuites()
					r = i12OsslSession(t, p, raw, false, cfg, "")
				}
				out := i12OsslEnd(t, p)
				if r.err != nil {
					t.Fatalf("Lucid handshake: %v; openssl: %s", r.err, iopLastLines(out, 8))
				}
				st := r.state
				if st.Version != tls.VersionTLS12 || st.CipherSuite != s.id || st.DidResume {
					t.Errorf("Lucid: %s, %s, resumed %v; want TLS 1.2, %s, not resumed",
						tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.DidResume, tls.CipherSuiteName(s.id))
				}
				h := r.hellos(t, lucidClient)
				h.checkEMS(t)
				if lucidClient {
					iopCheckContains(t, "s_server's report", r.info, "CIPHER is "+s.ossl, "Secure Renegotiation IS supported")
					if len(st.PeerCertificates) == 0 || !bytes.Equal(st.PeerCertificates[0].Raw, leaf.Cert.Raw) {
						t.Error("Lucid client: PeerCertificates[0] is not s_server's leaf")
					}
				} else {
					// s_client's "New, <version>, Cipher is" line names the
					// version that introduced the suite (TLSv1.0 for the SHA-1
					// CBC suites); the session's Protocol line is the real one.
					iopCheckContains(t, "s_client's report", r.info, "New, ", "Cipher is "+s.ossl, "Protocol  : TLSv1.2",
						"Extended master secret: yes", "Verification: OK", "Secure Renegotiation IS supported")
					if !h.sentinel() {
						t.Error("Lucid, able to speak TLS 1.3, negotiated TLS 1.2 without the DOWNGRD sentinel")
					}
				}
			})
		}
	}
}

// ---------------------------------------------------------------------------
// Version negotiation.

type i12Range struct{ lo, hi uint16 }

var i12Ranges = []i12Range{
	{tls.VersionTLS12, tls.VersionTLS12},
	{tls.VersionTLS12, tls.VersionTLS13},
	{tls.VersionTLS13, tls.VersionTLS13},
}

func (r i12Range) String() string {
	return fmt.Sprintf("%s-%s", strings.TrimPrefix(tls.VersionName(r.lo), "TLS "), strings.TrimPrefix(tls.VersionName(r.hi), "TLS "))
}

// TestInterop12Versions pairs every version range with every other, Lucid
// against Lucid and against crypto/tls in both roles: the highest common
// version wins, a server able to speak TLS 1.3 marks a TLS 1.2 ServerHello
// with the sentinel, and without overlap the server, which detects it,
// sends protocol_version.
func TestInterop12Versions(t *testing.T) {
	f := iopFixtures(t)
	leaf := f.leaves[testpki.ECDSAP256]
	peers := []string{"lucid-lucid", "lucid-client/crypto-tls-server", "crypto-tls-client/lucid-server"}
	for _, peer := range peers {
		for _, cr := range i12Ranges {
			for _, sr := range i12Ranges {
				t.Run(fmt.Sprintf("%s/client-%v/server-%v", peer, cr, sr), func(t *testing.T) {
					t.Parallel()
					lc, ls := i12LucidClient(f), i12LucidServer(t, leaf)
					lc.MinVersion, lc.MaxVersion = cr.lo, cr.hi
					ls.MinVersion, ls.MaxVersion = sr.lo, sr.hi
					sc, ss := i12StdClient(f), i12StdServer(leaf)
					sc.MinVersion, sc.MaxVersion = cr.lo, cr.hi
					ss.MinVersion, ss.MaxVersion = sr.lo, sr.hi
					var res i12Result
					switch peer {
					case "lucid-lucid":
						res = i12Connect(t, i12Lucid(lc, true), i12Lucid(ls, false))
					case "lucid-client/crypto-tls-server":
						res = i12Connect(t, i12Lucid(lc, true), i12Std(ss, false))
					default:
						res = i12Connect(t, i12Std(sc, true), i12Lucid(ls, false))
					}
					want := min(cr.hi, sr.hi)
					if want < max(cr.lo, sr.lo) {
						// No overlap: the server sees it in the ClientHello.
						i12CheckVersionFailure(t, "server", res.server.impl, res.serr, false)
						i12CheckVersionFailure(t, "client", res.client.impl, res.cerr, true)
						return
					}
					res.must(t)
					res.check(t, want, 0, false)
					h := res.hellos(t)
					if want == tls.VersionTLS12 {
						h.checkEMS(t)
						if got := h.sentinel(); got != (sr.hi == tls.VersionTLS13) {
							t.Errorf("DOWNGRD sentinel in the TLS 1.2 ServerHello: %v; want it exactly when the server could speak TLS 1.3", got)
						}
					} else if h.sh.SupportedVersion != tls.VersionTLS13 {
						t.Errorf("TLS 1.3 ServerHello selects version %#04x", h.sh.SupportedVersion)
					}
				})
			}
		}
	}
}

// i12CheckVersionFailure checks one side of a handshake without a common
// version: protocol_version, sent by the server (remote for the client).
func i12CheckVersionFailure(t *testing.T, role, impl string, err error, remote bool) {
	t.Helper()
	if err == nil {
		t.Errorf("%s (%s) completed a handshake without a common version", role, impl)
		return
	}
	if impl == "crypto/tls" {
		if !strings.Contains(err.Error(), "version") {
			t.Errorf("%s (crypto/tls) error %q does not mention the version", role, err)
		}
		return
	}
	a, r, ok := i12AlertOf(err)
	if !ok || a != tls.AlertProtocolVersion || r != remote {
		t.Errorf("%s (Lucid) error %q: alert %v (remote %v); want protocol_version (remote %v)", role, err, a, r, remote)
	}
}

// ---------------------------------------------------------------------------
// Downgrade protection.

// i12ReadHandshakeRecords reads records from c until they hold one whole
// handshake message, and returns the message and the first record's header.
func i12ReadHandshakeRecords(c net.Conn) (msg []byte, hdr [5]byte, err error) {
	var hs []byte
	for first := true; ; first = false {
		var h [5]byte
		if _, err := io.ReadFull(c, h[:]); err != nil {
			return nil, hdr, err
		}
		if first {
			hdr = h
		}
		if h[0] != 22 {
			return nil, hdr, fmt.Errorf("record of type %d before the ClientHello was complete", h[0])
		}
		body := make([]byte, int(h[3])<<8|int(h[4]))
		if _, err := io.ReadFull(c, body); err != nil {
			return nil, hdr, err
		}
		hs = append(hs, body...)
		if len(hs) >= wire.HeaderLen {
			if n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3]); len(hs) >= wire.HeaderLen+n {
				return hs[:wire.HeaderLen+n], hdr, nil
			}
		}
	}
}

// i12StripTLS13 rewrites a ClientHello message as a man in the middle
// would to force TLS 1.2: only 0x0303 in supported_versions, no TLS 1.3
// suites, no key shares.
func i12StripTLS13(msg []byte) ([]byte, error) {
	if msg[0] != wire.TypeClientHello {
		return nil, fmt.Errorf("first message is of type %d, not ClientHello", msg[0])
	}
	ch, err := wire.ParseClientHello(msg[wire.HeaderLen:])
	if err != nil {
		return nil, err
	}
	ch.SupportedVersions = []uint16{tls.VersionTLS12}
	var kept []uint16
	for _, s := range ch.CipherSuites {
		if s>>8 != 0x13 {
			kept = append(kept, s)
		}
	}
	ch.CipherSuites = kept
	ch.KeyShares, ch.HasKeyShare = nil, false
	out := ch.Marshal()
	if out == nil {
		return nil, errors.New("re-marshalling the ClientHello failed")
	}
	return out, nil
}

// i12Relay is a man in the middle between a client and a server
// connection. If strip is set it rewrites the ClientHello with
// i12StripTLS13; then it copies both ways. It keeps what the server sent.
type i12Relay struct {
	fromServer i12Capture
	rewritten  bool
	err        error
	done       chan struct{}
}

func i12StartRelay(t *testing.T, client, server net.Conn, strip bool) *i12Relay {
	r := &i12Relay{fromServer: i12Capture{Conn: server}, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer client.Close()
		defer server.Close()
		if strip {
			msg, hdr, err := i12ReadHandshakeRecords(client)
			if err == nil {
				msg, err = i12StripTLS13(msg)
			}
			if err != nil {
				r.err = fmt.Errorf("relay: %w", err)
				return
			}
			if len(msg) > 1<<14 {
				r.err = fmt.Errorf("relay: rewritten ClientHello of %d bytes does not fit one record", len(msg))
				return
			}
			rec := append([]byte{22, hdr[1], hdr[2], byte(len(msg) >> 8), byte(len(msg))}, msg...)
			if _, err := server.Write(rec); err != nil {
				r.err = fmt.Errorf("relay: forwarding the ClientHello: %w", err)
				return
			}
			r.rewritten = true
		}
		down := make(chan struct{})
		go func() {
			io.Copy(client, &r.fromServer)
			client.Close()
			close(down)
		}()
		io.Copy(&r.fromServer, client)
		server.Close()
		<-down
	}()
	t.Cleanup(func() { <-r.done })
	return r
}

// TestInterop12Downgrade puts a man in the middle who strips TLS 1.3 from
// a Lucid client's ClientHello. A server that speaks TLS 1.3 answers TLS 1.2
// with the DOWNGRD sentinel, and the client must abort with
// illegal_parameter (RFC 8446 §4.1.3).
func TestInterop12Downgrade(t *testing.T) {
	f := iopFixtures(t)
	leaf := f.leaves[testpki.ECDSAP256]
	for _, server := range []string{"lucid-server", "crypto-tls-server"} {
		for _, strip := range []bool{true, false} {
			name := server + "/stripped"
			if !strip {
				// The control: the same relay, hands off.
				name = server + "/untouched"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				clientRaw, relayClient := iopLoopbackPair(t)
				relayServer, serverRaw := iopLoopbackPair(t)
				relay := i12StartRelay(t, relayClient, relayServer, strip)
				var srv i12Peer
				if server == "lucid-server" {
					srv = tls.Server(serverRaw, i12LucidServer(t, leaf))
				} else {
					srv = stdtls.Server(serverRaw, i12StdServer(leaf))
				}
				cli := tls.Client(clientRaw, i12LucidClient(f))
				serr := make(chan error, 1)
				go func() {
					err := srv.Handshake()
					if err == nil {
						// The untouched control moves a little data.
						buf := make([]byte, 5)
						if _, err = io.ReadFull(srv, buf); err == nil {
							_, err = srv.Write(buf)
						}
					}
					serr <- err
				}()
				cerr := cli.Handshake()
				if cerr == nil {
					if _, cerr = cli.Write([]byte("hello")); cerr == nil {
						buf := make([]byte, 5)
						if _, cerr = io.ReadFull(cli, buf); cerr == nil && string(buf) != "hello" {
							t.Errorf("echo %q", buf)
						}
					}
				}
				if cerr != nil {
					// Past the client's alert, the relay carries
					// the end of the stream to the server.
					clientRaw.(*net.TCPConn).CloseWrite()
				}
				sErr := testwait.Recv(t, serr, "the server's handshake to end")
				cli.Close()
				srv.Close()
				<-relay.done
				if relay.err != nil {
					t.Fatal(relay.err)
				}
				if !strip {
					if cerr != nil || sErr != nil {
						t.Fatalf("through an honest relay: client %v, server %v", cerr, sErr)
					}
					if v := cli.ConnectionState().Version; v != tls.VersionTLS13 {
						t.Errorf("through an honest relay: %s, want TLS 1.3", tls.VersionName(v))
					}
					return
				}
				in, _ := relay.fromServer.streams()
				if m, err := i12FirstMessage(in); err != nil {
					t.Errorf("no ServerHello from the server: %v", err)
				} else if sh, err := wire.ParseServerHello(m[wire.HeaderLen:]); err != nil {
					t.Errorf("parsing the ServerHello: %v", err)
				} else if sh.SupportedVersion != 0 || !bytes.HasSuffix(sh.Random[:], i12Sentinel12) {
					t.Errorf("server answered the stripped ClientHello with supported_versions %#04x and random ending %x; want TLS 1.2 and DOWNGRD\\x01",
						sh.SupportedVersion, sh.Random[24:])
				}
				if cerr == nil {
					t.Fatal("Lucid client completed a handshake downgraded to TLS 1.2")
				}
				t.Logf("client error: %v", cerr)
				a, remote, ok := i12AlertOf(cerr)
				if !ok || a != tls.AlertIllegalParameter || remote {
					t.Errorf("client error %q: alert %v (remote %v); want illegal_parameter sent by the client", cerr, a, remote)
				}
				if !strings.Contains(cerr.Error(), "downgrade") {
					t.Errorf("client error %q does not mention the downgrade", cerr)
				}
				if st := cli.ConnectionState(); st.HandshakeComplete {
					t.Error("client reports a complete handshake")
				}
				if sErr == nil {
					t.Fatal("server completed the handshake")
				}
				t.Logf("server error: %v", sErr)
				if server == "lucid-server" {
					if a, remote, ok := i12AlertOf(sErr); !ok || a != tls.AlertIllegalParameter || !remote {
						t.Errorf("Lucid server error %q: alert %v (remote %v); want illegal_parameter from the peer", sErr, a, remote)
					}
				} else if !strings.Contains(sErr.Error(), "illegal parameter") {
					t.Errorf("crypto/tls server error %q; want the client's illegal_parameter alert", sErr)
				}
			})
		}
	}
}
