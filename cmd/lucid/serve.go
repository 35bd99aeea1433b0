package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"lucid/https"
	"lucid/inspect"
	"lucid/pki"
	"lucid/tls"
	"lucid/tls/redisstore"
	"lucid/trace"
)

// serveOptions is what `lucid serve` was asked to do.
type serveOptions struct {
	Addr            string
	Dir             string         // static files; "" serves the connection page
	CertFile        string         // the first --cert
	KeyFile         string         // the first --key
	MoreCerts       []certKeyFiles // further --cert/--key pairs, in order
	AllowBadCert    bool           // serve a chain that fails the start-up checks
	CRLFiles        []string       // --crl: client certificate revocation lists
	CADir           string         // the local CA used when CertFile is ""
	ClientAuth      string         // none, request or require
	ClientCAFile    string
	TLSMin, TLSMax  uint16
	Legacy          bool
	KeyLogFile      string
	TraceJSON       string // append every connection's events here, as JSON lines
	HSTS            bool
	EarlyData       uint32   // --early-data: MaxEarlyData; 0 refuses 0-RTT
	RecordSizeLimit uint16   // --record-size-limit: Config.RecordSizeLimit; 0 sends none
	ECHKeyFiles     []string // --ech-key: the current Encrypted Client Hello key first
	// The fleet: --session-store (a redis:// URL), the key-encryption
	// key's file, this server's name in its sessions, and how often the
	// fleet's ticket key rotates.
	SessionStore        string
	SessionStoreKeyFile string
	ServerID            string
	TicketRotation      time.Duration
	HandshakeTimeout    time.Duration
	HeaderTimeout       time.Duration
	IdleTimeout         time.Duration
	ShutdownTimeout     time.Duration

	// handler replaces the page or the files; for tests.
	handler http.Handler
	// onReport sees each report the inspection page builds; for tests.
	onReport func(*inspect.Report)
	// onEarly sees each request judged before its handshake was
	// confirmed, and the verdict; for tests.
	onEarly func(r *http.Request, allowed bool)
	// storeRefresh is how often the session store rereads the ticket
	// keys; 0 means the store's default. For tests.
	storeRefresh time.Duration
	// now is the time certificates are checked at start; nil means
	// time.Now. For tests.
	now func() time.Time
}

// certPairs is every --cert/--key pair, in the order given.
func (o serveOptions) certPairs() []certKeyFiles {
	if o.CertFile == "" {
		return nil
	}
	return append([]certKeyFiles{{o.CertFile, o.KeyFile}}, o.MoreCerts...)
}

const serveUsage = `Usage: lucid serve [flags]

Serves HTTPS with Lucid's TLS stack, HTTP/1.1 and HTTP/2 on one port
(chosen by ALPN). Without --dir it answers at / with the inspection page,
which shows every visitor their own handshake: what their client offered
(versions, suites, groups, signature schemes, extensions, ALPN, GREASE),
what the server chose and why, the JA3 and JA4 fingerprints, the
certificate chain sent, a sequence diagram of the handshake with timings,
and the seed's eight steps as they happened. /api/handshake returns the
same as JSON (schema lucid.inspect/2, described at /api/handshake/schema).

Without --cert and --key it uses a certificate for localhost, 127.0.0.1 and
::1 issued by the local CA of 'lucid ca' (created on first run, like
mkcert), and prints where the CA certificate is so that a client can trust
it: curl --cacert PATH https://localhost:8443/

With --cert and --key it refuses to start, in one line saying why, when a
chain is expired or not yet valid, not for servers (an extended key usage
without serverAuth), does not match its key, or does not verify from the
leaf up to the last certificate in the file. Repeat --cert/--key to serve
several chains, say an ECDSA and an RSA one: each client gets the first
that suits its signature algorithms and name.

With client certificates (--client-auth), --crl FILE (repeatable) refuses a
client certificate its issuer's list revokes, with certificate_revoked; the
local CA's ca.crl is used too when the local CA is trusted. A list is read
again when its file changes, so 'lucid ca revoke' and 'lucid ca crl' take
effect at the next connection, without a restart.

--early-data SIZE accepts TLS 1.3 0-RTT early data, up to SIZE bytes per
connection (16384 is typical): a client resuming a session sends its first
request with the ClientHello and has the answer one round trip sooner. An
attacker who records that first flight can send it again (RFC 8446 §8).
Lucid's replay guard remembers each ClientHello whose early data it
accepted (for 20 seconds, the freshness window) and refuses a second, and
on top of that the HTTP rule of RFC 8470 applies: a request that arrives
before the handshake is confirmed reaches the handler only if it is GET,
HEAD or OPTIONS without a body, marked with the header "Early-Data: 1";
any other is answered "425 Too Early", and the client sends it again
after the handshake. Early data is refused when client certificates are
asked for. The inspection page says whether the visitor used 0-RTT.

--ech-key FILE (a key file of 'lucid ech keygen') turns on Encrypted
Client Hello (RFC 9849): a client with the key's config sends an outer
hello that names only the config's public name, and its real hello
encrypted inside; the server decrypts it and answers the real one.
Repeat --ech-key to rotate keys: the first is the current key, whose
config the server prints to publish and sends as the retry config to a
client whose config it cannot open; the others are still decrypted, for
clients that hold an older config, but not sent. The server's
certificates should cover each public name: a client whose config is
stale checks that before it takes the retry config. The inspection page
says whether the visitor used ECH and what an observer could read.

--record-size-limit SIZE answers a client that sends record_size_limit
(RFC 8449) with SIZE, the largest protected record the server accepts
(its plaintext, with the content type in TLS 1.3), and keeps to the
client's limit in turn; a larger record from the client ends the
connection with record_overflow.

--session-store redis://HOST:PORT/DB makes this server one of a fleet
behind a load balancer: every server given the same Redis and the same
key-encryption key (--session-store-key FILE or $LUCID_SESSION_STORE_KEY)
shares the session ticket keys (sealed with that key in Redis, created by
whichever server finds none, replaced after --ticket-rotation by one
server at a time and published to all before any seals with them), the
TLS 1.2 sessions named by session ID, and the 0-RTT replay guard. A
client's session from one server resumes on any other, and early data
replayed to another server is refused there. When Redis is down or slow,
each call gives up within 250 ms: new connections complete full
handshakes, early data is refused, and resumption returns with Redis;
the change is logged once. --server-id NAME (default host:port) names
this server in the sessions it issues; the inspection page says which
server issued a resumed session.

Every request is logged to stderr: remote address, TLS version, cipher
suite, request, status, bytes and duration. --trace-json FILE appends
every connection's events to FILE as JSON lines (schema lucid.trace/1),
each with the client's address as its "source". SIGINT or SIGTERM stops the
server gracefully: it stops accepting, lets open requests finish (up to
--shutdown-timeout) and exits.

Flags:
`

// runServe runs `lucid serve` until SIGINT or SIGTERM; it returns the exit
// status: 0 after a clean shutdown, 1 on failure, 2 on a usage error.
func runServe(args []string, stdout, stderr io.Writer) int {
	opts, status, ok := parseServeFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal, a second one ends the process at once.
		<-ctx.Done()
		stop()
	}()
	if err := serve(ctx, opts, stdout, stderr, nil); err != nil {
		var ue serveUsageError
		if errors.As(err, &ue) {
			return usageFail(stderr, "serve", "%v", err)
		}
		fmt.Fprintf(stderr, "lucid serve: %v\n", err)
		return exitOther
	}
	return exitOK
}

// serveUsageError is a combination of flags that cannot work.
type serveUsageError struct{ msg string }

func (e serveUsageError) Error() string { return e.msg }

// tlsVersionFlag is a --tls-min or --tls-max value: "1.2" or "1.3".
type tlsVersionFlag struct{ v uint16 }

func (f *tlsVersionFlag) String() string {
	if f == nil || f.v == 0 {
		return ""
	}
	return strings.TrimPrefix(tls.VersionName(f.v), "TLS ")
}

func (f *tlsVersionFlag) Set(s string) error {
	v, err := parseTLSVersion(s)
	f.v = v
	return err
}

// parseTLSVersion reads "1.2" or "1.3" (also "TLS1.3", "tlsv1.3").
func parseTLSVersion(s string) (uint16, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(t, "tls"), "v"), " ")
	switch t {
	case "1.2":
		return tls.VersionTLS12, nil
	case "1.3":
		return tls.VersionTLS13, nil
	case "1.0", "1.1", "1":
		return 0, fmt.Errorf("TLS %s is refused: versions before 1.2 are broken (RFC 8996); use 1.2 or 1.3", t)
	}
	return 0, fmt.Errorf("unknown TLS version %q; use 1.2 or 1.3", s)
}

// printFlags lists a flag set's flags the way they are written, with two
// dashes.
func printFlags(fs *flag.FlagSet) {
	w := fs.Output()
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		arg := "--" + f.Name
		if name != "" {
			arg += " " + name
		}
		fmt.Fprintf(w, "  %s\n      %s", arg, usage)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

func checkVersionRange(lo, hi uint16) error {
	if lo != 0 && hi != 0 && hi < lo {
		return fmt.Errorf("--tls-max %s is below --tls-min %s", tls.VersionName(hi), tls.VersionName(lo))
	}
	return nil
}

func parseServeFlags(args []string, stdout, stderr io.Writer) (serveOptions, int, bool) {
	var o serveOptions
	fs := flag.NewFlagSet("lucid serve", flag.ContinueOnError)
	defCA, caErr := defaultCADir(os.Getenv, runtime.GOOS)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8443", "listen on this `host:port`")
	fs.StringVar(&o.Dir, "dir", "", "serve static files from this `directory` instead of the connection page")
	var certs, keys, crls, echKeys stringsFlag
	fs.Var(&certs, "cert", "the server's certificate chain, PEM `file` (with --key); repeat --cert and --key for more chains, such as an ECDSA and an RSA one")
	fs.Var(&keys, "key", "the server's private key, PEM `file` (with --cert; the n-th --key goes with the n-th --cert)")
	fs.BoolVar(&o.AllowBadCert, "allow-bad-cert", false, "serve a chain that is expired, not yet valid, not for servers or broken, with a warning: for testing clients only")
	fs.Var(&crls, "crl", "refuse client certificates this CRL `file` revokes (PEM or DER; repeatable; reread when it changes)")
	fs.StringVar(&o.CADir, "ca-dir", defCA, "the local CA `directory` used without --cert/--key: $LUCID_CA_DIR, else lucid/ca in the data directory")
	fs.StringVar(&o.ClientAuth, "client-auth", "none", "ask for client certificates: `mode` none, request (optional) or require")
	fs.StringVar(&o.ClientCAFile, "client-ca", "", "trust client certificates issued by the CAs in this PEM `file` (default: the local CA, if there is one)")
	var lo, hi tlsVersionFlag
	fs.Var(&lo, "tls-min", "lowest TLS `version` to accept: 1.2 or 1.3 (default 1.2)")
	fs.Var(&hi, "tls-max", "highest TLS `version` to accept: 1.2 or 1.3 (default 1.3)")
	fs.BoolVar(&o.Legacy, "legacy", false, "also offer the seed's legacy TLS 1.2 suites: RSA key transport and CBC with HMAC (not for production)")
	fs.StringVar(&o.KeyLogFile, "keylog", "", "append TLS secrets to this `file` in NSS key log format, for Wireshark (also $SSLKEYLOGFILE)")
	fs.StringVar(&o.TraceJSON, "trace-json", "", "append every connection's events to this `file` as JSON lines (lucid.trace/1; public values only)")
	fs.Func("early-data", "accept TLS 1.3 0-RTT early data, up to `SIZE` bytes per connection; requests that are not safe to replay get 425 Too Early (RFC 8470)", func(v string) error {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
		if err != nil {
			return fmt.Errorf("--early-data takes a size in bytes, such as 16384, up to 4294967295")
		}
		o.EarlyData = uint32(n)
		return nil
	})
	fs.Func("record-size-limit", "answer a client's record_size_limit (RFC 8449) with this `SIZE`, 64 to 16385: the largest protected record the server accepts, and keep to the client's", recordSizeLimitFlag(&o.RecordSizeLimit))
	fs.Var(&echKeys, "ech-key", "an Encrypted Client Hello key `file` from 'lucid ech keygen'; repeat to rotate: the first is current (published, sent as retry config), the others only decrypt")
	fs.StringVar(&o.SessionStore, "session-store", "", "share sessions, ticket keys and the 0-RTT replay guard with the other servers of a fleet through Redis at this `URL` (redis://HOST:PORT/DB)")
	fs.StringVar(&o.SessionStoreKeyFile, "session-store-key", "", "the fleet's key-encryption `file` (32 bytes, hex or base64) that seals ticket keys in Redis; default $"+sessionStoreKeyEnv)
	fs.StringVar(&o.ServerID, "server-id", "", "this server's `name` in the sessions it issues, shown when another server resumes one (default with --session-store: host:port)")
	fs.DurationVar(&o.TicketRotation, "ticket-rotation", redisstore.DefaultRotationPeriod, "with --session-store, replace the fleet's ticket key after this `duration`")
	fs.BoolVar(&o.HSTS, "hsts", false, "send Strict-Transport-Security: browsers then use only HTTPS for this host for a year")
	fs.DurationVar(&o.HandshakeTimeout, "handshake-timeout", https.DefaultHandshakeTimeout, "give up a TLS handshake after this `duration`")
	fs.DurationVar(&o.HeaderTimeout, "header-timeout", https.DefaultReadHeaderTimeout, "give up reading a request's headers after this `duration`")
	fs.DurationVar(&o.IdleTimeout, "idle-timeout", https.DefaultIdleTimeout, "close a kept-alive connection idle for this `duration`")
	fs.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGINT/SIGTERM, wait this `duration` for open requests (0: as long as they take)")
	if status, done := parseFlagSet(fs, "serve", args, stdout, stderr, func(w io.Writer) {
		fmt.Fprint(w, serveUsage)
		printFlags(fs)
	}); done {
		return o, status, false
	}
	fail := func(format string, args ...any) (serveOptions, int, bool) {
		return o, usageFail(stderr, "serve", format, args...), false
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	o.TLSMin, o.TLSMax = lo.v, hi.v
	if err := checkVersionRange(o.TLSMin, o.TLSMax); err != nil {
		return fail("%v", err)
	}
	if len(certs) != len(keys) {
		return fail("--cert and --key go in pairs: %d --cert and %d --key given", len(certs), len(keys))
	}
	for i := range certs {
		if i == 0 {
			o.CertFile, o.KeyFile = certs[0], keys[0]
			continue
		}
		o.MoreCerts = append(o.MoreCerts, certKeyFiles{certs[i], keys[i]})
	}
	o.CRLFiles = crls
	o.ECHKeyFiles = echKeys
	if len(o.ECHKeyFiles) > 0 && o.TLSMax == tls.VersionTLS12 {
		return fail("--ech-key needs TLS 1.3: Encrypted Client Hello does not exist in TLS 1.2 (drop --tls-max 1.2)")
	}
	if o.SessionStore == "" {
		var fleetOnly []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "session-store-key" || f.Name == "ticket-rotation" {
				fleetOnly = append(fleetOnly, "--"+f.Name)
			}
		})
		if len(fleetOnly) > 0 {
			return fail("%s needs --session-store redis://HOST:PORT/DB", strings.Join(fleetOnly, " and "))
		}
	}
	if len(o.CRLFiles) > 0 && o.ClientAuth == "none" {
		return fail("--crl checks client certificates: it needs --client-auth request or require")
	}
	if !slices.Contains([]string{"none", "request", "require"}, o.ClientAuth) {
		return fail("--client-auth is none, request or require, not %q", o.ClientAuth)
	}
	if o.ClientCAFile != "" && o.ClientAuth == "none" {
		return fail("--client-ca needs --client-auth request or require")
	}
	if o.CADir == "" && o.CertFile == "" {
		return fail("no certificate: pass --cert and --key, or --ca-dir for the local CA (%v)", caErr)
	}
	if o.KeyLogFile == "" {
		o.KeyLogFile = os.Getenv("SSLKEYLOGFILE")
	}
	return o, 0, true
}

// legacySuites are the seed's TLS 1.2 suites that --legacy adds after the
// defaults: RSA key transport of the pre-master secret and AES-CBC with
// HMAC (MAC-then-encrypt).
var legacySuites = []uint16{
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA,
}

// defaultSuites12 are Lucid's default TLS 1.2 suites, in its order; naming
// any suite in Config.CipherSuites replaces the defaults, so --legacy
// names them too.
var defaultSuites12 = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// serve runs the server until ctx ends, then shuts it down gracefully.
// ready, if set, is called with the bound address once the server accepts
// connections.
func serve(ctx context.Context, o serveOptions, stdout, stderr io.Writer, ready func(net.Addr)) error {
	logger := log.New(stderr, "", 0)
	cfg := &tls.Config{MinVersion: o.TLSMin, MaxVersion: o.TLSMax}
	if err := checkVersionRange(o.TLSMin, o.TLSMax); err != nil {
		return serveUsageError{err.Error()}
	}

	now := time.Now
	if o.now != nil {
		now = o.now
	}

	// The server's certificates.
	var trustHint string
	if o.CertFile != "" {
		certs, err := loadServeCertificates(o.certPairs(), now(), o.AllowBadCert, func(s string) { fmt.Fprintln(stderr, s) })
		if err != nil {
			return err
		}
		cfg.Certificates = certs
	} else {
		cert, caFile, err := localServeCertificate(o.CADir, time.Now(), stdout)
		if err != nil {
			return err
		}
		cfg.Certificates = []tls.Certificate{cert}
		trustHint = caFile
	}

	if len(o.ECHKeyFiles) > 0 {
		keys, err := serveECHKeys(o.ECHKeyFiles, cfg.Certificates, stdout, stderr)
		if err != nil {
			return err
		}
		cfg.EncryptedClientHelloKeys = keys
	}

	// Client certificates.
	switch o.ClientAuth {
	case "request", "require":
		pool, from, localCRL, err := clientCAPool(o)
		if err != nil {
			return err
		}
		cfg.ClientCAs = pool
		switch {
		case o.ClientAuth == "require" && pool == nil:
			return serveUsageError{"--client-auth require needs --client-ca FILE (or a local CA: lucid ca init)"}
		case o.ClientAuth == "require":
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		case pool == nil:
			cfg.ClientAuth = tls.RequestClientCert
			from = "nobody: certificates are shown but not verified"
		default:
			cfg.ClientAuth = tls.VerifyClientCertIfGiven
		}
		mode := map[string]string{"require": "required", "request": "requested"}[o.ClientAuth]
		fmt.Fprintf(stdout, "Client certificates: %s; trusted issuer: %s.\n", mode, from)
		if len(o.CRLFiles) > 0 && pool == nil {
			return serveUsageError{"--crl needs a trusted issuer to check lists against: --client-ca FILE (or a local CA: lucid ca init)"}
		}
		if pool != nil && (len(o.CRLFiles) > 0 || localCRL != "") {
			var optional []string
			if localCRL != "" {
				optional = []string{localCRL}
			}
			watch, err := newCRLWatch(o.CRLFiles, optional, pool, logger.Printf)
			if err != nil {
				return err
			}
			cfg.VerifyPeerCertificate = watch.verifyPeer
			lists, revoked := watch.count()
			files := strings.Join(append(slices.Clone(o.CRLFiles), optional...), ", ")
			fmt.Fprintf(stdout, "Revocation: %d list(s), %d revoked certificate(s), from %s (reread when changed).\n", lists, revoked, files)
		}
	}

	if o.Legacy {
		cfg.CipherSuites = append(slices.Clone(defaultSuites12), legacySuites...)
		fmt.Fprintln(stdout, "Legacy TLS 1.2 suites are on: RSA key transport (no forward secrecy) and CBC with HMAC. For study, not production.")
	}
	cfg.RecordSizeLimit = o.RecordSizeLimit
	if o.EarlyData > 0 {
		cfg.MaxEarlyData = o.EarlyData
		note := ""
		if cfg.ClientAuth != tls.NoClientCert {
			note = " (refused while client certificates are asked for)"
		}
		fmt.Fprintf(stdout, "0-RTT early data: accepted up to %d bytes from resumed clients%s; replays refused by the guard, unsafe early requests answered 425 Too Early.\n", o.EarlyData, note)
	}
	if o.SessionStore != "" {
		store, err := openSessionStore(o, stderr)
		if err != nil {
			return err
		}
		defer store.Close()
		cfg.SessionStore = store
	}
	if o.KeyLogFile != "" {
		f, err := os.OpenFile(o.KeyLogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("opening the key log: %w", err)
		}
		defer f.Close()
		cfg.KeyLogWriter = f
		fmt.Fprintf(stderr, "lucid serve: writing TLS secrets to %s: anyone who has that file can decrypt the traffic.\n", o.KeyLogFile)
	}

	var traceLines *trace.JSONLines
	if o.TraceJSON != "" {
		f, err := os.OpenFile(o.TraceJSON, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("opening the JSON trace: %w", err)
		}
		defer f.Close()
		traceLines = trace.NewJSONLines(f)
		fmt.Fprintf(stderr, "lucid serve: writing every connection's events to %s as JSON lines (lucid.trace/1).\n", o.TraceJSON)
	}

	h := o.handler
	inspecting := false
	if h == nil {
		if o.Dir != "" {
			st, err := os.Stat(o.Dir)
			if err != nil {
				return err
			}
			if !st.IsDir() {
				return serveUsageError{fmt.Sprintf("--dir %s is not a directory", o.Dir)}
			}
			h = http.FileServer(http.Dir(o.Dir))
		} else {
			h = inspect.Handler(inspect.Options{TLSConfig: cfg, OnReport: o.onReport})
			inspecting = true
		}
	}
	if o.HSTS {
		next := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// RFC 6797 §7.2: only over a secure transport, which this is.
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
			next.ServeHTTP(w, r)
		})
	}
	srv := &https.Server{
		Handler:           logRequests(logger, h),
		TLSConfig:         cfg,
		HandshakeTimeout:  nonZero(o.HandshakeTimeout),
		ReadHeaderTimeout: nonZero(o.HeaderTimeout),
		IdleTimeout:       nonZero(o.IdleTimeout),
		ErrorLog:          logger,
		HandshakeError: func(remote net.Addr, err error) {
			logger.Printf("%s TLS handshake failed: %v", remote, err)
		},
		Inspect: inspecting,
		// Early requests answered 425 never reach the handler: logged
		// all the same.
		TooEarly: logRequests(logger, https.TooEarlyHandler),
	}
	if o.onEarly != nil {
		srv.EarlyDataAllowed = func(r *http.Request) bool {
			ok := https.SafeEarlyRequest(r)
			o.onEarly(r, ok)
			return ok
		}
	}
	if traceLines != nil {
		srv.ConnObserver = func(c net.Conn) func(tls.Event) {
			return traceLines.For(c.RemoteAddr().String())
		}
	}

	l, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	addr := l.Addr()
	if o.ServerID != "" || cfg.SessionStore != nil {
		cfg.ServerID = serverID(o, addr)
	}
	fmt.Fprintf(stdout, "Serving HTTPS (HTTP/2 and HTTP/1.1) on %s: %s\n", addr, serveURL(addr))
	if cfg.SessionStore != nil {
		fmt.Fprintf(stdout, "Fleet: sessions, ticket keys and the 0-RTT replay guard shared through %s, as server %q.\n", redactURL(o.SessionStore), cfg.ServerID)
	}
	if trustHint != "" {
		fmt.Fprintf(stdout, "Clients trust this server once they trust the local CA's certificate %s:\n"+
			"  curl --cacert %s %s\n  lucid get --cacert %s %s\n",
			trustHint, shellQuote(trustHint), serveURL(addr), shellQuote(trustHint), serveURL(addr))
		fmt.Fprintf(stdout, "Make browsers trust it: lucid ca install --dir %s\n", shellQuote(o.CADir))
	}
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	if ready != nil {
		ready(addr)
	}

	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintf(stderr, "lucid serve: shutting down: no new connections; waiting up to %v for open requests (Ctrl-C again to quit now)\n", o.ShutdownTimeout)
	sctx, cancel := context.Background(), context.CancelFunc(func() {})
	if o.ShutdownTimeout > 0 {
		sctx, cancel = context.WithTimeout(sctx, o.ShutdownTimeout)
	}
	defer cancel()
	err = srv.Shutdown(sctx)
	<-done
	if traceLines != nil && traceLines.Err() != nil {
		fmt.Fprintf(stderr, "lucid serve: the JSON trace stopped: %v\n", traceLines.Err())
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w (open requests were cut off)", err)
	}
	fmt.Fprintln(stderr, "lucid serve: stopped")
	return nil
}

// nonZero turns a flag's "0" (no limit) into the https package's "no
// limit", a negative duration.
func nonZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// serveURL is the URL to visit: the certificate names localhost, so a
// loopback or unspecified address is shown as localhost.
func serveURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "https://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		host = "localhost"
	}
	if port == "443" {
		return "https://" + host + "/"
	}
	return "https://" + net.JoinHostPort(host, port) + "/"
}

// shellQuote quotes a path for a command line when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// clientCAPool reads --client-ca, or the local CA's root when there is
// one; it says where the pool came from and, for the local CA, where its
// CRL is published (the file may not exist yet). A nil pool means there is
// no CA.
func clientCAPool(o serveOptions) (pool *x509.CertPool, from, crlPath string, err error) {
	if o.ClientCAFile != "" {
		data, err := os.ReadFile(o.ClientCAFile)
		if err != nil {
			return nil, "", "", err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return nil, "", "", fmt.Errorf("--client-ca %s holds no PEM certificate", o.ClientCAFile)
		}
		return pool, o.ClientCAFile, "", nil
	}
	if o.CADir == "" {
		return nil, "", "", nil
	}
	ca, err := pki.Open(o.CADir)
	if errors.Is(err, pki.ErrNoCA) {
		return nil, "", "", nil
	}
	if err != nil {
		return nil, "", "", err
	}
	return ca.RootPool(), fmt.Sprintf("the local CA %q in %s", ca.Root().Subject.CommonName, o.CADir), ca.CRLPath(), nil
}

// localServeNames are the names the local certificate is for.
var localServeNames = []string{"localhost", "127.0.0.1", "::1"}

// localServeCertificate returns a certificate for localhost, 127.0.0.1 and
// ::1 from the local CA in caDir, creating the CA if there is none and the
// certificate if there is none still good for a day, and the path of the
// root certificate clients must trust. It says what it did on w.
func localServeCertificate(caDir string, now time.Time, w io.Writer) (tls.Certificate, string, error) {
	ca, err := pki.Open(caDir)
	if errors.Is(err, pki.ErrNoCA) {
		ca, err = pki.Init(caDir, pki.InitOptions{Now: now})
		if err == nil {
			fmt.Fprintf(w, "Created a local CA %q in %s (its key never leaves that directory).\n", ca.Certificate().Subject.CommonName, caDir)
		}
	}
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("the local CA: %w", err)
	}
	// Opening the CA finishes or undoes what a crashed lucid ca left
	// half done; say so, as lucid ca does.
	defer func() {
		for _, n := range ca.Recovered() {
			fmt.Fprintf(w, "The local CA recovered: %s.\n", n)
		}
	}()
	rootFile := filepath.Join(ca.Dir(), "ca.crt")
	if !ca.IsRoot() {
		rootFile = filepath.Join(ca.Dir(), "root.crt")
	}
	outDir := filepath.Join(ca.Dir(), "serve")
	out := filepath.Join(outDir, "localhost")
	if cert, ok := reusableServeCertificate(out, ca, now); ok {
		fmt.Fprintf(w, "Using the certificate for %s in %s.crt (expires %s).\n",
			strings.Join(localServeNames, ", "), out, cert.Leaf.NotAfter.UTC().Format("2006-01-02"))
		return cert, rootFile, nil
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return tls.Certificate{}, "", err
	}
	iss, err := ca.Issue(pki.IssueOptions{Kind: pki.KindServer, Names: localServeNames, Now: now, Out: out, Force: true})
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("issuing the server certificate: %w", err)
	}
	cert := tls.Certificate{Certificate: iss.Chain, PrivateKey: iss.Key, Leaf: iss.Certificate}
	fmt.Fprintf(w, "Issued a certificate for %s by %q, valid until %s: %s.crt\n",
		strings.Join(localServeNames, ", "), ca.Certificate().Subject.CommonName,
		iss.Certificate.NotAfter.UTC().Format("2006-01-02"), out)
	return cert, rootFile, nil
}

// reusableServeCertificate loads out.crt and out.key when they still chain
// to ca, name every local name and are good for at least another day.
func reusableServeCertificate(out string, ca *pki.CA, now time.Time) (tls.Certificate, bool) {
	cert, err := tls.LoadX509KeyPair(out+".crt", out+".key")
	if err != nil || cert.Leaf == nil {
		return tls.Certificate{}, false
	}
	inter := x509.NewCertPool()
	for _, der := range cert.Certificate[1:] {
		if c, err := x509.ParseCertificate(der); err == nil {
			inter.AddCert(c)
		}
	}
	for _, name := range localServeNames {
		_, err := cert.Leaf.Verify(x509.VerifyOptions{
			DNSName: name, Roots: ca.RootPool(), Intermediates: inter,
			CurrentTime: now.Add(24 * time.Hour), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		if err != nil {
			return tls.Certificate{}, false
		}
	}
	return cert, true
}

// logRequests writes one line per request to logger: remote address, TLS
// version and suite, the request line, status, body bytes and duration.
func logRequests(logger *log.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		begin := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			version, suite := "-", "-"
			if cs, ok := https.ConnectionState(r); ok {
				version, suite = tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite)
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			early := ""
			if https.IsEarly(r) {
				early = " 0-RTT"
			}
			logger.Printf("%s %s %s %s %q %d %dB %v%s", begin.UTC().Format(time.RFC3339), r.RemoteAddr, version, suite,
				r.Method+" "+r.URL.RequestURI()+" "+r.Proto, status, rec.bytes, time.Since(begin).Round(time.Microsecond), early)
		}()
		next.ServeHTTP(rec, r)
	})
}

// statusRecorder notes the status and counts the body bytes of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Flush lets streaming handlers flush through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real ResponseWriter.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
