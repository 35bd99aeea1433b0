package main

import (
	"context"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"lucid/tls"
	"lucid/trace"
)

const connectUsage = `Usage: lucid connect [flags] HOST:PORT

Opens a raw TLS connection with Lucid's stack, as openssl s_client does:
shows the handshake's timeline (each step under the seed step it
implements) and what it established, then copies stdin to the server and
the server's data to stdout. At the end of stdin it sends close_notify
and keeps reading until the server closes. Everything but the server's
data goes to stderr, so stdout can be piped.

The server's certificate is verified (system roots, or --cacert's); a
chain that does not verify ends the connection with exit 5, unlike
s_client: pass -k to go on regardless.

Flags:
      --servername NAME   the name sent as SNI and checked in the
                          certificate (default: HOST)
      --alpn LIST         offer these ALPN protocols, comma-separated
                          (e.g. h2,http/1.1)
      --cacert FILE       trust the CA certificates in FILE (PEM)
      --crl FILE          refuse a certificate a CRL in FILE revokes
                          (repeatable)
  -k, --insecure          do not verify the server's certificate
      --cert FILE         present this client certificate chain (PEM) ...
      --key FILE          ... with this private key (PEM)
      --tls-min VERSION   lowest TLS version: 1.2 or 1.3 (default 1.2)
      --tls-max VERSION   highest TLS version: 1.2 or 1.3 (default 1.3)
      --tlsv1.2, --tlsv1.3  as --tls-min 1.2, 1.3 (curl's spelling)
      --ciphers LIST      cipher suites to offer (as lucid get --ciphers)
      --curves LIST       key exchange groups to offer (as lucid get)
      --showcerts         describe every certificate the server sent, and
                          print each in PEM
      --sess-out FILE     save the session the server hands out, to
                          resume it later (mode 0600: it holds the
                          session's secret)
      --sess-in FILE      offer the session saved in FILE; it is checked
                          as a new chain would be before it is offered
      --connect-timeout S give up if TCP and the handshake take more than
                          S seconds (default 30)
      --keylog FILE       append the TLS secrets to FILE (NSS key log)
  -q, --quiet             print no timeline or summary, only errors

Exit status: 0 the connection ran and closed, 2 usage error, 3 could not
connect or timed out, 4 the TLS handshake failed, 5 the server's
certificate did not verify, 1 another failure.
`

// connectOptions is what `lucid connect` was asked to do.
type connectOptions struct {
	Addr, ServerName  string
	ALPN              []string
	CACert            string
	CRLFiles          []string
	Insecure          bool
	CertFile, KeyFile string
	TLSMin, TLSMax    uint16
	CipherSuites      []uint16
	Curves            []tls.CurveID
	ShowCerts         bool
	SessOut, SessIn   string
	ConnectTimeout    time.Duration
	KeyLogFile        string
	Quiet             bool
}

func parseConnectFlags(args []string, stdout, stderr io.Writer) (connectOptions, int, bool) {
	o := connectOptions{ConnectTimeout: 30 * time.Second}
	fs := flag.NewFlagSet("lucid connect", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var crls stringsFlag
	var lo, hi tlsVersionFlag
	var alpn, ciphers, curves string
	var help bool
	fs.StringVar(&o.ServerName, "servername", "", "")
	fs.StringVar(&alpn, "alpn", "", "")
	fs.StringVar(&o.CACert, "cacert", "", "")
	fs.Var(&crls, "crl", "")
	fs.BoolVar(&o.Insecure, "k", false, "")
	fs.BoolVar(&o.Insecure, "insecure", false, "")
	fs.StringVar(&o.CertFile, "cert", "", "")
	fs.StringVar(&o.KeyFile, "key", "", "")
	fs.Var(&lo, "tls-min", "")
	fs.Var(&hi, "tls-max", "")
	fs.BoolFunc("tlsv1.2", "", func(string) error { lo.v = tls.VersionTLS12; return nil })
	fs.BoolFunc("tlsv1.3", "", func(string) error { lo.v = tls.VersionTLS13; return nil })
	fs.StringVar(&ciphers, "ciphers", "", "")
	fs.StringVar(&curves, "curves", "", "")
	fs.BoolVar(&o.ShowCerts, "showcerts", false, "")
	fs.StringVar(&o.SessOut, "sess-out", "", "")
	fs.StringVar(&o.SessIn, "sess-in", "", "")
	fs.Var(secondsFlag{&o.ConnectTimeout}, "connect-timeout", "")
	fs.StringVar(&o.KeyLogFile, "keylog", "", "")
	fs.BoolVar(&o.Quiet, "q", false, "")
	fs.BoolVar(&o.Quiet, "quiet", false, "")
	fs.BoolVar(&help, "h", false, "")
	fs.BoolVar(&help, "help", false, "")
	fail := func(format string, a ...any) (connectOptions, int, bool) {
		return o, usageFail(stderr, "connect", format, a...), false
	}
	positional, asked, err := parseInterleaved(fs, args)
	if err != nil {
		return fail("%s", flagProblem(err))
	}
	help = help || asked
	if help {
		fmt.Fprint(stdout, connectUsage)
		return o, exitOK, false
	}
	if len(positional) != 1 {
		return fail("give one HOST:PORT")
	}
	o.Addr = positional[0]
	host, port, err := net.SplitHostPort(o.Addr)
	if err != nil || host == "" {
		return fail("%q is not HOST:PORT", o.Addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fail("%q: bad port %q", o.Addr, port)
	}
	if o.ServerName == "" {
		o.ServerName = host
	}
	if alpn != "" {
		for _, p := range strings.Split(alpn, ",") {
			p = strings.TrimSpace(p)
			if p == "" || len(p) > 255 {
				return fail("--alpn %q: each protocol is 1 to 255 bytes", alpn)
			}
			o.ALPN = append(o.ALPN, p)
		}
	}
	o.TLSMin, o.TLSMax = lo.v, hi.v
	if o.TLSMin == tls.VersionTLS13 && o.TLSMax == 0 {
		o.TLSMax = tls.VersionTLS13
	}
	if err := checkVersionRange(o.TLSMin, o.TLSMax); err != nil {
		return fail("%v", err)
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return fail("--cert and --key go together")
	}
	if o.CipherSuites, o.Curves, err = parseTLSChoices(ciphers, curves); err != nil {
		return fail("%v", err)
	}
	o.CRLFiles = crls
	return o, 0, true
}

// runConnect runs `lucid connect` and returns its exit status.
func runConnect(args []string, stdout, stderr io.Writer) int {
	o, status, ok := parseConnectFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return doConnect(ctx, o, os.Stdin, stdout, stderr)
}

// doConnect makes the connection and copies data both ways; it returns the
// exit status.
func doConnect(ctx context.Context, o connectOptions, stdin io.Reader, stdout, stderr io.Writer) int {
	color := isTerminal(stderr) && os.Getenv("NO_COLOR") == ""
	stderr = &lockedWriter{w: stderr}
	failf := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "lucid connect: "+format+"\n", a...)
		return code
	}
	info := stderr
	if o.Quiet {
		info = io.Discard
	}
	cfg := &tls.Config{
		ServerName: o.ServerName, NextProtos: o.ALPN, InsecureSkipVerify: o.Insecure,
		MinVersion: o.TLSMin, MaxVersion: o.TLSMax, CipherSuites: o.CipherSuites, CurvePreferences: o.Curves,
	}
	if err := (clientTrust{CACert: o.CACert, CRLFiles: o.CRLFiles, CertFile: o.CertFile, KeyFile: o.KeyFile}).apply(cfg); err != nil {
		return failf(exitOther, "%v", err)
	}
	if o.KeyLogFile != "" {
		f, err := os.OpenFile(o.KeyLogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return failf(exitOther, "opening --keylog: %v", err)
		}
		defer f.Close()
		cfg.KeyLogWriter = f
	}
	if o.Insecure {
		fmt.Fprint(stderr, "lucid connect: WARNING: --insecure: the server's certificate is NOT checked.\n")
	}
	cache := &fileSessionCache{out: o.SessOut, info: info}
	if o.SessIn != "" {
		s, err := readSessionFile(o.SessIn)
		if err != nil {
			return failf(exitOther, "--sess-in %s: %v", o.SessIn, err)
		}
		cache.session = s
	}
	if o.SessIn != "" || o.SessOut != "" {
		cfg.ClientSessionCache = cache
	}
	if !o.Quiet {
		g := &observerGate{observe: trace.NewTimeline(stderr, trace.TimelineOptions{Color: color}).Observe}
		cfg.Observer = g.Observe
		defer g.close()
	}

	hctx := ctx
	if o.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, o.ConnectTimeout)
		defer cancel()
	}
	fmt.Fprintf(info, "* Connecting to %s\n", o.Addr)
	var d net.Dialer
	raw, err := d.DialContext(hctx, "tcp", o.Addr)
	if err != nil {
		return failf(exitConnect, "%s", connectErrorMessage(err, o))
	}
	defer raw.Close()
	fmt.Fprintf(info, "* Connected to %s\n", raw.RemoteAddr())
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(hctx); err != nil {
		code := getExitCode(err)
		if code == exitOK || code == exitOther {
			code = exitHandshake
		}
		describeFailedCertificate(stderr, err)
		return failf(code, "%s", connectErrorMessage(err, o))
	}
	defer conn.Close()
	cs := conn.ConnectionState()
	describeConnection(info, cs, o, cache.offered())
	if o.ShowCerts {
		for i, c := range cs.PeerCertificates {
			writeCertificate(stderr, chainLabel(c, i, len(cs.PeerCertificates)), c, time.Now())
			pem.Encode(stderr, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
	}
	fmt.Fprintln(info, "* Copying stdin to the server and the server's data to stdout")

	// The server's data goes to stdout until it closes; stdin goes to the
	// server until it ends, then close_notify says so and reading goes on.
	readDone := make(chan error, 1)
	go func() {
		_, err := io.Copy(stdout, conn)
		readDone <- err
	}()
	go func() {
		if _, err := io.Copy(conn, stdin); err == nil {
			fmt.Fprintln(info, "* End of stdin: sent close_notify, reading until the server closes")
			conn.CloseWrite()
		}
	}()
	select {
	case err = <-readDone:
	case <-ctx.Done():
		return failf(exitOther, "interrupted")
	}
	// Put runs on the reading goroutine, which has finished: the cache
	// is settled.
	if err != nil {
		// An alert here is the handshake's verdict arriving late (a TLS
		// 1.3 server refusing the client's certificate, RFC 8446
		// §4.4.2.4) or the peer giving up: 4, as in the handshake.
		switch code := getExitCode(err); {
		case code == exitHandshake:
			return failf(code, "the server ended the connection: %v", err)
		case errors.Is(err, io.ErrUnexpectedEOF) || code == exitConnect:
			return failf(exitConnect, "the connection broke: %v", err)
		}
		return failf(exitOther, "%v", err)
	}
	fmt.Fprintln(info, "* The server closed the connection (close_notify)")
	if cache.err != nil {
		return failf(exitOther, "--sess-out %s: %v", o.SessOut, cache.err)
	}
	if o.SessOut != "" && !cache.saved {
		fmt.Fprintf(stderr, "lucid connect: warning: the server handed out no session; --sess-out %s was not written\n", o.SessOut)
	}
	return exitOK
}

// connectErrorMessage explains a failure to connect or to shake hands.
func connectErrorMessage(err error, o connectOptions) string {
	if isTimeout(err) {
		return fmt.Sprintf("timed out: the TCP connection and TLS handshake with %s did not finish within %s (--connect-timeout)", o.Addr, o.ConnectTimeout)
	}
	return err.Error()
}

// describeConnection is connect's summary of what the handshake
// established.
func describeConnection(w io.Writer, cs tls.ConnectionState, o connectOptions, offered bool) {
	summarizeHandshake(w, cs, o.Insecure, func() {
		if len(o.ALPN) > 0 {
			alpn := cs.NegotiatedProtocol
			if alpn == "" {
				alpn = "none: the server chose no protocol"
			}
			fmt.Fprintf(w, "* ALPN: %s\n", alpn)
		}
	})
	if cs.SignatureScheme != 0 {
		fmt.Fprintf(w, "* The server signed the handshake with %s\n", cs.SignatureScheme)
	}
	switch {
	case cs.DidResume:
		fmt.Fprintln(w, "* Session resumed: yes")
	case offered:
		fmt.Fprintln(w, "* Session resumed: no: the session from --sess-in was not accepted, a full handshake ran")
	default:
		fmt.Fprintln(w, "* Session resumed: no")
	}
}

// sessionPEMType labels a session file: PEM, so that it is recognisable
// and cannot be mistaken for a certificate or a key.
const sessionPEMType = "LUCID TLS SESSION"

// encodeSessionFile is the --sess-out file for s.
func encodeSessionFile(s *tls.ClientSessionState) ([]byte, error) {
	b, err := s.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: sessionPEMType, Bytes: b}), nil
}

// decodeSessionFile reads a --sess-in file.
func decodeSessionFile(data []byte) (*tls.ClientSessionState, error) {
	b, rest := pem.Decode(data)
	if b == nil || b.Type != sessionPEMType {
		return nil, fmt.Errorf("not a session saved by lucid connect --sess-out (no %q PEM block)", sessionPEMType)
	}
	if len(strings.TrimSpace(string(rest))) != 0 {
		return nil, errors.New("trailing data after the session")
	}
	s := new(tls.ClientSessionState)
	if err := s.UnmarshalBinary(b.Bytes); err != nil {
		return nil, err
	}
	return s, nil
}

// readSessionFile reads a session file, capped in size.
func readSessionFile(name string) (*tls.ClientSessionState, error) {
	data, err := readCapped(name, 1<<20)
	if err != nil {
		return nil, err
	}
	return decodeSessionFile(data)
}

// loadSessionsFile is get's --ssl-sessions, as curl's: the session in
// name, if the file exists, is offered, and each session the server hands
// out replaces it in the file.
func loadSessionsFile(name string, info io.Writer) (*fileSessionCache, error) {
	cache := &fileSessionCache{out: name, info: info}
	s, err := readSessionFile(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		cache.session = s
	}
	return cache, nil
}

// fileSessionCache is connect's and get's ClientSessionCache: it holds at most the
// one session --sess-in gave (the engine admits it against the Config
// before offering it, whatever the key), and writes each session the
// server hands out to --sess-out.
type fileSessionCache struct {
	out  string
	info io.Writer

	mu      sync.Mutex
	session *tls.ClientSessionState
	gets    int
	saved   bool
	err     error
}

func (c *fileSessionCache) Get(string) (*tls.ClientSessionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.session == nil {
		return nil, false
	}
	c.gets++
	return c.session, true
}

func (c *fileSessionCache) Put(_ string, s *tls.ClientSessionState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.session = s
	if s == nil || c.out == "" {
		return
	}
	data, err := encodeSessionFile(s)
	if err == nil {
		err = writeFileAtomic(c.out, data, 0o600)
	}
	if err != nil {
		c.err = err
		return
	}
	if !c.saved {
		fmt.Fprintf(c.info, "* Session saved to %s (it holds the session's secret: keep it private)\n", c.out)
	}
	c.saved = true
}

// offered reports whether a session was handed to the handshake.
func (c *fileSessionCache) offered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets > 0
}

// writeFileAtomic writes data to a temporary file next to path and renames
// it over path, so that a reader never sees half a file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
