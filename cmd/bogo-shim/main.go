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
// InsecureSkipVerify and emulates that callback (-verify-fail) with
// VerifyPeerCertificate. -max-send-fragment sets Config.MaxFragmentSize.
//
// The shim emulates BoringSSL's defaults where Lucid's differ: every
// cipher suite Lucid implements is enabled, legacy ones included
// (ciphers.go); a client sends its certificate whatever authorities the
// server names (creds.go); several credentials (-new-x509-credential)
// become several Config.Certificates for Lucid's server to choose from;
// without -verify-prefs the peer's signature is checked against BoringSSL's
// default list, which lacks Ed25519 and P-521 (Config.SignatureSchemes).
// When a connection fails, the shim half-closes and drains the socket
// before closing it, so that the runner reads Lucid's alert instead of a
// TCP reset. The shim's clock (Config.Time) is frozen, as BoringSSL's is,
// at 1234 s after the epoch and moves only by -resumption-delay, so the
// ticket ages the runner checks are exact.
//
// Lucid's client always asks for an OCSP staple and SCTs, so
// -enable-signed-cert-timestamps changes nothing and -enable-ocsp-stapling
// only decides whether BoringSSL's client OCSP callback runs. BoringSSL
// reports a resumed session's staple, SCTs and verification result from the
// handshake that made it; a Lucid resumption carries none of them, so the
// shim keeps them from the full handshake, as the session would
// (session.go), and checks whatever Lucid does report for a resumption.
// The callbacks BoringSSL's shim installs around the choice of a
// certificate are emulated where Lucid calls GetCertificate
// and GetClientCertificate (callbacks.go). After a TLS 1.2 client
// handshake the shim checks, as BoringSSL's does, that a new session
// reached the cache exactly when expected, counting what Lucid stores in
// the ClientSessionCache.
//
// 0-RTT follows BoringSSL's shim (earlydata.go): a resuming client with
// -enable-early-data lets its first write, the "hello", drive the
// handshake and go out as early data, and when the server rejects it
// carries on under the -on-retry flags without writing it again
// (Config.ReportRejectedEarlyData); a server with -enable-early-data
// offers BoringSSL's limit, 14336 bytes, in its tickets, and echoes early
// data as 0.5-RTT data. A Lucid server that accepted early data sends its
// tickets after the client's Finished, not at 0.5-RTT as BoringSSL's
// does (it sends them with its own Finished only without early data or a
// certificate request), so config.json sets HalfRTTTickets to 0. Lucid's reasons for refusing early data are
// reported under BoringSSL's names (boringEarlyReason says how they map).
//
// Encrypted Client Hello follows BoringSSL's shim too (ech.go): the
// -ech-server-* flags become Config.EncryptedClientHelloKeys, -ech-config-list
// Config.EncryptedClientHelloConfigList, and a rejection, an
// *tls.ECHRejectionError, is reported as ECH_REJECTED with its retry configs
// checked. The client sends GREASE ECH only under -enable-ech-grease, as
// BoringSSL's does, though Lucid's default is to send it. BoringSSL's "name
// override", the public name a rejected connection's chain is checked
// against, is what Lucid passes to EncryptedClientHelloRejectionVerify.
//
// Certificate compression follows BoringSSL's shim too (certcomp.go): the
// runner's three toy algorithms are registered with
// tls.RegisterCertCompression, and -install-cert-compression-algs or
// -install-one-cert-compression-alg lists them in Config.CertCompression.
//
// Build with `go build ./cmd/bogo-shim` and run the runner from a
// BoringSSL checkout, for example:
//
//	cd ssl/test/runner && go test -shim-path /path/to/bogo-shim \
//	    -shim-config /path/to/cmd/bogo-shim/config.json \
//	    -allow-unimplemented -loose-errors -num-workers 2 -pipe
//
// config.json disables only what Lucid deliberately lacks or does
// differently (TLS 1.0 and 1.1 where a test needs one negotiated, DTLS,
// QUIC, renegotiation, SHA-1 signatures, TLS 1.2 without the extended
// master secret, pre-standard code points, a post-quantum default,
// BoringSSL-only interfaces, and a few alerts and choices where the RFC
// lets Lucid differ) where no flag lets the shim tell; every pattern
// carries its reason. The tests that check Lucid refuses SSL 3.0, TLS 1.0,
// TLS 1.1 and renegotiation stay enabled. Its ErrorMap
// maps BoringSSL's error codes to the alerts Lucid sends, for strict
// error matching, and its AllCurves lists the groups Lucid implements,
// which the runner passes to tests that enable every group.
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
	"time"

	"lucid/internal/kex"
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
	if err := echLimits(p); err != nil {
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
		// BoringSSL's shim advances its clock after each connection.
		sh.clock = sh.clock.Add(time.Duration(s.resumptionDelay) * time.Second)
	}
	return 0
}

// report prints err and chooses the exit status for it.
func report(w io.Writer, err error) int {
	fmt.Fprintln(w, err)
	var u *unimplementedError
	if errors.As(err, &u) {
		logUnimplemented(u)
		return exitUnimplemented
	}
	return 1
}

// logUnimplemented appends the reason for an exit 89 to the file named by
// $BOGO_SHIM_UNIMPLEMENTED_LOG, one line per test, so that a run of the
// whole suite can be tallied by missing flag.
func logUnimplemented(u *unimplementedError) {
	name := os.Getenv("BOGO_SHIM_UNIMPLEMENTED_LOG")
	if name == "" {
		return
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, u.why)
}

// shim holds what outlives one connection: the client's session cache and
// the server's ticket keys, so that resumption can work across the
// connections of one test, and the state BoringSSL keeps in its sessions
// and clock.
type shim struct {
	p           *parsed
	clientCache *countingCache
	serverBase  *tls.Config
	// suites is every suite Lucid implements, enabled as BoringSSL
	// enables them by default.
	suites []uint16
	// clock is the shim's current time. It stands still, as in BoringSSL's
	// shim, so that the runner sees exact ages (a ticket offered after
	// -resumption-delay 10 is exactly 10 s old); only -resumption-delay
	// moves it.
	clock time.Time
	// sessionVerifyFailed is the verification result of the last full
	// handshake, which a resumption inherits as BoringSSL's session does;
	// session is what its server stapled, likewise.
	sessionVerifyFailed bool
	session             stapled
	// issuedEarlyTickets is whether the server's tickets so far allowed
	// early data, which tells BoringSSL's unsupported_for_session from
	// peer_declined when a resuming client offers none.
	issuedEarlyTickets bool
}

// frozenStart is the time the shim's clock shows until -resumption-delay
// moves it: BoringSSL's shim starts its clock at 1234 s and 1234 µs after
// the epoch (ssl/test/test_state.cc), away from zero, which some code
// treats as unset, and so does this one. Lucid reads Config.Time for
// session and ticket ages and for certificate validity; the shim never
// has Lucid verify a chain (see verification), so the 1970 date touches
// only ages.
var frozenStart = time.Unix(1234, 1234*int64(time.Microsecond))

func newShim(p *parsed) (*shim, error) {
	sh := &shim{p: p, clientCache: newCountingCache(), suites: implementedSuites(), clock: frozenStart}
	// Every server Config is a copy of serverBase, sharing its ticket
	// keys and session-ID cache as one server's connections do.
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

// observed is what one connection's callbacks and events report, for the
// checks after the handshake.
type observed struct {
	// offeredALPN is the protocol list of the client's last ClientHello
	// (empty if it sent none), on a server.
	offeredALPN   atomic.Pointer[[]string]
	closeNotified atomic.Bool
	// selected is the number of the credential used, or noCredential.
	selected atomic.Int64
	// verifyRan and verifyFailed record the certificate verification
	// callback's work on this connection.
	verifyRan, verifyFailed atomic.Bool
	// peerCertificate is whether the peer's Certificate message has
	// arrived, which tells its chain from a resumed session's.
	peerCertificate atomic.Bool
	// offeredStatus is whether the client's last ClientHello asked for
	// an OCSP staple, on a server; offeredPSK whether it offered a
	// session to resume.
	offeredStatus atomic.Bool
	offeredPSK    atomic.Bool
	// renewedTicket is whether a TLS 1.2 server sent a non-empty
	// NewSessionTicket, on a client.
	renewedTicket atomic.Bool
	// storedBefore is how many sessions the client's cache had received
	// when the connection started.
	storedBefore int64
	// tap is the TCP stream as Lucid uses it.
	tap *tapConn
	// retry is, on a client connection that may send early data, the
	// flags that take over if the server rejects it.
	retry *settings
	// offeredEarly is whether a client's hello offered early data.
	offeredEarly atomic.Bool
}

func newObserved() *observed {
	o := &observed{}
	o.selected.Store(noCredential)
	return o
}

// event takes the connection's events: the peer's close_notify, the ALPN
// list and status_request of every ClientHello, resumed or not, the
// arrival of the peer's Certificate, and whether a NewSessionTicket
// brought a ticket.
func (o *observed) event(e tls.Event) {
	switch {
	case e.Kind == tls.EventAlertReceived && e.Name == "close_notify":
		o.closeNotified.Store(true)
	case e.Kind == tls.EventMessageSent && (e.Name == "ClientHello" || e.Name == "ClientHelloInner"):
		for _, f := range e.Fields {
			if l, ok := f.Value.([]string); ok && f.Key == "extensions" && slices.Contains(l, "early_data") {
				o.offeredEarly.Store(true)
			}
		}
	case e.Kind == tls.EventMessageReceived && (e.Name == "ClientHello" || e.Name == "ClientHelloInner"):
		// With ECH accepted the inner hello, which comes second, is
		// the one the handshake answers.
		protos := []string{}
		status, psk := false, false
		for _, f := range e.Fields {
			l, ok := f.Value.([]string)
			switch {
			case ok && f.Key == "alpn":
				protos = slices.Clone(l)
			case ok && f.Key == "extensions":
				status = slices.Contains(l, "status_request")
				psk = offersPSK(l)
			}
		}
		o.offeredALPN.Store(&protos)
		o.offeredStatus.Store(status)
		o.offeredPSK.Store(psk)
	case e.Kind == tls.EventMessageReceived && e.Name == "Certificate":
		o.peerCertificate.Store(true)
	case e.Kind == tls.EventMessageReceived && e.Name == "NewSessionTicket":
		for _, f := range e.Fields {
			if n, ok := f.Value.(int); ok && f.Key == "ticket_bytes" && n > 0 {
				o.renewedTicket.Store(true)
			}
		}
	}
}

// connection runs one connection of the test: handshake, checks, exporter,
// echo loop and shutdown.
func (sh *shim) connection(s *settings, resumed bool) error {
	o := newObserved()
	o.storedBefore = sh.clientCache.stored.Load()
	if clientWritesEarly(s, resumed) {
		o.retry = &sh.p.retry
	}
	cfg, err := sh.config(s, o)
	if err != nil {
		return err
	}
	raw, err := sh.dial()
	if err != nil {
		return err
	}
	defer raw.Close()
	o.tap = &tapConn{Conn: raw}
	err = sh.converse(o.tap, cfg, s, resumed, o)
	// BoringSSL's client whose early data was rejected goes on under
	// the -on-retry flags, and an ECH rejection, which rejects early
	// data too, comes after that switch.
	final := s
	if o.retry != nil && o.offeredEarly.Load() {
		final = o.retry
	}
	if err = checkECHRejection(err, final); err != nil {
		drainAfterFailure(raw, failureLinger)
		return err
	}
	if s.server && !s.noTicket {
		sh.issuedEarlyTickets = cfg.MaxEarlyData > 0
	}
	return nil
}

// failureLinger bounds how long a failed connection stays open for the
// runner to finish writing and read the alert.
const failureLinger = 2 * time.Second

// drainAfterFailure ends a connection that failed. Lucid has usually just
// written a fatal alert, but the runner may still have records in flight:
// closing a socket with unread input makes the kernel send a reset, which
// discards the alert in the runner's receive buffer and turns its writes
// into "broken pipe". Half-closing (as Lucid itself does after a fatal
// alert, and here also after a failed check) delivers the alert and an end
// of stream, and reading until the runner closes (or the deadline passes)
// keeps the socket from resetting.
func drainAfterFailure(c net.Conn, linger time.Duration) {
	if tcp, ok := c.(*net.TCPConn); ok {
		tcp.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(linger))
	io.Copy(io.Discard, c)
}

// lenientHalfClose is the TCP connection as Lucid sees it. Lucid
// half-closes TCP after its close_notify and after a fatal alert; the
// first can fail when the runner has already closed its end on reading
// the close_notify, which SSL_shutdown, writing the alert alone, would not
// notice. The alert went out, so that failure is ignored.
type lenientHalfClose struct{ net.Conn }

func (c lenientHalfClose) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	return nil
}

// converse plays TLS over raw for one connection of the test.
func (sh *shim) converse(raw net.Conn, cfg *tls.Config, s *settings, resumed bool, o *observed) error {
	var tc *tls.Conn
	if s.server {
		tc = tls.Server(lenientHalfClose{raw}, cfg)
	} else {
		tc = tls.Client(lenientHalfClose{raw}, cfg)
	}
	tc.SetObserver(o.event)

	// wrote is whether the "hello" of -shim-writes-first is out; checked
	// whether the handshake's checks have run, and earlyPending whether
	// they ran while a server was still reading early data, so that
	// what became of it remains to be checked.
	wrote, checked, earlyPending, exported := false, false, false, false
	switch {
	case clientWritesEarly(s, resumed):
		// BoringSSL's client exports right after SSL_do_handshake, which
		// returns in early data, before its write; Lucid's handshake has
		// not begun then, and its exporter refuses as BoringSSL's does
		// (HANDSHAKE_NOT_COMPLETE).
		if s.exportLen > 0 {
			if err := exportKeyingMaterial(tc, s); err != nil {
				return err
			}
		}
		var err error
		if s, err = sh.writeEarly(tc, s, o); err != nil {
			return err
		}
		wrote, checked, exported = true, true, true
	case !s.implicitHandshake:
		if err := tc.Handshake(); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
		// A server that accepted early data is still reading it.
		checked, earlyPending = true, tc.InEarlyData()
		if err := sh.checkHandshake(tc.ConnectionState(), s, o, resumed, earlyPending); err != nil {
			return err
		}
		if err := extraHandshake(tc, s, o.tap); err != nil {
			return err
		}
	}

	if s.exportLen > 0 && !exported {
		if err := exportKeyingMaterial(tc, s); err != nil {
			return err
		}
	}
	if s.shimWritesFirst && !wrote {
		if err := write(tc, []byte(hello)); err != nil {
			return err
		}
	}

	if s.shimShutsDown {
		return shutDown(tc, s.checkCloseNotify, o)
	}

	if err := echo(tc, s.readSize, s.keyUpdate); err != nil {
		return err
	}
	switch {
	case !checked:
		// The checks wait until the handshake has surely run.
		if err := sh.checkHandshake(tc.ConnectionState(), s, o, resumed, false); err != nil {
			return err
		}
	case earlyPending:
		// BoringSSL's shim checks a server that accepted early data
		// while it is still reading it, so never checks the reason it
		// would report then ("accepted"); acceptance this one checks.
		c := *s
		c.expectEarlyDataReason = ""
		if err := sh.checkEarlyData(tc.ConnectionState(), &c, o, resumed, false); err != nil {
			return err
		}
	}
	if err := sh.checkTicketEarlyData(tc.ConnectionState(), s, o); err != nil {
		return err
	}
	if s.checkCloseNotify {
		if !o.closeNotified.Load() {
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

// exportKeyingMaterial writes what -export-keying-material asks for.
func exportKeyingMaterial(tc *tls.Conn, s *settings) error {
	var context []byte
	if s.useExportContext {
		context = []byte(s.exportContext)
	}
	cs := tc.ConnectionState()
	km, err := cs.ExportKeyingMaterial(s.exportLabel, context, s.exportLen)
	if err != nil {
		return fmt.Errorf("exporting keying material: %w", err)
	}
	return write(tc, km)
}

// extraHandshake calls Handshake again after a finished one, as
// -handshake-twice and -no-op-extra-handshake ask: it must succeed and,
// for the second flag, read and write nothing.
func extraHandshake(tc *tls.Conn, s *settings, tap *tapConn) error {
	if !s.handshakeTwice && !s.noOpExtraHandshake {
		return nil
	}
	before := tap.calls.Load()
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("second handshake: %w", err)
	}
	if s.noOpExtraHandshake && tap.calls.Load() != before {
		return errors.New("extra handshake was not a no-op")
	}
	return nil
}

// errDataOnShutdown names BoringSSL's error for application data that
// arrives while SSL_shutdown waits for the peer's close_notify.
var errDataOnShutdown = errors.New(":APPLICATION_DATA_ON_SHUTDOWN: application data arrived while awaiting close_notify")

// shutDown closes the connection first, as -shim-shuts-down asks: it sends
// close_notify and, with -check-close-notify, waits for the peer's, as a
// second SSL_shutdown call does. That call reads records only to find the
// close_notify, so application data before it is an error.
func shutDown(tc *tls.Conn, awaitPeer bool, o *observed) error {
	if err := tc.CloseWrite(); err != nil {
		return fmt.Errorf("sending close_notify: %w", err)
	}
	if !awaitPeer {
		return nil
	}
	buf := make([]byte, 1)
	for {
		n, err := tc.Read(buf)
		if n > 0 {
			return errDataOnShutdown
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("awaiting close_notify: %w", err)
		}
	}
	if !o.closeNotified.Load() {
		return errors.New("the peer closed the connection without close_notify")
	}
	return nil
}

// defaultReadSize is the echo loop's read size without -read-size: small,
// as in BoringSSL's shim, so that one record can take several reads.
const defaultReadSize = 512

// echo reads until the peer ends the stream and sends each byte back
// XORed with 0xFF, reading at most readSize bytes at a time.
func echo(tc *tls.Conn, readSize int, keyUpdate bool) error {
	if readSize <= 0 {
		readSize = defaultReadSize
	}
	buf := make([]byte, readSize)
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
		if err := write(tc, buf[:n]); err != nil {
			return err
		}
	}
}

// write sends application data.
func write(tc *tls.Conn, b []byte) error {
	if _, err := tc.Write(b); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// checkHandshake runs every check of a finished handshake: its state, what
// the callbacks saw, and the peer's chain.
// inEarly says a server is still reading early data, as BoringSSL's
// SSL_in_early_data: early data's fate is not final yet.
func (sh *shim) checkHandshake(cs tls.ConnectionState, s *settings, o *observed, resumed, inEarly bool) error {
	if err := checkState(cs, s, resumed); err != nil {
		return err
	}
	if err := sh.checkEarlyData(cs, s, o, resumed, inEarly); err != nil {
		return err
	}
	if err := sh.checkStapled(cs, s); err != nil {
		return err
	}
	if err := checkNewSession(cs, s, o, sh.clientCache.stored.Load() > o.storedBefore); err != nil {
		return err
	}
	if !resumed {
		if err := checkSessionID(cs, s, o.tap); err != nil {
			return err
		}
	}
	if s.expectAdvertisedALPN != "" {
		want, err := parseALPN(s.expectAdvertisedALPN)
		if err != nil {
			return err
		}
		got := o.offeredALPN.Load()
		if got == nil || !slices.Equal(*got, want) {
			return fmt.Errorf("client advertised ALPN %q, want %q", deref(got), want)
		}
	}
	if s.checkSelectedCred {
		if got := o.selected.Load(); got != int64(s.expectSelectedCred) {
			return fmt.Errorf("credential %d was used, want %d", got, s.expectSelectedCred)
		}
	}
	if err := sh.checkVerifyResult(cs, s, o); err != nil {
		return err
	}
	if s.expectPeerCertFile != "" {
		return checkPeerChain(cs.PeerCertificates, s.expectPeerCertFile)
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
	if s.expectCipher != 0 && int(cs.CipherSuite) != s.expectCipher {
		return fmt.Errorf("cipher suite %04x, want %04x", cs.CipherSuite, s.expectCipher)
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
	if err := checkECHAccepted(cs, s); err != nil {
		return err
	}
	// -expect-extended-master-secret: Lucid refuses TLS 1.2 without the
	// extended master secret (RFC 7627) and BoringSSL counts TLS 1.3 as
	// having it, so every completed handshake satisfies the check.
	return nil
}

// config turns settings into a lucid/tls Config for one connection. The
// callbacks it installs report to o.
func (sh *shim) config(s *settings, o *observed) (*tls.Config, error) {
	var cfg *tls.Config
	if s.server {
		// Not Clone, which gives the copy resumption state of its own:
		// a plain copy keeps serverBase's, so the runner's resumptions
		// by session ID reach the cache the first connection filled.
		cfg = new(tls.Config)
		*cfg = *sh.serverBase
	} else {
		cfg = &tls.Config{ClientSessionCache: sh.clientCache, InsecureSkipVerify: true, ServerName: s.hostName}
	}
	cfg.SessionTicketsDisabled = s.noTicket
	cfg.MaxFragmentSize = s.maxSendFragment
	if err := certCompression(cfg, s); err != nil {
		return nil, err
	}
	if s.enableEarlyData {
		if s.server {
			cfg.MaxEarlyData = maxEarlyDataAccepted
		} else {
			cfg.SendEarlyData, cfg.ReportRejectedEarlyData = true, true
		}
	}
	now := sh.clock
	cfg.Time = func() time.Time { return now }
	if err := sh.cipherSuites(cfg, s); err != nil {
		return nil, err
	}
	if err := versions(cfg, s); err != nil {
		return nil, err
	}
	if err := curvePreferences(cfg, s); err != nil {
		return nil, err
	}
	if err := verifyPreferences(cfg, s); err != nil {
		return nil, err
	}
	if err := echConfig(cfg, s); err != nil {
		return nil, err
	}
	sh.verification(cfg, s, o)

	creds, err := loadCredentials(s)
	if err != nil {
		return nil, err
	}
	if s.server {
		return cfg, serverSide(cfg, s, o, creds)
	}
	if s.advertiseALPN != "" {
		protos, err := parseALPN(s.advertiseALPN)
		if err != nil {
			return nil, err
		}
		cfg.NextProtos = protos
	}
	// BoringSSL's client sends its credential whatever authorities the
	// server names, so the choice is the shim's.
	cfg.GetClientCertificate = clientHook(s, o, creds)
	return cfg, nil
}

// serverSide sets what only a server has: its certificates and the
// callbacks around their choice, its request for the client's, and its
// answer to ALPN.
func serverSide(cfg *tls.Config, s *settings, o *observed, creds []loadedCred) error {
	var selected *atomic.Int64
	if s.checkSelectedCred {
		selected = &o.selected
	}
	serverStapling(creds, s)
	certs, err := serverCertificates(creds, selected)
	if err != nil {
		return err
	}
	if s.useEarlyCallback && len(certs) > 1 {
		return unimplemented("-use-early-callback with several credentials: a GetCertificate answer is one certificate, so Lucid could not choose among them")
	}
	if !s.useEarlyCallback {
		cfg.Certificates = certs
	}
	// Always set, so that a server without certificates starts and fails
	// its handshake with an alert, as BoringSSL's does.
	mustMatch := make([]bool, len(creds))
	for i, c := range creds {
		mustMatch[i] = c.mustMatchIssuer
	}
	cfg.GetCertificate = serverHook(s, o, certs, mustMatch)
	switch {
	case s.verifyPeer:
		cfg.ClientAuth = tls.RequestClientCert
	case s.requireAnyClientCert:
		cfg.ClientAuth = tls.RequireAnyClientCert
	}
	if cfg.ClientCAs, err = clientCAPool(s.useClientCAList); err != nil {
		return err
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
	return nil
}

// curvePreferences sets the groups -curves names. A group Lucid lacks
// cannot be enabled: Lucid would drop it silently, leaving a different list
// from the one the test configured. Without -curves Lucid's default stays,
// post-quantum hybrid first, so that every test exercises it.
func curvePreferences(cfg *tls.Config, s *settings) error {
	for _, c := range s.curves {
		if c < 0 || c > 0xffff || !kex.Supported(uint16(c)) {
			return unimplemented("-curves %d: lucid/tls does not implement %v", c, tls.CurveID(c))
		}
		cfg.CurvePreferences = append(cfg.CurvePreferences, tls.CurveID(c))
	}
	return nil
}

// cipherSuites enables every suite Lucid implements, legacy ones included
// as BoringSSL does by default, or those of a -cipher rule.
func (sh *shim) cipherSuites(cfg *tls.Config, s *settings) error {
	if s.cipher == "" {
		cfg.CipherSuites = sh.suites
		return nil
	}
	ids, err := cipherRule(s.cipher, sh.suites)
	cfg.CipherSuites = ids
	return err
}

// versions sets the version range the version flags leave.
func versions(cfg *tls.Config, s *settings) error {
	lo, hi := uint16(tls.VersionTLS12), uint16(tls.VersionTLS13)
	if s.minVersion > int(lo) {
		lo = uint16(s.minVersion)
	}
	if s.maxVersion != 0 {
		if s.maxVersion < tls.VersionTLS12 {
			return unimplemented("-max-version %#04x: Lucid has no version before TLS 1.2", s.maxVersion)
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
		return fmt.Errorf(":NO_SUPPORTED_VERSIONS_ENABLED: no protocol versions enabled (%#04x..%#04x)", lo, hi)
	}
	cfg.MinVersion, cfg.MaxVersion = lo, hi
	return nil
}

// boringVerifyDefaults is what BoringSSL accepts from a peer when nothing is
// configured, in its order: Lucid's own defaults without Ed25519 and
// ecdsa_secp521r1_sha512. The runner's *VerifyDefault* tests check exactly
// that list, so the shim configures it, through Config.SignatureSchemes, in
// place of Lucid's.
var boringVerifyDefaults = []tls.SignatureScheme{
	tls.ECDSAWithP256AndSHA256, tls.PSSWithSHA256, tls.PKCS1WithSHA256,
	tls.ECDSAWithP384AndSHA384, tls.PSSWithSHA384, tls.PKCS1WithSHA384,
	tls.PSSWithSHA512, tls.PKCS1WithSHA512,
}

// verifyPreferences is -verify-prefs: the schemes offered and accepted for
// the peer's signature. A scheme lucid/tls does not accept (SHA-1, the
// legacy code point) cannot be honoured, so the test is unimplemented.
func verifyPreferences(cfg *tls.Config, s *settings) error {
	if len(s.verifyPrefs) == 0 {
		cfg.SignatureSchemes = boringVerifyDefaults
		return nil
	}
	for _, p := range s.verifyPrefs {
		scheme := tls.SignatureScheme(p)
		if !slices.Contains(lucidSchemes, scheme) {
			return unimplemented("-verify-prefs %#04x: lucid/tls does not accept that scheme", p)
		}
		cfg.SignatureSchemes = append(cfg.SignatureSchemes, scheme)
	}
	return nil
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
