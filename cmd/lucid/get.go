package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/signal"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"lucid/https"
	"lucid/internal/wire"
	"lucid/pki"
	"lucid/tls"
	"lucid/trace"
)

// getOptions is what `lucid get` was asked to do.
type getOptions struct {
	URL            string
	Output         string
	Headers        []string
	Method         string
	Data           string
	HasData        bool
	Head           bool
	Include        bool
	CACert         string
	CertFile       string
	KeyFile        string
	Insecure       bool
	Protocol       https.Protocol
	TLSMin, TLSMax uint16
	// RecordSizeLimit is --record-size-limit: Config.RecordSizeLimit.
	RecordSizeLimit uint16
	Resolve         []string
	Verbose         bool
	Fail            bool
	Location        bool
	ConnectTimeout  time.Duration
	MaxTime         time.Duration
	// KeyLogFile is --keylog, or else $SSLKEYLOGFILE; KeyLogFrom says
	// which, for messages.
	KeyLogFile string
	KeyLogFrom string
	// TraceJSON is --trace-json: a file for the JSON lines trace.
	TraceJSON string
	// Silent (-s) drops lucid get's own error messages, unless ShowError
	// (-S) keeps them.
	Silent, ShowError bool
	// RemoteName (-O) writes the body to a file named as the URL's last
	// path segment.
	RemoteName bool
	// MaxRedirs bounds how many redirects -L follows.
	MaxRedirs int
	// WriteOut is -w's format, parsed.
	WriteOut []writeOutPart
	// CipherSuites (--ciphers) and Curves (--curves) narrow what is offered.
	CipherSuites []uint16
	Curves       []tls.CurveID
	// CRLFiles are --crl: revocation lists the server's chain is checked
	// against.
	CRLFiles []string
	// SessionsFile (--ssl-sessions) holds the TLS session to resume, read
	// at the start and rewritten when the server hands out a new one.
	SessionsFile string
	// EarlyData (--early-data) sends the request in 0-RTT early data when
	// the session allows it.
	EarlyData bool
	// ECHConfigList is --ech-config's ECHConfigList, and ECHConfig the
	// config in it the client encrypts to.
	ECHConfigList []byte
	ECHConfig     wire.ECHConfig
}

// defaultMaxRedirs is how many redirects -L follows unless --max-redirs
// says otherwise: as many as net/http and browsers' practical limits
// (curl's 50 is more than any real site needs and hides loops longer).
const defaultMaxRedirs = 10

const getUsage = `Usage: lucid get [flags] URL

Fetches URL over HTTPS with Lucid's TLS stack and writes the body to
stdout, with curl's habits. HTTP/2 or HTTP/1.1 is chosen by ALPN unless
--http1.1 or --http2 says which. The server's certificate is checked
against the system's roots, or --cacert's.

Flags:
  -o, --output FILE       write the body to FILE instead of stdout
  -H, --header 'N: V'     add a request header (repeatable)
  -X, --request METHOD    the request method (default GET, or POST with -d)
  -d, --data DATA         send DATA as the body (@FILE reads FILE, @- stdin),
                          as application/x-www-form-urlencoded unless -H says
  -I, --head              send HEAD and print the response headers
  -i, --include           print the response headers before the body
  -O, --remote-name       write the body to a file in the current
                          directory named as the URL's last path segment
  -L, --location          follow redirects, at most --max-redirs
      --max-redirs N      with -L, give up after N redirects (default 10)
  -f, --fail              exit 6 without writing the body when the status
                          is 400 or above
  -s, --silent            print no error messages (the exit status tells;
                          the --insecure warning is still printed)
  -S, --show-error        with -s, still print error messages
  -w, --write-out FORMAT  after the transfer, print FORMAT on stdout, with
                          %{http_code} %{http_version} %{time_connect}
                          %{time_appconnect} %{time_starttransfer}
                          %{time_total} %{ssl_verify_result}
                          %{size_download} %{url_effective}
                          %{num_redirects} %{content_type} %{remote_ip}
                          %{remote_port}, and \n \t \r escapes;
                          @FILE reads FORMAT from FILE. Times are seconds
                          since the start; %{ssl_verify_result} is 0 or
                          OpenSSL's X509_V_ERR code, as in curl (with -k it
                          still tells what verification would have said)
      --cacert FILE       trust the CA certificates in FILE (PEM) instead
                          of the system's
      --crl FILE          refuse a server certificate that a CRL in FILE
                          (PEM or DER, signed by its issuer) revokes; exit 5
                          (repeatable)
      --cert FILE         present this client certificate chain (PEM) ...
      --key FILE          ... with this private key (PEM)
  -k, --insecure          do not check the server's certificate (testing only)
      --http1.1           speak HTTP/1.1 (ALPN offers only http/1.1)
      --http2             speak HTTP/2 (ALPN offers only h2; fails if the
                          server does not agree)
      --tls-min VERSION   lowest TLS version: 1.2 or 1.3 (default 1.2)
      --tls-max VERSION   highest TLS version: 1.2 or 1.3 (default 1.3)
      --tlsv1.2           TLS 1.2 or later (as curl: the same as --tls-min 1.2)
      --tlsv1.3           TLS 1.3 only, unless --tls-max says otherwise
      --ciphers LIST      the cipher suites to offer, ':'-separated IANA
                          names (TLS_AES_128_GCM_SHA256, or for TLS 1.2
                          TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 or
                          OpenSSL's ECDHE-ECDSA-AES128-GCM-SHA256); TLS 1.3
                          suites in the list replace the TLS 1.3 order
      --curves LIST       the key exchange groups to offer, ':'-separated:
                          X25519MLKEM768, x25519, secp256r1 (P-256),
                          secp384r1, secp521r1
      --resolve H:P:ADDR  connect to ADDR for host H and port P; the name H
                          is still sent (SNI) and checked (repeatable)
      --record-size-limit N
                          send record_size_limit N (RFC 8449, 64 to
                          16385): a server that knows it sends no record
                          larger; one that does gets record_overflow
      --connect-timeout S give up if the TCP connection and the TLS
                          handshake take more than S seconds together
                          (default 30; 0: no limit); exit 3
  -m, --max-time S        give up the whole transfer after S seconds; exit 3
  -v, --verbose           show the handshake's timeline, each step under
                          the seed step it implements, then describe it
                          (version, suite, group, ALPN, the server's
                          certificate, resumption), and the request and
                          response headers, on stderr
      --trace-json FILE   write every TLS event to FILE as JSON lines
                          (schema lucid.trace/1, see lucid/trace)
      --ssl-sessions FILE resume the TLS session saved in FILE (if any) and
                          save the one the server hands out there (mode
                          0600: it holds the session's secret); the format
                          of lucid connect --sess-in/--sess-out
      --early-data        send the request in TLS 1.3 0-RTT early data, with
                          the ClientHello, when the session from
                          --ssl-sessions allows it. Early data can be
                          replayed by an attacker: a server that will not
                          act on the request before the handshake answers
                          425 Too Early (RFC 8470), and lucid get sends it
                          again once the handshake is done. -v says
                          whether 0-RTT was offered, accepted or rejected
                          and why, and whether the request was retried
      --ech-config FILE|BASE64
                          send the hello with Encrypted Client Hello
                          (RFC 9849) to this ECHConfigList: a file (binary,
                          base64, or PEM with an ECHCONFIG block, as 'lucid
                          ech keygen' writes) or the base64 itself, as a
                          DNS HTTPS record's ech= has it. The path sees
                          only the config's public name; the host name goes
                          encrypted. TLS 1.3 only. If the server rejects
                          the config and sends retry configs, lucid get
                          retries once with them; otherwise it fails (exit
                          4) rather than send the name in clear. -v shows
                          the outer and the inner hello's names and why
                          ECH was accepted or rejected
      --keylog FILE       append the TLS secrets to FILE in the NSS key log
                          format, for Wireshark; anyone with FILE can
                          decrypt the traffic

$SSLKEYLOGFILE, when set and --keylog is not, names the key log file.
One-letter flags that take no value combine, as in curl: -fsSL.

`

// stringsFlag collects a repeatable flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ", ") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// secondsFlag is a duration given in (fractional) seconds, as curl's.
type secondsFlag struct{ d *time.Duration }

func (s secondsFlag) String() string {
	if s.d == nil {
		return ""
	}
	return strconv.FormatFloat(s.d.Seconds(), 'f', -1, 64)
}

func (s secondsFlag) Set(v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return fmt.Errorf("%q is not a number of seconds", v)
	}
	*s.d = time.Duration(f * float64(time.Second))
	return nil
}

func parseGetFlags(args []string, stdout, stderr io.Writer) (getOptions, int, bool) {
	o := getOptions{ConnectTimeout: 30 * time.Second, MaxRedirs: defaultMaxRedirs}
	fs := flag.NewFlagSet("lucid get", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	str := func(p *string, names ...string) {
		for _, n := range names {
			fs.StringVar(p, n, *p, "")
		}
	}
	boolean := func(p *bool, names ...string) {
		for _, n := range names {
			fs.BoolVar(p, n, *p, "")
		}
	}
	var headers, resolve, crls stringsFlag
	var writeOutFormat, ciphers, curves string
	var lo, hi tlsVersionFlag
	var h1, h2, help bool
	str(&o.Output, "o", "output")
	fs.Var(&headers, "H", "")
	fs.Var(&headers, "header", "")
	str(&o.Method, "X", "request")
	fs.Func("d", "", func(v string) error { o.Data, o.HasData = v, true; return nil })
	fs.Func("data", "", func(v string) error { o.Data, o.HasData = v, true; return nil })
	boolean(&o.Head, "I", "head")
	boolean(&o.Include, "i", "include")
	boolean(&o.Location, "L", "location")
	boolean(&o.Fail, "f", "fail")
	boolean(&o.Silent, "s", "silent")
	boolean(&o.ShowError, "S", "show-error")
	boolean(&o.RemoteName, "O", "remote-name")
	fs.IntVar(&o.MaxRedirs, "max-redirs", o.MaxRedirs, "")
	str(&writeOutFormat, "w", "write-out")
	fs.Var(&crls, "crl", "")
	str(&ciphers, "ciphers")
	str(&curves, "curves")
	fs.BoolFunc("tlsv1.2", "", func(string) error { lo.v = tls.VersionTLS12; return nil })
	fs.BoolFunc("tlsv1.3", "", func(string) error { lo.v = tls.VersionTLS13; return nil })
	str(&o.CACert, "cacert")
	str(&o.CertFile, "cert")
	str(&o.KeyFile, "key")
	boolean(&o.Insecure, "k", "insecure")
	boolean(&h1, "http1.1")
	boolean(&h2, "http2")
	fs.Var(&lo, "tls-min", "")
	fs.Var(&hi, "tls-max", "")
	fs.Var(&resolve, "resolve", "")
	fs.Func("record-size-limit", "", recordSizeLimitFlag(&o.RecordSizeLimit))
	fs.Var(secondsFlag{&o.ConnectTimeout}, "connect-timeout", "")
	fs.Var(secondsFlag{&o.MaxTime}, "m", "")
	fs.Var(secondsFlag{&o.MaxTime}, "max-time", "")
	boolean(&o.Verbose, "v", "verbose")
	str(&o.TraceJSON, "trace-json")
	str(&o.KeyLogFile, "keylog")
	str(&o.SessionsFile, "ssl-sessions")
	var echConfig string
	str(&echConfig, "ech-config")
	boolean(&o.EarlyData, "early-data")
	boolean(&help, "h", "help")

	fail := func(format string, args ...any) (getOptions, int, bool) {
		return o, usageFail(stderr, "get", format, args...), false
	}
	// Flags may come before or after the URL, as with curl.
	positional, asked, err := parseInterleaved(fs, expandShortFlags(args))
	if err != nil {
		return fail("%s", flagProblem(err))
	}
	help = help || asked
	if help {
		fmt.Fprint(stdout, getUsage+getExitHelp)
		return o, exitOK, false
	}
	switch len(positional) {
	case 0:
		return fail("no URL given")
	case 1:
		o.URL = positional[0]
	default:
		return fail("one URL at a time; got %q and %q", positional[0], positional[1])
	}
	if !strings.Contains(o.URL, "://") {
		o.URL = "https://" + o.URL
	}
	u, err := url.Parse(o.URL)
	if err != nil {
		return fail("bad URL: %v", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fail("the URL's scheme is %q; lucid get speaks https (and plain http)", u.Scheme)
	}
	if u.Host == "" {
		return fail("the URL %q names no host", o.URL)
	}
	if h1 && h2 {
		return fail("--http1.1 and --http2 exclude each other")
	}
	switch {
	case h1:
		o.Protocol = https.ProtocolHTTP1
	case h2:
		o.Protocol = https.ProtocolHTTP2
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
	if o.EarlyData && o.SessionsFile == "" {
		return fail("--early-data needs a session to resume: add --ssl-sessions FILE (the first run saves one, the next sends 0-RTT)")
	}
	for _, h := range headers {
		if name, _, ok := strings.Cut(h, ":"); !ok || strings.TrimSpace(name) == "" {
			return fail("header %q is not of the form 'Name: value'", h)
		}
	}
	o.Headers = headers
	for _, r := range resolve {
		if _, _, err := parseResolve(r); err != nil {
			return fail("%v", err)
		}
	}
	o.Resolve = resolve
	if o.Head && o.HasData {
		return fail("-I (HEAD) and -d (a body) exclude each other")
	}
	if o.RemoteName {
		if o.Output != "" {
			return fail("-O and -o exclude each other")
		}
		name, err := remoteFileName(u)
		if err != nil {
			return fail("%v", err)
		}
		o.Output = name
	}
	if o.MaxRedirs < 0 {
		return fail("--max-redirs %d: give 0 or more", o.MaxRedirs)
	}
	if writeOutFormat != "" {
		if o.WriteOut, err = parseWriteOut(writeOutFormat); err != nil {
			return fail("%v", err)
		}
	}
	if o.CipherSuites, o.Curves, err = parseTLSChoices(ciphers, curves); err != nil {
		return fail("%v", err)
	}
	o.CRLFiles = crls
	if echConfig != "" {
		if o.TLSMax == tls.VersionTLS12 {
			return fail("--ech-config needs TLS 1.3: Encrypted Client Hello does not exist in TLS 1.2 (drop --tls-max 1.2)")
		}
		if o.ECHConfigList, o.ECHConfig, err = readECHConfigArg(echConfig); err != nil {
			return fail("%v", err)
		}
	}
	o.KeyLogFrom = "--keylog"
	if o.KeyLogFile == "" {
		o.KeyLogFile, o.KeyLogFrom = os.Getenv("SSLKEYLOGFILE"), "$SSLKEYLOGFILE"
	}
	return o, 0, true
}

// getBoolShorts are get's one-letter flags that take no value: curl's
// users write them together ("-sSL", "-fsSL").
const getBoolShorts = "sSLOfiIkv"

// getValueFlags are get's flags that take a value, whose value is never
// read as flags.
var getValueFlags = map[string]bool{
	"o": true, "output": true, "H": true, "header": true, "X": true, "request": true,
	"d": true, "data": true, "cacert": true, "cert": true, "key": true, "crl": true,
	"tls-min": true, "tls-max": true, "resolve": true, "connect-timeout": true,
	"m": true, "max-time": true, "trace-json": true, "keylog": true, "w": true,
	"write-out": true, "max-redirs": true, "ciphers": true, "curves": true,
	"ech-config": true,
}

// expandShortFlags splits "-sSL" into "-s" "-S" "-L" when every letter is
// one of get's valueless one-letter flags; anything else is left to the
// flag package, so a real flag or a value is never split.
func expandShortFlags(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if i > 0 && getValueFlags[strings.TrimLeft(args[i-1], "-")] && !strings.Contains(args[i-1], "=") {
			out = append(out, a) // the value of the flag before: -d -sS sends "-sS"
			continue
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && strings.Trim(a[1:], getBoolShorts) == "" {
			for _, c := range a[1:] {
				out = append(out, "-"+string(c))
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// remoteFileName is -O's file name: the URL's last path segment, which
// must be a plain name (curl refuses an empty one too).
func remoteFileName(u *url.URL) (string, error) {
	name := path.Base(u.Path)
	if u.Path == "" || strings.HasSuffix(u.Path, "/") || name == "." || name == ".." || name == "/" || strings.ContainsAny(name, "/\\\x00") {
		return "", fmt.Errorf("-O: the URL %q has no file name at the end of its path; use -o FILE", u.String())
	}
	return name, nil
}

// parseResolve reads curl's --resolve HOST:PORT:ADDR into the authority to
// match ("host:port") and the address to dial instead ("addr:port").
func parseResolve(s string) (from, to string, err error) {
	var host, rest string
	var ok1 bool
	if v6, ok := strings.CutPrefix(s, "["); ok { // an IPv6 literal host: [::1]:443:ADDR
		host, rest, _ = strings.Cut(v6, "]")
		rest, ok1 = strings.CutPrefix(rest, ":")
	} else {
		host, rest, ok1 = strings.Cut(s, ":")
	}
	port, addr, ok2 := strings.Cut(rest, ":")
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if !ok1 || !ok2 || host == "" || port == "" || net.ParseIP(addr) == nil {
		return "", "", fmt.Errorf("--resolve %q is not HOST:PORT:ADDR with an IP address ADDR", s)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", "", fmt.Errorf("--resolve %q: bad port %q", s, port)
	}
	return net.JoinHostPort(strings.ToLower(host), port), net.JoinHostPort(addr, port), nil
}

// runGet runs `lucid get` and returns its exit status (see getExitHelp).
func runGet(args []string, stdout, stderr io.Writer) int {
	o, status, ok := parseGetFlags(args, stdout, stderr)
	if !ok {
		return status
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return doGet(ctx, o, os.Stdin, stdout, stderr)
}

// doGet makes the request and writes the response; it returns the exit
// status.
func doGet(ctx context.Context, o getOptions, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	// Events arrive on the connection's goroutines, so the timeline and
	// the rest of -v share stderr through a lock.
	color := isTerminal(stderr) && os.Getenv("NO_COLOR") == ""
	stderr = &lockedWriter{w: stderr}
	// errw takes lucid get's own messages, which -s silences (-S keeps).
	errw := stderr
	if o.Silent && !o.ShowError {
		errw = io.Discard
	}
	failf := func(code int, format string, args ...any) int {
		fmt.Fprintf(errw, "lucid get: "+format+"\n", args...)
		return code
	}
	facts := &transferFacts{start: time.Now(), url: o.URL, verify: -1}
	if len(o.WriteOut) > 0 {
		// Written whatever happened, as curl does: a script reads
		// %{http_code} 000 after a failure.
		defer func() {
			facts.update(func(f *transferFacts) { f.total = time.Since(f.start) })
			if err := writeOut(stdout, o.WriteOut, facts); err != nil && code == exitOK {
				code = failf(exitOther, "writing -w: %v", err)
			}
		}()
	}
	cfg := &tls.Config{MinVersion: o.TLSMin, MaxVersion: o.TLSMax, InsecureSkipVerify: o.Insecure,
		CipherSuites: o.CipherSuites, CurvePreferences: o.Curves, RecordSizeLimit: o.RecordSizeLimit}
	if err := (clientTrust{CACert: o.CACert, CRLFiles: o.CRLFiles, CertFile: o.CertFile, KeyFile: o.KeyFile}).apply(cfg); err != nil {
		return failf(exitOther, "%v", err)
	}
	ech := &getECH{config: o.ECHConfig, host: hostOf(o.URL)}
	if o.ECHConfigList != nil {
		cfg.EncryptedClientHelloConfigList = o.ECHConfigList
		if o.Verbose {
			ech.describeOffer(stderr)
		}
	}
	if o.Insecure {
		// Not silenced by -s: a security warning is never optional.
		fmt.Fprint(stderr, "lucid get: WARNING: --insecure: the server's certificate is NOT checked.\n"+
			"lucid get: WARNING: anyone on the path can pretend to be this server and read or change the traffic.\n"+
			"lucid get: WARNING: to trust a private CA, use --cacert FILE instead.\n")
	}
	if o.KeyLogFile != "" {
		f, err := os.OpenFile(o.KeyLogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return failf(exitOther, "opening the key log (%s): %v", o.KeyLogFrom, err)
		}
		defer f.Close()
		cfg.KeyLogWriter = f
		if o.Verbose {
			fmt.Fprintf(stderr, "* TLS secrets are appended to %s (%s): anyone who has that file can decrypt the traffic\n", o.KeyLogFile, o.KeyLogFrom)
		}
	}
	var sessions *fileSessionCache
	if o.SessionsFile != "" {
		info := io.Discard
		if o.Verbose {
			info = stderr
		}
		var err error
		if sessions, err = loadSessionsFile(o.SessionsFile, info); err != nil {
			return failf(exitOther, "--ssl-sessions %s: %v", o.SessionsFile, err)
		}
		cfg.ClientSessionCache = sessions
		cfg.SendEarlyData = o.EarlyData
		defer func() {
			sessions.mu.Lock()
			err := sessions.err
			sessions.mu.Unlock()
			if err != nil {
				fmt.Fprintf(errw, "lucid get: saving --ssl-sessions %s: %v\n", o.SessionsFile, err)
				if code == exitOK {
					code = exitOther
				}
			}
		}()
	}
	var observers []func(tls.Event)
	if o.Verbose {
		observers = append(observers, trace.NewTimeline(stderr, trace.TimelineOptions{Color: color}).Observe)
	}
	if o.TraceJSON != "" {
		f, err := os.Create(o.TraceJSON)
		if err != nil {
			return failf(exitOther, "--trace-json: %v", err)
		}
		jl := trace.NewJSONLines(f)
		observers = append(observers, jl.Observe)
		// Runs after the transport's connections are closed (deferred
		// below), so their last events are in the file.
		defer func() {
			err := jl.Err()
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				fmt.Fprintf(errw, "lucid get: writing --trace-json %s: %v\n", o.TraceJSON, err)
				if code == exitOK {
					code = exitOther
				}
			}
		}()
	}
	if len(observers) > 0 {
		g := &observerGate{observe: trace.Tee(observers...)}
		cfg.Observer = g.Observe
		// Runs after the connections are closed and before the trace
		// file is: later events (a connection's goroutine still reading)
		// are dropped rather than written to a closed file, or to stderr
		// after lucid get has returned.
		defer g.close()
	}

	resolve := map[string]string{}
	for _, r := range o.Resolve {
		from, to, _ := parseResolve(r)
		resolve[from] = to
	}
	budget := &connectBudget{timeout: o.ConnectTimeout}
	dialer := &net.Dialer{KeepAlive: 30 * time.Second}
	tr := &https.Transport{
		TLSConfig: cfg,
		Protocol:  o.Protocol,
		// --connect-timeout covers the handshake too (connectBudget), and
		// --max-time the whole transfer; the transport adds no limit of
		// its own.
		TLSHandshakeTimeout: -1,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			target := addr
			if to, ok := resolve[strings.ToLower(addr)]; ok {
				target = to
			}
			if o.Verbose {
				if target != addr {
					fmt.Fprintf(stderr, "* Connecting to %s for %s (--resolve)\n", target, addr)
				} else {
					fmt.Fprintf(stderr, "* Connecting to %s\n", addr)
				}
			}
			c, err := budget.dial(ctx, dialer, network, target)
			if err != nil {
				return nil, err
			}
			facts.update(func(f *transferFacts) {
				f.connect = time.Since(f.start)
				if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
					f.remoteIP, f.remotePort = ta.IP.String(), strconv.Itoa(ta.Port)
				}
			})
			if o.Verbose {
				fmt.Fprintf(stderr, "* Connected to %s\n", c.RemoteAddr())
			}
			return c, nil
		},
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	if o.Location {
		client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if len(via) > o.MaxRedirs {
				return &redirectLimitError{max: o.MaxRedirs}
			}
			facts.update(func(f *transferFacts) { f.redirects = len(via) })
			if o.Verbose {
				fmt.Fprintf(stderr, "* Following the redirect to %s\n", req.URL)
			}
			return nil
		}
	} else {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}

	var maxCtx context.Context
	if o.MaxTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.MaxTime)
		defer cancel()
		maxCtx = ctx
	}
	req, err := newGetRequest(ctx, o, stdin)
	if err != nil {
		return failf(exitOther, "%v", err)
	}
	first := true
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		// A connection handed to a request has finished its handshake (or,
		// for http://, has none): the rest answers to --max-time only.
		GotConn:              func(httptrace.GotConnInfo) { budget.handshakeDone() },
		GotFirstResponseByte: func() { facts.update(func(f *transferFacts) { f.first = time.Since(f.start) }) },
	}))
	req = req.WithContext(https.TraceConnection(req.Context(), func(ci https.ConnInfo) {
		if !ci.Reused {
			verify := verifyResult(ci.State, cfg, o.Insecure)
			facts.update(func(f *transferFacts) { f.appConnect, f.verify = time.Since(f.start), verify })
		}
		if !o.Verbose {
			return
		}
		if ci.EarlyRetry {
			fmt.Fprintln(stderr, "* 425 Too Early: the server would not act on the request before the handshake was confirmed; sent it again now that it is (RFC 8470)")
		}
		describeHandshake(stderr, ci, o.Insecure)
		if !ci.Reused {
			ech.describeResult(stderr, ci.State, o.ECHConfigList != nil)
		}
		if o.EarlyData && !ci.Reused {
			describeEarlyData(stderr, ci)
		}
		if !first {
			return // a redirect's request
		}
		first = false
		proto := "HTTP/1.1"
		if ci.State.NegotiatedProtocol == "h2" {
			proto = "HTTP/2.0"
		}
		fmt.Fprintf(stderr, "> %s %s %s\n> Host: %s\n", req.Method, req.URL.RequestURI(), proto, req.Host)
		writeHeaders(stderr, "> ", req.Header)
		fmt.Fprintln(stderr, ">")
	}))

	resp, err := client.Do(req)
	if o.ECHConfigList != nil {
		resp, err = ech.retry(client, req, cfg, resp, err, o.Verbose, stderr)
	}
	if err != nil {
		code := getExitCode(err)
		var cve *tls.CertificateVerificationError
		if errors.As(err, &cve) {
			facts.update(func(f *transferFacts) { f.verify = verifyResultCode(cve.Err) })
		}
		if o.Verbose {
			describeFailedCertificate(stderr, err)
		}
		fmt.Fprintf(errw, "lucid get: %s\n", getErrorMessage(err, o, maxCtx))
		if hint := getHint(code, o); hint != "" {
			fmt.Fprintf(errw, "lucid get: %s\n", hint)
		}
		return code
	}
	defer resp.Body.Close()
	facts.update(func(f *transferFacts) {
		f.status, f.contentType = resp.StatusCode, resp.Header.Get("Content-Type")
		f.proto = fmt.Sprintf("%d", resp.ProtoMajor)
		if resp.ProtoMajor == 1 {
			f.proto = fmt.Sprintf("1.%d", resp.ProtoMinor)
		}
		f.url = resp.Request.URL.String()
	})
	statusLine := resp.Proto + " " + resp.Status
	if o.Verbose {
		fmt.Fprintf(stderr, "< %s\n", statusLine)
		writeHeaders(stderr, "< ", resp.Header)
		fmt.Fprintln(stderr, "<")
	}
	if o.Fail && resp.StatusCode >= 400 {
		return failf(exitHTTPError, "the server answered %s (--fail)", resp.Status)
	}

	var out io.Writer = stdout
	if o.Output != "" {
		f, err := os.Create(o.Output)
		if err != nil {
			return failf(exitOther, "%v", err)
		}
		defer f.Close()
		out = f
	}
	if o.Head || o.Include {
		var b bytes.Buffer
		fmt.Fprintf(&b, "%s\r\n", statusLine)
		writeHeaders(&b, "", resp.Header)
		b.WriteString("\r\n")
		if _, err := out.Write(b.Bytes()); err != nil {
			return failf(exitOther, "writing the output: %v", err)
		}
	}
	if o.Head {
		return exitOK
	}
	n, err := io.Copy(out, &bodyReader{resp.Body})
	facts.update(func(f *transferFacts) { f.size = n })
	if err != nil {
		var re readError
		if errors.As(err, &re) {
			code := getExitCode(re.err)
			if code == exitOther || code == exitOK {
				code = exitConnect
			}
			return failf(code, "reading the response: %s", getErrorMessage(re.err, o, maxCtx))
		}
		return failf(exitOther, "writing the output: %v", err)
	}
	if f, ok := out.(*os.File); ok && o.Output != "" {
		if err := f.Close(); err != nil {
			return failf(exitOther, "writing %s: %v", o.Output, err)
		}
	}
	return exitOK
}

// redirectLimitError is -L giving up on a chain of redirects.
type redirectLimitError struct{ max int }

func (e *redirectLimitError) Error() string {
	return fmt.Sprintf("stopped after %d redirects (--max-redirs %d): the server may be redirecting in a loop", e.max, e.max)
}

// connectBudget makes --connect-timeout cover the TCP connection and the
// TLS handshake together, as curl's does: the deadline set when dialing
// stays on the socket until the handshake is over, so a server that
// accepts and then never answers is a timeout, not a hang.
type connectBudget struct {
	timeout time.Duration
	mu      sync.Mutex
	pending []net.Conn // dialed, handshake not yet done
}

func (b *connectBudget) dial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	if b.timeout <= 0 {
		return d.DialContext(ctx, network, addr)
	}
	deadline := time.Now().Add(b.timeout)
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	c, err := d.DialContext(dctx, network, addr)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(deadline)
	b.mu.Lock()
	b.pending = append(b.pending, c)
	b.mu.Unlock()
	return c, nil
}

// handshakeDone lifts the deadline from the connections dialed so far:
// lucid get makes one connection at a time, so the one that was just
// handed to a request is among them.
func (b *connectBudget) handshakeDone() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.pending {
		c.SetDeadline(time.Time{})
	}
	b.pending = nil
}

// verifyResult is %{ssl_verify_result} for a connection that was made:
// 0 when the chain verified; under --insecure, what verifying it would
// have said.
func verifyResult(cs tls.ConnectionState, cfg *tls.Config, insecure bool) int {
	if len(cs.VerifiedChains) > 0 || !insecure {
		return 0
	}
	raw := make([][]byte, len(cs.PeerCertificates))
	for i, c := range cs.PeerCertificates {
		raw[i] = c.Raw
	}
	_, _, err := pki.VerifyChain(raw, pki.VerifyOptions{
		Roots: cfg.RootCAs, DNSName: cs.ServerName, RevocationLists: cfg.RevocationLists,
	})
	return verifyResultCode(err)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// observerGate passes events on until it is closed; close waits for an
// event being written.
type observerGate struct {
	mu      sync.Mutex
	closed  bool
	observe func(tls.Event)
}

func (g *observerGate) Observe(e tls.Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		g.observe(e)
	}
}

func (g *observerGate) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
}

// bodyReader marks errors from reading the body, so that they are told
// apart from errors writing the output.
type bodyReader struct{ r io.Reader }

type readError struct{ err error }

func (e readError) Error() string { return e.err.Error() }

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = readError{err}
	}
	return n, err
}

// newGetRequest builds the request from the options.
func newGetRequest(ctx context.Context, o getOptions, stdin io.Reader) (*http.Request, error) {
	method := o.Method
	var body io.Reader
	if o.HasData {
		data := []byte(o.Data)
		if name, ok := strings.CutPrefix(o.Data, "@"); ok {
			var err error
			if name == "-" {
				data, err = io.ReadAll(stdin)
			} else {
				data, err = os.ReadFile(name)
			}
			if err != nil {
				return nil, fmt.Errorf("reading the data: %w", err)
			}
		}
		body = bytes.NewReader(data)
		if method == "" {
			method = http.MethodPost
		}
	}
	if o.Head {
		method = http.MethodHead
	}
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, o.URL, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "lucid-get")
	req.Header.Set("Accept", "*/*")
	if o.HasData {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, h := range o.Headers {
		name, value, _ := strings.Cut(h, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if strings.EqualFold(name, "Host") {
			req.Host = value
			continue
		}
		req.Header.Set(name, value)
	}
	return req, nil
}

// writeHeaders writes h one line per value: with prefix and "\n" for -v,
// as on the wire ("\r\n") for -i and -I.
func writeHeaders(w io.Writer, prefix string, h http.Header) {
	eol := "\r\n"
	if prefix != "" {
		eol = "\n"
	}
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			fmt.Fprintf(w, "%s%s: %s%s", prefix, k, v, eol)
		}
	}
}

func sortedKeys(h http.Header) []string { return slices.Sorted(maps.Keys(h)) }

// describeEarlyData is -v's line on 0-RTT for a new connection.
func describeEarlyData(w io.Writer, ci https.ConnInfo) {
	ed := ci.State.EarlyData
	switch {
	case ci.EarlyRetry:
		fmt.Fprintln(w, "* 0-RTT: not offered: a request sent again after 425 Too Early waits for the handshake")
	case !ci.Deferred || !ed.Offered:
		why := ed.Reason
		if why == "" || why == tls.EarlyDataNoSession {
			why = "no session in --ssl-sessions allows early data to this server (the first run saves one)"
		}
		fmt.Fprintf(w, "* 0-RTT: not offered: %s\n", why)
	case ed.Accepted:
		fmt.Fprintln(w, "* 0-RTT: offered and accepted: the request went out with the ClientHello, in early data")
	default:
		fmt.Fprintf(w, "* 0-RTT: offered, rejected by the server (%s): the request was sent again after the handshake\n", ed.Reason)
	}
}

// describeHandshake is -v's summary of a connection.
func describeHandshake(w io.Writer, ci https.ConnInfo, insecure bool) {
	cs := ci.State
	if ci.Reused {
		fmt.Fprintf(w, "* Reusing the connection to %s\n", ci.RemoteAddr)
		return
	}
	summarizeHandshake(w, cs, insecure, func() {
		alpn := cs.NegotiatedProtocol
		if alpn == "" {
			alpn = "none (HTTP/1.1)"
		}
		fmt.Fprintf(w, "* ALPN: %s\n", alpn)
	})
	if cs.SignatureScheme != 0 {
		fmt.Fprintf(w, "* The server signed the handshake with %s\n", cs.SignatureScheme)
	}
	resumed := "no"
	if cs.DidResume {
		resumed = "yes"
	}
	fmt.Fprintf(w, "* Session resumed: %s\n", resumed)
}

func describeCertificate(w io.Writer, c *x509.Certificate) {
	fmt.Fprintf(w, "*   subject: %s\n", c.Subject)
	fmt.Fprintf(w, "*   issuer:  %s\n", c.Issuer)
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) > 0 {
		fmt.Fprintf(w, "*   names:   %s\n", strings.Join(names, ", "))
	}
	left := time.Until(c.NotAfter)
	when := fmt.Sprintf("in %d days", int(left.Hours()/24))
	if left < 0 {
		when = "EXPIRED"
	} else if left < 48*time.Hour {
		when = "in " + left.Round(time.Minute).String()
	}
	fmt.Fprintf(w, "*   expires: %s (%s)\n", c.NotAfter.UTC().Format("2006-01-02 15:04 UTC"), when)
}

// describeFailedCertificate shows -v the certificate that failed
// verification: the chain the server sent stays available in the error.
func describeFailedCertificate(w io.Writer, err error) {
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) && len(cve.UnverifiedCertificates) > 0 {
		fmt.Fprintln(w, "* The server sent this certificate, which did not verify:")
		describeCertificate(w, cve.UnverifiedCertificates[0])
	}
}

// getHint suggests what to do next for some failures.
func getHint(code int, o getOptions) string {
	switch code {
	case exitCertificate:
		if o.CACert == "" {
			return "to trust a private CA (such as the one 'lucid serve' uses), pass --cacert FILE"
		}
	case exitConnect:
		return "is the server running, and is the address right?"
	}
	return ""
}
