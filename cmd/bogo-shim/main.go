// Command bogo-shim drives lucid/tls from BoringSSL's TLS test runner
// ("BoGo", ssl/test/runner), following the protocol in BoringSSL's
// ssl/test/PORTING.md.
//
// The runner listens on loopback and starts the shim once per test with
// -port, -shim-id and sometimes -ipv6. For every connection of the test
// (one, plus -resume-count resumptions) the shim dials that port, sends the
// shim ID as 8 little-endian bytes, and then plays TLS client or, with
// -server, TLS server over the same TCP stream. After the handshake and the
// checks the flags ask for, it echoes: each byte it reads goes back XORed
// with 0xFF, until the runner closes the connection.
//
// Exit status 0 is success; 1 is a failed test, with the reason on stderr;
// 89 tells the runner the test needs something the shim does not provide,
// either a flag it does not know or one whose request Lucid cannot honour.
// -is-handshaker-supported prints "No": Lucid has no split handshake.
//
// Flags follow test_config.cc; a flag may be prefixed with -on-initial,
// -on-resume or -on-retry to apply to that connection only. The flags
// understood, and how each is honoured, are listed in flags.go. Two are
// accepted with reduced meaning: -async is a no-op (a Lucid Conn is
// blocking; there is no non-blocking mode to exercise) and
// -trust-cert is read but not used, as in BoringSSL's own shim, whose
// certificate callback accepts every chain; the client here likewise sets
// InsecureSkipVerify. -verify-prefs exits 89: Lucid offers no setting for
// the signature schemes it accepts.
//
// Build with `go build ./cmd/bogo-shim` and run the runner from a
// BoringSSL checkout, for example:
//
//	cd ssl/test/runner && go test -shim-path /path/to/bogo-shim \
//	    -shim-config /path/to/cmd/bogo-shim/config.json \
//	    -allow-unimplemented -loose-errors -num-workers 2 -pipe
//
// config.json disables only what Lucid deliberately lacks (SSL 3, TLS 1.0
// and 1.1, DTLS, QUIC, renegotiation and BoringSSL-only interfaces); every
// pattern carries its reason.
package main

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"sync/atomic"

	"lucid/tls"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole shim: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	p, err := parseArgs(args)
	if err != nil {
		return report(stderr, err)
	}
	if p.initial.handshakerProbe {
		fmt.Fprintln(stdout, "No")
		return 0
	}
	sh, err := newShim(p)
	if err != nil {
		return report(stderr, err)
	}
	for i := 0; i <= p.initial.resumeCount; i++ {
		s := &p.initial
		if i > 0 {
			s = &p.resume
		}
		if err := sh.connection(s, i > 0); err != nil {
			fmt.Fprintf(stderr, "connection %d failed.\n", i+1)
			return report(stderr, err)
		}
	}
	return 0
}

// report prints err and chooses the exit status for it.
func report(w io.Writer, err error) int {
	fmt.Fprintln(w, err)
	var u *unimplementedError
	if errors.As(err, &u) {
		return exitUnimplemented
	}
	return 1
}

// shim holds what outlives one connection: the client's session cache and
// the server's ticket keys, so that resumption can work across the
// connections of one test.
type shim struct {
	p           *parsed
	clientCache tls.ClientSessionCache
	serverBase  *tls.Config
}

func newShim(p *parsed) (*shim, error) {
	sh := &shim{p: p, clientCache: tls.NewLRUClientSessionCache(8)}
	// Every server Config is cloned from serverBase, and clones share its
	// ticket keys and session-ID cache.
	sh.serverBase = &tls.Config{}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, err
	}
	if err := sh.serverBase.SetSessionTicketKeys([][32]byte{key}); err != nil {
		return nil, err
	}
	return sh, nil
}

// dial connects to the runner and introduces the connection with the shim
// ID. The address is a literal so that a localhost that resolves to the
// wrong family does not matter.
func (sh *shim) dial() (net.Conn, error) {
	host := "127.0.0.1"
	if sh.p.initial.ipv6 {
		host = "::1"
	}
	conn, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(sh.p.initial.port)))
	if err != nil {
		return nil, err
	}
	var id [8]byte
	binary.LittleEndian.PutUint64(id[:], sh.p.initial.shimID)
	if _, err := conn.Write(id[:]); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// hello is what the shim writes first under -shim-writes-first; the runner
// expects exactly these bytes.
const hello = "hello"

// connection runs one connection of the test: handshake, checks, exporter,
// echo loop and shutdown.
func (sh *shim) connection(s *settings, resumed bool) error {
	var peerOffered atomic.Pointer[[]string]
	cfg, err := sh.config(s, &peerOffered)
	if err != nil {
		return err
	}
	raw, err := sh.dial()
	if err != nil {
		return err
	}
	defer raw.Close()

	var tc *tls.Conn
	if s.server {
		tc = tls.Server(raw, cfg)
	} else {
		tc = tls.Client(raw, cfg)
	}
	var closeNotified atomic.Bool
	tc.SetObserver(func(e tls.Event) {
		if e.Kind == tls.EventAlertReceived && e.Name == "close_notify" {
			closeNotified.Store(true)
		}
	})

	if !s.implicitHandshake {
		if err := tc.Handshake(); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
		if err := checkState(tc.ConnectionState(), s, resumed); err != nil {
			return err
		}
		if s.expectAdvertisedALPN != "" {
			want, err := parseALPN(s.expectAdvertisedALPN)
			if err != nil {
				return err
			}
			got := peerOffered.Load()
			if got == nil || !slices.Equal(*got, want) {
				return fmt.Errorf("client advertised ALPN %q, want %q", deref(got), want)
			}
		}
	}

	w := fragmenter{tc: tc, max: s.maxSendFragment}
	if s.exportLen > 0 {
		cs := tc.ConnectionState()
		var context []byte
		if s.useExportContext {
			context = []byte(s.exportContext)
		}
		km, err := cs.ExportKeyingMaterial(s.exportLabel, context, s.exportLen)
		if err != nil {
			return fmt.Errorf("exporting keying material: %w", err)
		}
		if err := w.write(km); err != nil {
			return err
		}
	}
	if s.shimWritesFirst {
		if err := w.write([]byte(hello)); err != nil {
			return err
		}
	}

	if s.shimShutsDown {
		// Send close_notify first; with -check-close-notify the runner's
		// close_notify must come back.
		if err := tc.CloseWrite(); err != nil {
			return fmt.Errorf("sending close_notify: %w", err)
		}
		if s.checkCloseNotify {
			if _, err := io.Copy(io.Discard, tc); err != nil {
				return fmt.Errorf("awaiting close_notify: %w", err)
			}
			if !closeNotified.Load() {
				return errors.New("the peer closed the connection without close_notify")
			}
		}
		return nil
	}

	if err := echo(tc, &w, s.keyUpdate); err != nil {
		return err
	}
	if s.implicitHandshake {
		// The checks wait until the handshake has surely run.
		if err := checkState(tc.ConnectionState(), s, resumed); err != nil {
			return err
		}
	}
	if s.checkCloseNotify {
		if !closeNotified.Load() {
			return errors.New("the peer closed the connection without close_notify")
		}
		if err := tc.CloseWrite(); err != nil {
			return fmt.Errorf("sending close_notify: %w", err)
		}
	}
	// Otherwise the connection ends quietly, as BoringSSL's shim does
	// (SSL_set_quiet_shutdown): the deferred Close drops TCP without a
	// close_notify.
	return nil
}

// echo reads until the peer ends the stream and sends each byte back
// XORed with 0xFF. Reads are small, so that one record can take several.
func echo(tc *tls.Conn, w *fragmenter, keyUpdate bool) error {
	buf := make([]byte, 512)
	for {
		n, err := tc.Read(buf)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if keyUpdate {
			if err := tc.UpdateKeys(false); err != nil {
				return fmt.Errorf("key update: %w", err)
			}
		}
		for i := range buf[:n] {
			buf[i] ^= 0xff
		}
		if err := w.write(buf[:n]); err != nil {
			return err
		}
	}
}

// fragmenter writes application data in records of at most max bytes
// (-max-send-fragment): each Write of at most 16384 bytes is one record.
type fragmenter struct {
	tc  *tls.Conn
	max int
}

func (f *fragmenter) write(b []byte) error {
	step := len(b)
	if f.max > 0 {
		step = f.max
	}
	for len(b) > 0 {
		n := min(step, len(b))
		if _, err := f.tc.Write(b[:n]); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		b = b[n:]
	}
	return nil
}

// checkState compares the finished handshake with what the flags expect.
func checkState(cs tls.ConnectionState, s *settings, resumed bool) error {
	if s.expectVersion != 0 && int(cs.Version) != s.expectVersion {
		return fmt.Errorf("want version %04x, got %04x", s.expectVersion, cs.Version)
	}
	wantResume := resumed && !s.expectSessionMiss
	if cs.DidResume != wantResume {
		not := " not"
		if cs.DidResume {
			not = ""
		}
		return fmt.Errorf("session unexpectedly was%s reused", not)
	}
	if s.expectCurveID != 0 && int(cs.CurveID) != s.expectCurveID {
		return fmt.Errorf("want curve %d, got %d", s.expectCurveID, cs.CurveID)
	}
	if s.expectPeerSigAlg != 0 && int(cs.SignatureScheme) != s.expectPeerSigAlg {
		return fmt.Errorf("want peer signature algorithm %04x, got %04x", s.expectPeerSigAlg, uint16(cs.SignatureScheme))
	}
	if s.expectALPN != "" && cs.NegotiatedProtocol != s.expectALPN {
		return fmt.Errorf("want ALPN %q, got %q", s.expectALPN, cs.NegotiatedProtocol)
	}
	if s.expectServerName != "" && cs.ServerName != s.expectServerName {
		return fmt.Errorf("want server name %q, got %q", s.expectServerName, cs.ServerName)
	}
	if s.expectHRR && !cs.DidHelloRetryRequest {
		return errors.New("expected a HelloRetryRequest")
	}
	if s.expectNoHRR && cs.DidHelloRetryRequest {
		return errors.New("unexpected HelloRetryRequest")
	}
	// -expect-extended-master-secret: Lucid refuses TLS 1.2 without the
	// extended master secret (RFC 7627) and BoringSSL counts TLS 1.3 as
	// having it, so every completed handshake satisfies the check.
	return nil
}

// config turns settings into a lucid/tls Config for one connection.
// offered receives, on a server, the ALPN list the client sent.
func (sh *shim) config(s *settings, offered *atomic.Pointer[[]string]) (*tls.Config, error) {
	if len(s.verifyPrefs) > 0 {
		return nil, unimplemented("-verify-prefs: lucid/tls has no setting for the signature schemes it accepts")
	}
	var cfg *tls.Config
	if s.server {
		cfg = sh.serverBase.Clone()
	} else {
		cfg = &tls.Config{ClientSessionCache: sh.clientCache, InsecureSkipVerify: true, ServerName: s.hostName}
	}
	cfg.SessionTicketsDisabled = s.noTicket

	lo, hi := uint16(tls.VersionTLS12), uint16(tls.VersionTLS13)
	if s.minVersion > int(lo) {
		lo = uint16(s.minVersion)
	}
	if s.maxVersion != 0 {
		if s.maxVersion < tls.VersionTLS12 {
			return nil, unimplemented("-max-version %#04x: Lucid has no version before TLS 1.2", s.maxVersion)
		}
		hi = min(hi, uint16(s.maxVersion))
	}
	if s.noTLS13 {
		hi = min(hi, tls.VersionTLS12)
	}
	if s.noTLS12 {
		lo = max(lo, tls.VersionTLS13)
	}
	if lo > hi {
		return nil, fmt.Errorf("no protocol versions enabled (%#04x..%#04x)", lo, hi)
	}
	cfg.MinVersion, cfg.MaxVersion = lo, hi

	for _, c := range s.curves {
		cfg.CurvePreferences = append(cfg.CurvePreferences, tls.CurveID(c))
	}

	if s.certFile != "" || s.keyFile != "" {
		cert, err := tls.LoadX509KeyPair(s.certFile, s.keyFile)
		if err != nil {
			return nil, err
		}
		cert.OCSPStaple = s.ocspResponse
		for _, p := range s.signingPrefs {
			cert.SupportedSignatureAlgorithms = append(cert.SupportedSignatureAlgorithms, tls.SignatureScheme(p))
		}
		cfg.Certificates = []tls.Certificate{cert}
	}

	if s.server {
		switch {
		case s.verifyPeer:
			cfg.ClientAuth = tls.RequestClientCert
		case s.requireAnyClientCert:
			cfg.ClientAuth = tls.RequireAnyClientCert
		}
		switch {
		case s.rejectALPN:
			// A protocol no client offers makes Lucid refuse any ALPN
			// offer with no_application_protocol, which is what
			// rejecting means.
			cfg.NextProtos = []string{"\x00lucid-bogo-shim-rejects"}
		case s.declineALPN:
		case s.selectALPN != "":
			cfg.NextProtos = []string{s.selectALPN}
		}
		certs := cfg.Certificates
		cfg.GetCertificate = func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			protos := slices.Clone(h.SupportedProtos)
			offered.Store(&protos)
			if len(certs) == 0 {
				return nil, errors.New("no certificate configured")
			}
			return nil, nil // fall through to Certificates
		}
	} else if s.advertiseALPN != "" {
		protos, err := parseALPN(s.advertiseALPN)
		if err != nil {
			return nil, err
		}
		cfg.NextProtos = protos
	}
	return cfg, nil
}

// parseALPN splits an ALPN list in wire format: each protocol preceded by
// its one-byte length.
func parseALPN(wire string) ([]string, error) {
	var out []string
	b := []byte(wire)
	for len(b) > 0 {
		n := int(b[0])
		if n == 0 || len(b) < 1+n {
			return nil, fmt.Errorf("malformed ALPN list %q", wire)
		}
		out = append(out, string(b[1:1+n]))
		b = b[1+n:]
	}
	return out, nil
}

func deref(p *[]string) []string {
	if p == nil {
		return nil
	}
	return *p
}
