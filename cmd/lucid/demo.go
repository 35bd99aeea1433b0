package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"lucid/internal/wire"
	"lucid/pki"
	"lucid/tls"
	"lucid/trace"
)

// demoOptions are the demo's settings.
type demoOptions struct {
	// ShowSecrets prints the secret values from the key log and the record
	// keys derived from them, not only their labels and lengths.
	ShowSecrets bool
	// Version is the TLS version of the story: tls.VersionTLS13 (zero
	// means it) or tls.VersionTLS12.
	Version uint16
	// RSA uses the seed's own key exchange: TLS 1.2 RSA key transport
	// (TLS_RSA_WITH_AES_128_GCM_SHA256) with an RSA server certificate.
	RSA bool
	// Attacks lists the attacks to run, of demoAttacks; nil means all of
	// them, an empty list none.
	Attacks []string
	// Lang is the narration's language: "en" (zero means it) or "zh".
	Lang string
	// JSON writes one JSON object per step and per attack instead of
	// prose (see demo_json.go).
	JSON bool
	// ECH gives the server an Encrypted Client Hello key and the client
	// its config, so that the wiretap sees only the public name (RFC
	// 9849; TLS 1.3 only). The attacks run with it too, except the 0-RTT
	// replay: Lucid sends no early data inside ECH.
	ECH bool

	// keyLog, if set, receives a copy of the main connection's NSS key
	// log, so a test can compare the secrets with what was printed.
	keyLog io.Writer
	// traceJSON, if set, receives the main connection's events from both
	// ends as JSON lines (lucid.trace/1), with "source" "client" or
	// "server" (--trace-json).
	traceJSON io.Writer
	// earlyGuard, if set, is the 0-RTT replay attack's server guard in
	// place of the default one, so a test can let a replay through.
	earlyGuard tls.EarlyDataGuard
}

// demoAttacks are the attacks, in the order they run.
var demoAttacks = []string{"tamper", "replay", "impostor", "downgrade", "replay0rtt"}

const (
	// demoTimeout bounds every connection of the demo, so that a
	// misbehaving peer stops it instead of hanging it.
	demoTimeout = 5 * time.Second
	demoHost    = "localhost"
	demoPath    = "/hello"
	// exporterLabel derives a value both ends compare to show they hold
	// the same keys (RFC 8446 §7.5, RFC 5705); the value is never printed.
	exporterLabel = "EXPERIMENTAL lucid demo"
)

// demoRequest is what the client sends as application data.
var demoRequest = "GET " + demoPath + " HTTP/1.1\r\n" +
	"Host: " + demoHost + "\r\n" +
	"User-Agent: lucid-demo\r\n" +
	"Accept: text/plain\r\n" +
	"Connection: close\r\n\r\n"

const demoUsage = `Usage: lucid demo [--tls 1.2|1.3] [--kx ecdhe|rsa] [--ech]
                  [--attack tamper|replay|impostor|downgrade|replay0rtt|all|none]
                  [--lang en|zh] [--json] [--show-secrets]
                  [--trace-json FILE]

Tells the story of one HTTPS request, live on 127.0.0.1, in the steps of
the seed: a throwaway CA, a Lucid TLS server, a wiretap relay in the
middle and a Lucid client. Then the wiretap attacks: it flips a bit,
replays a record, poses as the server, downgrades the handshake, and
replays a resumption's 0-RTT early data on a new connection. With --ech
the client encrypts its real ClientHello to the server's ECH key, and the
wiretap reads only the public name.
Nothing is written to disk unless --trace-json asks. The exit status is
1 if anything did not happen as the story says it must, such as an
attack that was not stopped.

Flags:
`

// demoMain parses the demo's flags and runs it; it returns the exit
// status: 0 when everything happened as it must, 1 when not, 2 for a
// usage error.
func demoMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lucid demo", flag.ContinueOnError)
	var opts demoOptions
	fs.BoolVar(&opts.ShowSecrets, "show-secrets", false,
		"also print the secret values from the key log (they decrypt the demo's traffic)")
	version := fs.String("tls", "1.3", "the TLS `version` of the story: 1.3 or 1.2")
	kx := fs.String("kx", "ecdhe", "the key exchange: ecdhe, or rsa for the seed's RSA key transport\n(TLS 1.2 only, no forward secrecy)")
	attack := fs.String("attack", "all", "which `attack`s to run: tamper, replay, impostor, downgrade,\nreplay0rtt, all or none (several may be given, comma-separated)")
	fs.StringVar(&opts.Lang, "lang", "en", "the narration's `language`: en, or zh (the seed's language)")
	fs.BoolVar(&opts.JSON, "json", false, "print one JSON object per step and per attack, for tools")
	fs.BoolVar(&opts.ECH, "ech", false, "Encrypted Client Hello (RFC 9849, TLS 1.3): the wiretap sees only the\npublic name "+demoPublicName+", not the site's")
	traceFile := fs.String("trace-json", "", "write every TLS event of the main connection, client and server, to `file`\nas JSON lines (schema lucid.trace/1, see lucid/trace)")
	if status, done := parseFlagSet(fs, "demo", args, stdout, stderr, func(w io.Writer) {
		fmt.Fprint(w, demoUsage)
		fs.PrintDefaults()
	}); done {
		return status
	}
	usageError := func(format string, args ...any) int {
		return usageFail(stderr, "demo", format, args...)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	tlsSet := false
	fs.Visit(func(f *flag.Flag) { tlsSet = tlsSet || f.Name == "tls" })
	switch *kx {
	case "ecdhe":
	case "rsa":
		opts.RSA = true
		if !tlsSet {
			*version = "1.2"
		}
	default:
		return usageError("--kx %q: want ecdhe or rsa", *kx)
	}
	switch *version {
	case "1.3":
		opts.Version = tls.VersionTLS13
	case "1.2":
		opts.Version = tls.VersionTLS12
	default:
		return usageError("--tls %q: want 1.2 or 1.3", *version)
	}
	if opts.RSA && opts.Version != tls.VersionTLS12 {
		return usageError("--kx rsa is TLS 1.2's RSA key transport; TLS 1.3 removed it (use --tls 1.2)")
	}
	if opts.ECH && opts.Version != tls.VersionTLS13 {
		return usageError("--ech is TLS 1.3's (RFC 9849): it cannot go with --tls 1.2 or --kx rsa")
	}
	var err error
	if opts.Attacks, err = parseAttacks(*attack); err != nil {
		return usageError("--attack: %v", err)
	}
	if opts.Lang != "en" && opts.Lang != "zh" {
		return usageError("--lang %q: want en or zh", opts.Lang)
	}
	if *traceFile != "" {
		f, err := os.Create(*traceFile)
		if err != nil {
			fmt.Fprintf(stderr, "lucid demo: --trace-json: %v\n", err)
			return 1
		}
		defer f.Close()
		opts.traceJSON = f
	}
	if err := runDemo(stdout, opts); err != nil {
		fmt.Fprintf(stderr, "lucid demo: %v\n", err)
		return 1
	}
	if f, ok := opts.traceJSON.(*os.File); ok {
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "lucid demo: --trace-json: %v\n", err)
			return 1
		}
	}
	return 0
}

// parseAttacks reads --attack.
func parseAttacks(s string) ([]string, error) {
	out := []string{}
	for _, a := range strings.Split(s, ",") {
		switch a = strings.TrimSpace(a); a {
		case "all":
			return slices.Clone(demoAttacks), nil
		case "none":
		default:
			if !slices.Contains(demoAttacks, a) {
				return nil, fmt.Errorf("unknown attack %q: want %s, all or none", a, strings.Join(demoAttacks, ", "))
			}
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	// Run them in the story's order, whatever order they were named in.
	slices.SortFunc(out, func(a, b string) int {
		return slices.Index(demoAttacks, a) - slices.Index(demoAttacks, b)
	})
	return out, nil
}

// runDemo tells the seed's story live on 127.0.0.1 and writes it to w. It
// returns an error when something did not happen as the story says it
// must, so a broken stack cannot pass for a working one.
func runDemo(w io.Writer, opts demoOptions) error {
	if opts.Version == 0 {
		opts.Version = tls.VersionTLS13
	}
	if opts.Lang == "" {
		opts.Lang = "en"
	}
	if opts.Attacks == nil {
		opts.Attacks = slices.Clone(demoAttacks)
	}
	if opts.RSA && opts.Version != tls.VersionTLS12 {
		return errors.New("RSA key transport exists only in TLS 1.2")
	}
	if opts.ECH && opts.Version != tls.VersionTLS13 {
		return errors.New("Encrypted Client Hello exists only in TLS 1.3")
	}
	s, err := tellStory(opts)
	if err != nil {
		return err
	}
	if opts.JSON {
		err = writeJSON(w, s)
	} else {
		err = narrate(w, s, catalogFor(opts.Lang))
	}
	if err != nil {
		return err
	}
	return s.failures()
}

// failures reports the attacks that were not stopped as they must be.
func (s *story) failures() error {
	var failed []string
	for _, a := range s.attacks {
		if !a.stopped {
			failed = append(failed, fmt.Sprintf("attack %s was not stopped as it must be: %v", a.name, a.problem))
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

// story is everything the demo saw, gathered before it is told.
type story struct {
	opts    demoOptions
	start   time.Time
	elapsed time.Duration

	// caCert is the demo CA's certificate, which the client trusts
	// (roots) and the server's certificate chains to.
	caCert *x509.Certificate
	roots  *x509.CertPool
	cert   tls.Certificate
	// ech is the ECH key and what the ends said of it, with --ech.
	ech *demoECH
	// checked is when the demo re-did the client's certificate checks.
	checked time.Time

	// The main connection.
	o       *outcome
	cs      tls.ConnectionState
	recs    []*tapRecord
	target  *tapRecord // the request record
	reply   *tapRecord // the first response record
	dec     *decoded
	keyLog  []keyLogEntry
	checks  []certCheck
	attacks []*attack
	// certEvent is the server's Certificate event on the main
	// connection; certComp what step 3 says of that message
	// (demo_certcomp.go).
	certEvent *certSent
	certComp  certCompression
}

// certCheck is one check of the server's certificate, re-done by the demo
// beside the client's own (which must have passed for the story to go on).
type certCheck struct {
	id string // chain, dates, name, usage, key
	ok bool
	// detail says in few words what was checked: a text of the
	// catalogs, with its arguments.
	detail msg
	args   []any
}

// in says what c checked, in the words of a catalog.
func (c certCheck) in(cat *catalog) string { return cat.f(c.detail, c.args...) }

// attack is one attack and what came of it.
type attack struct {
	name    string
	stopped bool   // the expected outcome happened
	alert   string // the alert that ended it, such as "bad_record_mac"
	problem error  // why it does not count as stopped
	o       *outcome

	// tamper and replay
	target         *tapRecord
	offset         int
	before, after  byte
	explicitNonce  int
	servedOriginal string // replay: the request line served from copy 1
	// impostor
	fake     *x509.Certificate
	relayErr error
	stolen   []byte
	// downgrade
	helloBefore, helloAfter *wire.ClientHello
	lenBefore, lenAfter     int
	serverRandom            []byte
	sentinel                bool
	// replay0rtt
	z *zeroRTT
}

// tellStory runs the main connection and the attacks.
func tellStory(opts demoOptions) (*story, error) {
	s := &story{opts: opts, start: time.Now()}
	// Seed step 2 happens first in reality: the server needs a certificate
	// before anyone connects. It is narrated second, as the seed does.
	ca, err := newDemoCA("Lucid Demo CA", s.start)
	if err != nil {
		return nil, fmt.Errorf("making the demo CA: %w", err)
	}
	s.caCert, s.roots = ca.Certificate(), ca.RootPool()
	s.cert, err = issueDemoServer(ca, s.keyType(), s.start)
	if err != nil {
		return nil, fmt.Errorf("issuing the server certificate: %w", err)
	}
	if opts.ECH {
		s.ech, err = newDemoECH(func(names []string) (tls.Certificate, error) {
			return issueDemoCert(ca, names, s.keyType(), s.start)
		})
		if err != nil {
			return nil, fmt.Errorf("making the ECH key: %w", err)
		}
	}

	kl := &keyLog{tee: opts.keyLog}
	server, client := s.serverConfig(s.cert, opts.Version), s.clientConfig(kl, opts.Version)
	var jl *trace.JSONLines
	if opts.traceJSON != nil {
		jl = trace.NewJSONLines(opts.traceJSON)
		server.Observer, client.Observer = jl.For("server"), jl.For("client")
	}
	if s.ech != nil {
		server.Observer = both(server.Observer, s.ech.observe(true))
		client.Observer = both(client.Observer, s.ech.observe(false))
	}
	server.Observer = both(server.Observer, s.observeCertificate())
	o, err := runScenario(scenario{server: server, client: client, mode: tapForward})
	if err != nil {
		return nil, err
	}
	if jl != nil && jl.Err() != nil {
		return nil, fmt.Errorf("writing the trace: %w", jl.Err())
	}
	switch {
	case o.clientErr != nil:
		return nil, fmt.Errorf("the demo's connection failed: %w", o.clientErr)
	case o.serverErr != nil:
		return nil, fmt.Errorf("the demo's server failed: %w", o.serverErr)
	case o.exchangeErr != nil:
		return nil, fmt.Errorf("the demo's HTTP exchange failed: %w", o.exchangeErr)
	case !o.sameKeys:
		return nil, errors.New("client and server exported different keying material")
	}
	s.o, s.cs = o, o.client
	if s.ech != nil {
		s.ech.accepted = s.cs.ECHAccepted
	}
	if s.cs.Version != opts.Version {
		return nil, fmt.Errorf("the connection negotiated %s, not %s", tls.VersionName(s.cs.Version), tls.VersionName(opts.Version))
	}
	if opts.RSA && s.cs.CipherSuite != tls.TLS_RSA_WITH_AES_128_GCM_SHA256 {
		return nil, fmt.Errorf("the connection negotiated %s, not RSA key transport", tls.CipherSuiteName(s.cs.CipherSuite))
	}
	if len(s.cs.PeerCertificates) == 0 || len(s.cs.VerifiedChains) == 0 {
		return nil, errors.New("the client reports no verified certificate chain")
	}
	s.recs, s.target = o.tap.snapshot()
	s.keyLog = kl.all()
	s.checked = time.Now()
	if err := s.examine(); err != nil {
		return nil, err
	}
	if s.ech != nil {
		if err := s.checkECH(); err != nil {
			return nil, fmt.Errorf("ECH: %w", err)
		}
	}

	for _, name := range opts.Attacks {
		var a *attack
		var err error
		switch name {
		case "tamper":
			a, err = s.tamper()
		case "replay":
			a, err = s.replay()
		case "impostor":
			a, err = s.impostor()
		case "downgrade":
			a, err = s.downgrade()
		case "replay0rtt":
			a, err = s.replay0rtt()
		}
		if err != nil {
			return nil, fmt.Errorf("attack %s: %w", name, err)
		}
		s.attacks = append(s.attacks, a)
	}
	s.elapsed = time.Since(s.start)
	return s, nil
}

// examine decodes the main connection's capture with its key log, as
// Wireshark would, finds the request and the response in it, and re-does
// the client's certificate checks. It reads only what the capture, the
// key log and the two ends recorded, so a recorded story can be examined
// again (the demo's golden tests do).
func (s *story) examine() error {
	if s.target == nil {
		return errors.New("the wiretap did not see the request record")
	}
	if len(s.keyLog) == 0 {
		return errors.New("the key log received no secrets")
	}
	var opener *echOpener
	if s.ech != nil {
		var err error
		if opener, err = newECHOpener(s.ech.key); err != nil {
			return fmt.Errorf("the ECH key: %w", err)
		}
	}
	s.dec = decodeCapture(s.recs, s.keyLog, opener)
	if err := s.dec.verifyProblems(); err != nil {
		return fmt.Errorf("decoding the capture with the key log: %w", err)
	}
	if got := s.dec.records[s.target.n]; got == nil || !bytes.Equal(got.plain, s.o.request) {
		return errors.New("the request record, decrypted with the logged keys, is not what the server read")
	}
	for _, r := range s.recs {
		if !r.fromClient && r.n > s.target.n && s.dec.records[r.n].plain != nil {
			s.reply = r
			break
		}
	}
	if s.reply == nil {
		return errors.New("the wiretap did not see the response record")
	}
	var err error
	if s.certComp, err = s.certCompression(); err != nil {
		return fmt.Errorf("the certificate message: %w", err)
	}
	s.checks = s.certChecks()
	for _, c := range s.checks {
		if !c.ok {
			return fmt.Errorf("the demo's own check %q of the certificate failed: %s", c.id, c.in(enCatalog))
		}
	}
	return nil
}

// keyType is the server key's type: ECDSA P-256, which signs (TLS 1.3,
// ECDHE_ECDSA), or for RSA key transport an RSA key, which also decrypts.
func (s *story) keyType() pki.KeyType {
	if s.opts.RSA {
		return pki.RSA2048
	}
	return pki.ECDSAP256
}

// suites names the RSA key transport suite when asked for; otherwise
// the defaults (ECDHE, AEAD) stand.
func (s *story) suites() []uint16 {
	if s.opts.RSA {
		return []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
	}
	return nil
}

// serverConfig is the server's configuration; max caps its version (zero:
// TLS 1.3).
func (s *story) serverConfig(cert tls.Certificate, max uint16) *tls.Config {
	c := &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
		MaxVersion:   max,
		CipherSuites: s.suites(),
	}
	if s.ech != nil {
		// The public name's certificate serves hellos the server cannot
		// open, picked by their server name.
		c.Certificates = append(c.Certificates, s.ech.publicCert)
		c.EncryptedClientHelloKeys = []tls.EncryptedClientHelloKey{s.ech.key}
	}
	return c
}

// clientConfig is the client's: it trusts the demo CA and no other.
func (s *story) clientConfig(kl io.Writer, max uint16) *tls.Config {
	c := &tls.Config{
		RootCAs:      s.roots,
		ServerName:   demoHost,
		NextProtos:   []string{"http/1.1"},
		KeyLogWriter: kl,
		MaxVersion:   max,
		CipherSuites: s.suites(),
	}
	if s.ech != nil {
		c.EncryptedClientHelloConfigList = s.ech.list
	}
	return c
}

// both returns an observer that passes each event to a and b, either of
// which may be nil.
func both(a, b func(tls.Event)) func(tls.Event) {
	if a == nil {
		return b
	}
	return func(e tls.Event) { a(e); b(e) }
}

// certChecks re-does, step by step, what the client checked.
func (s *story) certChecks() []certCheck {
	leaf := s.cs.PeerCertificates[0]
	chain := s.cs.VerifiedChains[0]
	var names []string
	for _, c := range chain {
		names = append(names, c.Subject.CommonName)
	}
	root := chain[len(chain)-1]
	sigErr := leaf.CheckSignatureFrom(s.caCert)
	now := s.checked
	usage := slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	usageDetail := msgUsageSignDetail
	if s.opts.RSA {
		usage = usage && leaf.KeyUsage&x509.KeyUsageKeyEncipherment != 0
		usageDetail = msgUsageRSADetail
	} else {
		usage = usage && leaf.KeyUsage&x509.KeyUsageDigitalSignature != 0
	}
	checks := []certCheck{
		{"chain", sigErr == nil && root.Equal(s.caCert), msgChainDetail,
			[]any{strings.Join(names, " <- "), leaf.SignatureAlgorithm}},
		{"dates", !now.Before(leaf.NotBefore) && !now.After(leaf.NotAfter), msgDatesDetail,
			[]any{fmtTime(now), fmtTime(leaf.NotBefore), fmtTime(leaf.NotAfter)}},
		{"name", pki.MatchesHost(leaf, demoHost), msgNameDetail, []any{demoHost, certNames(leaf)}},
		{"usage", usage, usageDetail, nil},
	}
	if sig := s.dec.sig; sig != nil {
		checks = append(checks, certCheck{"key", sig.err == nil, msgKeySigDetail,
			[]any{sig.message, sig.scheme, sig.sigLen}})
	} else {
		checks = append(checks, certCheck{"key", len(s.dec.encPreMaster) > 0 && s.dec.finished[len(s.dec.finished)-1].ok(),
			msgKeyRSADetail, nil})
	}
	return checks
}

// ---- the attacks ----

func (s *story) tamper() (*attack, error) {
	o, err := runScenario(scenario{
		server: s.serverConfig(s.cert, s.opts.Version),
		client: s.clientConfig(nil, s.opts.Version),
		mode:   tapFlipBit,
	})
	if err != nil {
		return nil, err
	}
	a := &attack{name: "tamper", o: o}
	a.alert = alertName(o.serverErr)
	o.tap.mu.Lock()
	a.target, a.offset, a.explicitNonce = o.tap.target, o.tap.flipOffset, o.tap.explicitNonceLen()
	o.tap.mu.Unlock()
	switch {
	case o.clientErr != nil:
		a.problem = fmt.Errorf("the handshake failed: %w", o.clientErr)
	case a.target == nil:
		a.problem = errors.New("the wiretap did not see the request record")
	case !hasAlert(o.serverErr, tls.AlertBadRecordMAC):
		a.problem = fmt.Errorf("the server should fail with bad_record_mac, got: %v", o.serverErr)
	case len(o.request) > 0:
		a.problem = fmt.Errorf("the server read %d bytes of the altered request", len(o.request))
	case !hasAlert(o.exchangeErr, tls.AlertBadRecordMAC):
		a.problem = fmt.Errorf("the client should hear the server's bad_record_mac, got: %v", o.exchangeErr)
	default:
		a.stopped = true
	}
	if a.target != nil && a.offset < len(a.target.raw) {
		a.before = a.target.raw[a.offset]
		a.after = a.before ^ 1
	}
	return a, nil
}

func (s *story) replay() (*attack, error) {
	o, err := runScenario(scenario{
		server: s.serverConfig(s.cert, s.opts.Version),
		client: s.clientConfig(nil, s.opts.Version),
		mode:   tapReplay,
	})
	if err != nil {
		return nil, err
	}
	a := &attack{name: "replay", o: o}
	a.alert = alertName(o.serverAfter)
	a.target = o.tap.targetRecord()
	a.servedOriginal = firstLine(o.request)
	switch {
	case o.clientErr != nil || o.serverErr != nil:
		a.problem = fmt.Errorf("the first copy should be served: client %v, server %v", o.clientErr, o.serverErr)
	case !hasAlert(o.serverAfter, tls.AlertBadRecordMAC):
		a.problem = fmt.Errorf("the copy should fail with bad_record_mac, got: %v", o.serverAfter)
	default:
		a.stopped = true
	}
	return a, nil
}

func (s *story) impostor() (*attack, error) {
	evil, err := newDemoCA("Impostor CA", s.start)
	if err != nil {
		return nil, fmt.Errorf("making the impostor CA: %w", err)
	}
	names := []string{demoHost, "127.0.0.1"}
	if s.ech != nil {
		// Without the server's ECH key the impostor cannot open the
		// inner hello; it can only answer the outer one, as the public
		// name. Its certificate names that too, so that only its issuer
		// gives it away.
		names = append(names, demoPublicName)
	}
	evilCert, err := issueDemoCert(evil, names, s.keyType(), s.start)
	if err != nil {
		return nil, fmt.Errorf("issuing the impostor certificate: %w", err)
	}
	fake := s.serverConfig(evilCert, s.opts.Version)
	fake.Certificates, fake.EncryptedClientHelloKeys = fake.Certificates[:1], nil
	o, err := runScenario(scenario{
		server:      s.serverConfig(s.cert, s.opts.Version),
		client:      s.clientConfig(nil, s.opts.Version),
		mode:        tapImpostor,
		impostor:    fake,
		upstreamTLS: s.clientConfig(nil, s.opts.Version),
	})
	if err != nil {
		return nil, err
	}
	a := &attack{name: "impostor", o: o}
	a.alert = alertName(o.clientErr)
	o.tap.mu.Lock()
	a.relayErr, a.stolen = o.tap.impostorErr, o.tap.stolen
	o.tap.mu.Unlock()
	var cve *tls.CertificateVerificationError
	switch {
	case o.clientErr == nil:
		a.problem = errors.New("the client accepted the impostor's certificate")
	case !errors.As(o.clientErr, &cve) || len(cve.UnverifiedCertificates) == 0:
		a.problem = fmt.Errorf("expected a certificate verification error, got: %v", o.clientErr)
	case !hasAlert(o.clientErr, tls.AlertUnknownCA):
		a.problem = fmt.Errorf("expected unknown_ca, got: %v", o.clientErr)
	case len(a.stolen) > 0:
		a.problem = fmt.Errorf("the relay read %d bytes of plaintext", len(a.stolen))
	default:
		a.stopped = true
		a.fake = cve.UnverifiedCertificates[0]
	}
	return a, nil
}

func (s *story) downgrade() (*attack, error) {
	// Both ends may speak TLS 1.3 here, whatever --tls says: a downgrade
	// is an attack on two ends that could have done better.
	// With --ech the client offers TLS 1.3 alone (RFC 9849 needs it), so
	// there is nothing to downgrade to: this attack goes without ECH.
	client := s.clientConfig(nil, 0)
	client.EncryptedClientHelloConfigList = nil
	o, err := runScenario(scenario{
		server: s.serverConfig(s.cert, 0),
		client: client,
		mode:   tapDowngrade,
	})
	if err != nil {
		return nil, err
	}
	a := &attack{name: "downgrade", o: o}
	a.alert = alertName(o.clientErr)
	t := o.tap
	t.mu.Lock()
	a.helloBefore, a.helloAfter, a.lenBefore, a.lenAfter = t.helloBefore, t.helloAfter, t.lenBefore, t.lenAfter
	rewriteErr := t.rewriteErr
	if t.serverHello != nil {
		a.serverRandom = bytes.Clone(t.serverHello.Random[:])
	}
	t.mu.Unlock()
	a.sentinel = len(a.serverRandom) == 32 && string(a.serverRandom[24:]) == "DOWNGRD\x01"
	switch {
	case rewriteErr != nil:
		a.problem = fmt.Errorf("the wiretap could not rewrite the ClientHello: %w", rewriteErr)
	case o.clientErr == nil:
		a.problem = errors.New("the client completed a downgraded handshake")
	case !a.sentinel:
		a.problem = fmt.Errorf("the ServerHello.random did not end with the sentinel: %x", a.serverRandom)
	case !hasAlert(o.clientErr, tls.AlertIllegalParameter) || !strings.Contains(o.clientErr.Error(), "downgrade"):
		a.problem = fmt.Errorf("the client should abort with illegal_parameter naming the downgrade, got: %v", o.clientErr)
	default:
		a.stopped = true
	}
	return a, nil
}

// ---- one connection: client -> wiretap -> server ----

// scenario is one connection of the demo.
type scenario struct {
	server, client *tls.Config
	mode           tapMode
	// impostor and upstreamTLS are the relay's own configurations, for
	// tapImpostor.
	impostor, upstreamTLS *tls.Config
}

// outcome is what each party of a scenario saw.
type outcome struct {
	serverAddr, tapAddr string
	tap                 *wiretap

	client      tls.ConnectionState
	clientErr   error  // the client's handshake
	exchangeErr error  // writing the request or reading the response
	response    []byte // the plaintext the client read

	serverErr   error  // the server's handshake or request read
	request     []byte // the plaintext the server read
	serverAfter error  // the server's read after answering (replay)
	sameKeys    bool   // client and server exported the same value
}

// runScenario runs one connection through a fresh wiretap. Its error is for
// setup failures; what happened on the connection is in the outcome.
func runScenario(sc scenario) (*outcome, error) {
	ln, err := tls.Listen("tcp", "127.0.0.1:0", sc.server)
	if err != nil {
		return nil, fmt.Errorf("starting the server: %w", err)
	}
	defer ln.Close()
	tap, err := startWiretap(ln.Addr().String(), sc.mode)
	if err != nil {
		return nil, fmt.Errorf("starting the wiretap: %w", err)
	}
	tap.impostor, tap.upstreamTLS = sc.impostor, sc.upstreamTLS
	tap.run()
	defer tap.close()
	o := &outcome{serverAddr: ln.Addr().String(), tapAddr: tap.addr(), tap: tap}

	hsDone := make(chan error, 1)
	srvDone := make(chan serverResult, 1)
	go func() { srvDone <- serveOne(ln, sc.mode, hsDone) }()

	raw, err := net.DialTimeout("tcp", tap.addr(), demoTimeout)
	if err != nil {
		ln.Close()
		<-srvDone
		return nil, fmt.Errorf("connecting to the wiretap: %w", err)
	}
	tc := tls.Client(raw, sc.client)
	tc.SetDeadline(time.Now().Add(demoTimeout))
	var clientExport []byte
	o.clientErr = tc.Handshake()
	if o.clientErr == nil {
		o.client = tc.ConnectionState()
		clientExport, _ = o.client.ExportKeyingMaterial(exporterLabel, nil, 32)
		// Once the server has the client's Finished, the wiretap has
		// passed it on: the client's next record is the request.
		if <-hsDone == nil {
			tap.arm()
			o.response, o.exchangeErr = clientExchange(tc)
		}
	}
	tc.Close()
	ln.Close()
	sr := <-srvDone
	o.serverErr, o.request, o.serverAfter = sr.err, sr.request, sr.after
	o.sameKeys = clientExport != nil && bytes.Equal(clientExport, sr.export)
	tap.close()
	return o, nil
}

type serverResult struct {
	err     error
	request []byte
	after   error
	export  []byte
}

// serveOne accepts one connection and answers one HTTP request on it. For
// the replay scenario it then reads on, as a keep-alive server would.
func serveOne(ln net.Listener, mode tapMode, hsDone chan<- error) (r serverResult) {
	c, err := ln.Accept()
	if err != nil {
		hsDone <- err
		return serverResult{err: err}
	}
	tc := c.(*tls.Conn)
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(demoTimeout))
	err = tc.Handshake()
	hsDone <- err
	if err != nil {
		return serverResult{err: err}
	}
	st := tc.ConnectionState()
	r.export, _ = st.ExportKeyingMaterial(exporterLabel, nil, 32)

	var raw bytes.Buffer
	req, err := http.ReadRequest(bufio.NewReader(io.TeeReader(tc, &raw)))
	r.request = raw.Bytes()
	if err != nil {
		r.err = err
		return r
	}
	body := fmt.Sprintf("Hello from Lucid: you asked for %s over %s.\n", req.URL.Path, tls.VersionName(st.Version))
	resp := "HTTP/1.1 200 OK\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n", len(body)) +
		"Connection: close\r\n\r\n" + body
	if _, err := io.WriteString(tc, resp); err != nil {
		r.err = err
		return r
	}
	if mode == tapReplay {
		_, r.after = tc.Read(make([]byte, 1))
	}
	return r
}

// clientExchange sends the request and reads the whole response, returning
// the bytes the client read.
func clientExchange(tc *tls.Conn) ([]byte, error) {
	if _, err := io.WriteString(tc, demoRequest); err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	resp, err := http.ReadResponse(bufio.NewReader(io.TeeReader(tc, &raw)), nil)
	if err != nil {
		return raw.Bytes(), err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return raw.Bytes(), err
}

// hasAlert reports whether err carries the alert a.
func hasAlert(err error, a tls.AlertError) bool {
	var got tls.AlertError
	return errors.As(err, &got) && got == a
}

// alertName is the name of the alert err carries, such as
// "bad_record_mac", or "" if none.
func alertName(err error) string {
	var a tls.AlertError
	if !errors.As(err, &a) {
		return ""
	}
	return strings.TrimPrefix(a.Error(), "tls: ")
}
