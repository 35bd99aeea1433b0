package main

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// exitUnimplemented is the status the BoGo runner reads as "this shim
// cannot run the test": an unknown flag, or a known one whose request Lucid
// has no way to honour.
const exitUnimplemented = 89

// unimplementedError marks a request the shim recognises but cannot carry
// out; main turns it into exit status 89.
type unimplementedError struct{ why string }

func (e *unimplementedError) Error() string { return "unimplemented: " + e.why }

func unimplemented(format string, args ...any) error {
	return &unimplementedError{why: fmt.Sprintf(format, args...)}
}

// settings is everything one connection of a test is asked to do. The
// runner's flags fill one settings value per role: the first connection,
// the resumptions, and what follows a rejection of the client's early data.
type settings struct {
	port            int
	shimID          uint64
	ipv6            bool
	handshakerProbe bool
	resumeCount     int

	server    bool
	trustCert string
	// defaultCred is BoringSSL's legacy credential, set by the credential
	// flags before any -new-x509-credential; creds are the ones each
	// -new-x509-credential starts, in preference order. The default one
	// comes last when choosing.
	defaultCred credential
	creds       []credential
	// expectSelectedCred is the index in creds of the credential the
	// handshake must use, -1 for the default one or none; meaningful when
	// checkSelectedCred is set.
	expectSelectedCred int
	checkSelectedCred  bool
	verifyPrefs        []int
	cipher             string

	// Peer certificate verification, as BoringSSL's verify callback sees
	// it: -verify-fail makes the callback reject the chain.
	verifyFail         bool
	expectVerifyResult bool
	reverifyOnResume   bool
	// customVerify is -use-custom-verify-callback, which changes the
	// alert a rejection sends.
	customVerify       bool
	expectPeerCertFile string

	minVersion, maxVersion int
	noTLS12, noTLS13       bool
	expectVersion          int

	curves           []int
	expectCurveID    int
	expectCipher     int
	expectPeerSigAlg int

	requireAnyClientCert bool
	verifyPeer           bool
	// What BoringSSL's certificate callback checks: the peer's
	// signature_algorithms (of a ClientHello on a server, of a
	// CertificateRequest on a client) and, on a client, the request's
	// certificate types and authorities (DER names in hex, separated by
	// commas).
	expectPeerVerifyPrefs  []int
	expectCertificateTypes []byte
	expectClientCAList     string
	// useClientCAList is the authorities a server names in its
	// CertificateRequest, in the same form, or "<NULL>" or "<EMPTY>".
	useClientCAList string
	// Callbacks asked to fail, or, for the early callback, to install
	// the server's certificate.
	failCertCallback  bool
	failEarlyCallback bool
	useEarlyCallback  bool

	expectSessionMiss bool
	noTicket          bool
	// BoringSSL's shim checks, after a TLS 1.2 client handshake, that a
	// new session reached its cache exactly when expected: after a full
	// handshake, unless -expect-no-session, and after a resumption only
	// with -expect-ticket-renewal. -expect-session-id and
	// -expect-no-session-id ask a server whether its first handshake
	// cached the session under a session ID.
	expectNoSession     bool
	expectTicketRenewal bool
	expectSessionID     bool
	expectNoSessionID   bool

	// OCSP stapling and certificate transparency. Lucid's client always
	// asks for both, so enableSCT changes nothing and enableOCSP only
	// decides whether BoringSSL's client OCSP callback runs. expectOCSP and expectSCTList are what
	// the server must have sent, empty for no check.
	enableOCSP    bool
	enableSCT     bool
	expectOCSP    []byte
	expectSCTList []byte
	// The legacy OCSP callback (SSL_CTX_set_tlsext_status_cb): on a
	// client it can fail the handshake; on a server it may set the
	// default credential's staple, decline stapling, or fail.
	useOCSPCallback     bool
	setOCSPInCallback   bool
	declineOCSPCallback bool
	failOCSPCallback    bool

	shimWritesFirst  bool
	shimShutsDown    bool
	checkCloseNotify bool
	keyUpdate        bool

	// 0-RTT: -enable-early-data and what the connection must show.
	enableEarlyData               bool
	expectAcceptEarlyData         bool
	expectRejectEarlyData         bool
	expectEarlyDataReason         string
	expectTicketSupportsEarlyData bool
	expectNoOfferEarlyData        bool

	hostName         string
	expectServerName string

	advertiseALPN        string
	expectALPN           string
	expectAdvertisedALPN string
	selectALPN           string
	declineALPN          bool
	rejectALPN           bool

	expectHRR   bool
	expectNoHRR bool
	expectEMS   bool

	// Encrypted Client Hello (ech.go). A client encrypts its hello to
	// echConfigList and sends GREASE ECH without one only under
	// enableECHGrease; a server holds one key per echServerConfigs entry,
	// with the private key and retry flag at the same index of the other
	// two lists.
	echConfigList           []byte
	enableECHGrease         bool
	echServerConfigs        [][]byte
	echServerKeys           [][]byte
	echIsRetryConfig        []int
	expectECHAccept         bool
	expectECHRetryConfigs   []byte
	expectNoECHRetryConfigs bool
	// The name BoringSSL's verify callback checks the server's chain
	// against in place of the hello's, set when ECH was rejected.
	expectECHNameOverride   string
	expectNoECHNameOverride bool

	exportLen        int
	exportLabel      string
	exportContext    string
	useExportContext bool

	maxSendFragment int
	// The runner's toy certificate compression algorithms (certcomp.go):
	// all of them, or the one named.
	installCertCompAlgs   bool
	installOneCertCompAlg int
	readSize              int
	// resumptionDelay advances the shim's clock by that many seconds after
	// this connection, for the ones that follow.
	resumptionDelay int

	async             bool
	implicitHandshake bool
	// An explicit handshake is followed by another call, which must
	// succeed (-handshake-twice) or, moreover, do no I/O
	// (-no-op-extra-handshake).
	handshakeTwice     bool
	noOpExtraHandshake bool

	// declined is the reason a flag the shim cannot honour gave, if any.
	declined string
}

// credential is one certificate chain and key with what goes with them,
// as BoringSSL's SSL_CREDENTIAL holds.
type credential struct {
	certFile, keyFile string
	ocspResponse      []byte
	sctList           []byte
	signingPrefs      []int
	// mustMatchIssuer makes the credential usable only when the peer
	// named, among the authorities it accepts, an issuer in its chain.
	mustMatchIssuer bool
}

// current is the credential that credential flags apply to: the last one
// -new-x509-credential started, or the default one before any.
func (s *settings) current() *credential {
	if len(s.creds) > 0 {
		return &s.creds[len(s.creds)-1]
	}
	return &s.defaultCred
}

// flagKind says how a flag takes its value.
type flagKind int

const (
	boolFlag    flagKind = iota // no value
	stringFlag                  // one argument, verbatim
	intFlag                     // one decimal argument
	intListFlag                 // one decimal argument, appended on each use
	base64Flag                  // one base64 argument
)

// flagSpec ties a runner flag to the settings field it fills. For list
// flags the setter appends; for the others it overwrites.
type flagSpec struct {
	kind flagKind
	set  func(s *settings, v flagValue)
}

// flagValue carries a parsed argument; only the member for the flag's kind
// is meaningful.
type flagValue struct {
	b   bool
	s   string
	n   int
	raw []byte
}

func onBool(f func(*settings) *bool) flagSpec {
	return flagSpec{boolFlag, func(s *settings, v flagValue) { *f(s) = true }}
}
func onString(f func(*settings) *string) flagSpec {
	return flagSpec{stringFlag, func(s *settings, v flagValue) { *f(s) = v.s }}
}
func onInt(f func(*settings) *int) flagSpec {
	return flagSpec{intFlag, func(s *settings, v flagValue) { *f(s) = v.n }}
}
func onIntList(f func(*settings) *[]int) flagSpec {
	return flagSpec{intListFlag, func(s *settings, v flagValue) { *f(s) = append(*f(s), v.n) }}
}

func onBytes(f func(*settings) *[]byte) flagSpec {
	return flagSpec{base64Flag, func(s *settings, v flagValue) { *f(s) = v.raw }}
}

func onBytesList(f func(*settings) *[][]byte) flagSpec {
	return flagSpec{base64Flag, func(s *settings, v flagValue) { *f(s) = append(*f(s), v.raw) }}
}

func onCredString(f func(*credential) *string) flagSpec {
	return flagSpec{stringFlag, func(s *settings, v flagValue) { *f(s.current()) = v.s }}
}
func onCredBytes(f func(*credential) *[]byte) flagSpec {
	return flagSpec{base64Flag, func(s *settings, v flagValue) { *f(s.current()) = v.raw }}
}
func onCredIntList(f func(*credential) *[]int) flagSpec {
	return flagSpec{intListFlag, func(s *settings, v flagValue) { l := f(s.current()); *l = append(*l, v.n) }}
}

// ignored accepts a boolean flag that asks for something Lucid always does
// or never does, so honouring it needs no action: -no-tls1 on a stack
// without TLS 1.0, for instance.
func ignored() flagSpec { return flagSpec{boolFlag, func(*settings, flagValue) {}} }

// declined is a flag whose request Lucid cannot honour: it makes the test
// unimplemented, with why as the reason in place of "unknown flag".
func declined(kind flagKind, why string) flagSpec {
	return flagSpec{kind, func(s *settings, v flagValue) { s.declined = why }}
}

// knownFlags is every flag the shim understands. Anything else makes it
// exit 89, as PORTING.md asks.
var knownFlags = map[string]flagSpec{
	// Plumbing.
	"-port":                    onInt(func(s *settings) *int { return &s.port }),
	"-shim-id":                 {stringFlag, func(s *settings, v flagValue) { s.shimID, _ = strconv.ParseUint(v.s, 10, 64) }},
	"-ipv6":                    onBool(func(s *settings) *bool { return &s.ipv6 }),
	"-is-handshaker-supported": onBool(func(s *settings) *bool { return &s.handshakerProbe }),
	"-resume-count":            onInt(func(s *settings) *int { return &s.resumeCount }),

	// Role and credentials. The credential flags act on the credential
	// the last -new-x509-credential started, or on the default one before
	// any (test_config.cc's CredentialFlagWithDefault). Delegated and
	// PAKE credentials, and -trust-anchor-id, stay unknown: Lucid has
	// neither.
	"-server":                 onBool(func(s *settings) *bool { return &s.server }),
	"-new-x509-credential":    {boolFlag, func(s *settings, v flagValue) { s.creds = append(s.creds, credential{}) }},
	"-cert-file":              onCredString(func(c *credential) *string { return &c.certFile }),
	"-key-file":               onCredString(func(c *credential) *string { return &c.keyFile }),
	"-ocsp-response":          onCredBytes(func(c *credential) *[]byte { return &c.ocspResponse }),
	"-signed-cert-timestamps": onCredBytes(func(c *credential) *[]byte { return &c.sctList }),
	"-signing-prefs":          onCredIntList(func(c *credential) *[]int { return &c.signingPrefs }),
	"-must-match-issuer":      {boolFlag, func(s *settings, v flagValue) { s.current().mustMatchIssuer = true }},
	"-expect-selected-credential": {intFlag, func(s *settings, v flagValue) {
		s.expectSelectedCred, s.checkSelectedCred = v.n, true
	}},
	"-trust-cert":   onString(func(s *settings) *string { return &s.trustCert }),
	"-verify-prefs": onIntList(func(s *settings) *[]int { return &s.verifyPrefs }),

	// Verification. The custom callback differs from the default one
	// only in the alert a rejection sends; the old client certificate
	// callback installs the same certificate as the normal path.
	"-verify-fail":                  onBool(func(s *settings) *bool { return &s.verifyFail }),
	"-expect-verify-result":         onBool(func(s *settings) *bool { return &s.expectVerifyResult }),
	"-use-custom-verify-callback":   onBool(func(s *settings) *bool { return &s.customVerify }),
	"-use-old-client-cert-callback": ignored(),
	"-reverify-on-resume":           onBool(func(s *settings) *bool { return &s.reverifyOnResume }),
	"-expect-peer-cert-file":        onString(func(s *settings) *string { return &s.expectPeerCertFile }),

	// Versions. Lucid has neither SSL 3 nor TLS 1.0/1.1, so turning them
	// off changes nothing.
	"-min-version":    onInt(func(s *settings) *int { return &s.minVersion }),
	"-max-version":    onInt(func(s *settings) *int { return &s.maxVersion }),
	"-no-tls12":       onBool(func(s *settings) *bool { return &s.noTLS12 }),
	"-no-tls13":       onBool(func(s *settings) *bool { return &s.noTLS13 }),
	"-no-tls1":        ignored(),
	"-no-tls11":       ignored(),
	"-no-ssl3":        ignored(),
	"-expect-version": onInt(func(s *settings) *int { return &s.expectVersion }),

	// Key exchange and signatures. -cipher takes BoringSSL's cipher rule
	// syntax; ciphers.go says which part of it.
	"-cipher":                          onString(func(s *settings) *string { return &s.cipher }),
	"-curves":                          onIntList(func(s *settings) *[]int { return &s.curves }),
	"-expect-curve-id":                 onInt(func(s *settings) *int { return &s.expectCurveID }),
	"-expect-cipher":                   onInt(func(s *settings) *int { return &s.expectCipher }),
	"-expect-peer-signature-algorithm": onInt(func(s *settings) *int { return &s.expectPeerSigAlg }),

	// Client certificates.
	"-require-any-client-certificate": onBool(func(s *settings) *bool { return &s.requireAnyClientCert }),
	"-verify-peer":                    onBool(func(s *settings) *bool { return &s.verifyPeer }),
	"-expect-peer-verify-pref":        onIntList(func(s *settings) *[]int { return &s.expectPeerVerifyPrefs }),
	"-expect-certificate-types":       onBytes(func(s *settings) *[]byte { return &s.expectCertificateTypes }),
	"-expect-client-ca-list":          onString(func(s *settings) *string { return &s.expectClientCAList }),
	"-use-client-ca-list":             onString(func(s *settings) *string { return &s.useClientCAList }),

	// Callbacks (callbacks.go).
	"-fail-cert-callback":  onBool(func(s *settings) *bool { return &s.failCertCallback }),
	"-fail-early-callback": onBool(func(s *settings) *bool { return &s.failEarlyCallback }),
	"-use-early-callback":  onBool(func(s *settings) *bool { return &s.useEarlyCallback }),

	// Resumption. BoringSSL's ticket keys and ticket format are not
	// Lucid's: the tests that pass -ticket-key decrypt and rewrite the
	// shim's tickets, so no mapping of the key would let them run. Lucid
	// does not report the ticket age skew.
	"-expect-session-miss":    onBool(func(s *settings) *bool { return &s.expectSessionMiss }),
	"-no-ticket":              onBool(func(s *settings) *bool { return &s.noTicket }),
	"-resumption-delay":       onInt(func(s *settings) *int { return &s.resumptionDelay }),
	"-expect-no-session":      onBool(func(s *settings) *bool { return &s.expectNoSession }),
	"-expect-ticket-renewal":  onBool(func(s *settings) *bool { return &s.expectTicketRenewal }),
	"-expect-session-id":      onBool(func(s *settings) *bool { return &s.expectSessionID }),
	"-expect-no-session-id":   onBool(func(s *settings) *bool { return &s.expectNoSessionID }),
	"-ticket-key":             declined(base64Flag, "-ticket-key: the runner decrypts and rewrites tickets in BoringSSL's format, which lucid/tls does not use"),
	"-expect-ticket-age-skew": declined(intFlag, "-expect-ticket-age-skew: lucid/tls does not report the ticket age skew"),
	// 0-RTT (earlydata.go). -read-with-unfinished-write leaves a write
	// half-sent on BoringSSL's non-blocking transport while the shim
	// reads; a Lucid Conn is blocking, and its client sends early data
	// right after the ClientHello, never after the server's flight.
	"-enable-early-data":                 onBool(func(s *settings) *bool { return &s.enableEarlyData }),
	"-expect-accept-early-data":          onBool(func(s *settings) *bool { return &s.expectAcceptEarlyData }),
	"-expect-reject-early-data":          onBool(func(s *settings) *bool { return &s.expectRejectEarlyData }),
	"-expect-early-data-reason":          onString(func(s *settings) *string { return &s.expectEarlyDataReason }),
	"-expect-ticket-supports-early-data": onBool(func(s *settings) *bool { return &s.expectTicketSupportsEarlyData }),
	"-expect-no-offer-early-data":        onBool(func(s *settings) *bool { return &s.expectNoOfferEarlyData }),
	"-read-with-unfinished-write":        declined(boolFlag, "-read-with-unfinished-write: a Lucid Conn is blocking, so no write can be left half-sent while the shim reads"),

	// OCSP stapling and certificate transparency.
	"-enable-ocsp-stapling":          onBool(func(s *settings) *bool { return &s.enableOCSP }),
	"-enable-signed-cert-timestamps": onBool(func(s *settings) *bool { return &s.enableSCT }),
	"-expect-ocsp-response":          onBytes(func(s *settings) *[]byte { return &s.expectOCSP }),
	"-expect-signed-cert-timestamps": onBytes(func(s *settings) *[]byte { return &s.expectSCTList }),
	"-use-ocsp-callback":             onBool(func(s *settings) *bool { return &s.useOCSPCallback }),
	"-set-ocsp-in-callback":          onBool(func(s *settings) *bool { return &s.setOCSPInCallback }),
	"-decline-ocsp-callback":         onBool(func(s *settings) *bool { return &s.declineOCSPCallback }),
	"-fail-ocsp-callback":            onBool(func(s *settings) *bool { return &s.failOCSPCallback }),

	// Data flow.
	"-shim-writes-first":  onBool(func(s *settings) *bool { return &s.shimWritesFirst }),
	"-shim-shuts-down":    onBool(func(s *settings) *bool { return &s.shimShutsDown }),
	"-check-close-notify": onBool(func(s *settings) *bool { return &s.checkCloseNotify }),
	"-key-update":         onBool(func(s *settings) *bool { return &s.keyUpdate }),
	"-max-send-fragment":  onInt(func(s *settings) *int { return &s.maxSendFragment }), // Config.MaxFragmentSize
	"-read-size":          onInt(func(s *settings) *int { return &s.readSize }),

	// Certificate compression (certcomp.go).
	"-install-cert-compression-algs":    onBool(func(s *settings) *bool { return &s.installCertCompAlgs }),
	"-install-one-cert-compression-alg": onInt(func(s *settings) *int { return &s.installOneCertCompAlg }),

	// Names.
	"-host-name":          onString(func(s *settings) *string { return &s.hostName }),
	"-expect-server-name": onString(func(s *settings) *string { return &s.expectServerName }),

	// ALPN.
	"-advertise-alpn":         onString(func(s *settings) *string { return &s.advertiseALPN }),
	"-expect-alpn":            onString(func(s *settings) *string { return &s.expectALPN }),
	"-expect-advertised-alpn": onString(func(s *settings) *string { return &s.expectAdvertisedALPN }),
	"-select-alpn":            onString(func(s *settings) *string { return &s.selectALPN }),
	"-decline-alpn":           onBool(func(s *settings) *bool { return &s.declineALPN }),
	"-reject-alpn":            onBool(func(s *settings) *bool { return &s.rejectALPN }),

	// Handshake shape.
	"-expect-hrr":                    onBool(func(s *settings) *bool { return &s.expectHRR }),
	"-expect-no-hrr":                 onBool(func(s *settings) *bool { return &s.expectNoHRR }),
	"-expect-extended-master-secret": onBool(func(s *settings) *bool { return &s.expectEMS }),

	// Encrypted Client Hello (ech.go). -fail-early-callback-ech-rewind
	// has BoringSSL's early callback, once a server has opened the inner
	// hello, tell the handshake to drop it and answer the outer one;
	// Lucid decides on ECH before any callback sees the hello and offers
	// no way back.
	"-ech-config-list":                onBytes(func(s *settings) *[]byte { return &s.echConfigList }),
	"-enable-ech-grease":              onBool(func(s *settings) *bool { return &s.enableECHGrease }),
	"-ech-server-config":              onBytesList(func(s *settings) *[][]byte { return &s.echServerConfigs }),
	"-ech-server-key":                 onBytesList(func(s *settings) *[][]byte { return &s.echServerKeys }),
	"-ech-is-retry-config":            onIntList(func(s *settings) *[]int { return &s.echIsRetryConfig }),
	"-expect-ech-accept":              onBool(func(s *settings) *bool { return &s.expectECHAccept }),
	"-expect-ech-retry-configs":       onBytes(func(s *settings) *[]byte { return &s.expectECHRetryConfigs }),
	"-expect-no-ech-retry-configs":    onBool(func(s *settings) *bool { return &s.expectNoECHRetryConfigs }),
	"-expect-ech-name-override":       onString(func(s *settings) *string { return &s.expectECHNameOverride }),
	"-expect-no-ech-name-override":    onBool(func(s *settings) *bool { return &s.expectNoECHNameOverride }),
	"-fail-early-callback-ech-rewind": declined(boolFlag, "-fail-early-callback-ech-rewind: lucid/tls decides on ECH before its callbacks see the hello and has no way to fall back to the outer hello after accepting the inner one"),

	// Exporters.
	"-export-keying-material": onInt(func(s *settings) *int { return &s.exportLen }),
	"-export-label":           onString(func(s *settings) *string { return &s.exportLabel }),
	"-export-context":         onString(func(s *settings) *string { return &s.exportContext }),
	"-use-export-context":     onBool(func(s *settings) *bool { return &s.useExportContext }),

	// Driving style. -async makes BoringSSL's shim feed bytes one at a
	// time through a non-blocking BIO; Lucid's Conn is blocking-only, so
	// the flag is accepted and has no effect. -implicit-handshake is
	// honoured: no Handshake call, the first Read or Write runs it.
	"-async":                 onBool(func(s *settings) *bool { return &s.async }),
	"-implicit-handshake":    onBool(func(s *settings) *bool { return &s.implicitHandshake }),
	"-handshake-twice":       onBool(func(s *settings) *bool { return &s.handshakeTwice }),
	"-no-op-extra-handshake": onBool(func(s *settings) *bool { return &s.noOpExtraHandshake }),
}

// parsed is the outcome of reading the command line: one settings value for
// each kind of connection.
type parsed struct {
	initial, resume, retry settings
}

// parseArgs reads the runner's arguments. A flag may carry one of the
// prefixes -on-initial, -on-resume or -on-retry to apply to that kind of
// connection only; without one it applies to all three. -on-shim is
// stripped and -on-handshaker flags are parsed and dropped, since this shim
// has no separate handshaker.
func parseArgs(args []string) (*parsed, error) {
	p := &parsed{}
	for i := 0; i < len(args); i++ {
		name := args[i]
		keep := true
		if rest, ok := strings.CutPrefix(name, "-on-shim"); ok {
			name = rest
		} else if rest, ok := strings.CutPrefix(name, "-on-handshaker"); ok {
			name, keep = rest, false
		}
		targets := []*settings{&p.initial, &p.resume, &p.retry}
		for prefix, t := range map[string]*settings{"-on-initial": &p.initial, "-on-resume": &p.resume, "-on-retry": &p.retry} {
			if rest, ok := strings.CutPrefix(name, prefix); ok {
				name, targets = rest, []*settings{t}
				break
			}
		}
		spec, ok := knownFlags[name]
		if !ok {
			return nil, unimplemented("unknown flag %s", args[i])
		}
		var v flagValue
		if spec.kind == boolFlag {
			v.b = true
		} else {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag %s needs a value", name)
			}
			i++
			v.s = args[i]
			switch spec.kind {
			case intFlag, intListFlag:
				n, err := strconv.Atoi(v.s)
				if err != nil {
					return nil, fmt.Errorf("flag %s: %v", name, err)
				}
				v.n = n
			case base64Flag:
				raw, err := base64.StdEncoding.DecodeString(v.s)
				if err != nil {
					return nil, fmt.Errorf("flag %s: %v", name, err)
				}
				v.raw = raw
			}
		}
		if !keep {
			continue
		}
		for _, t := range targets {
			spec.set(t, v)
		}
	}
	for _, t := range []*settings{&p.initial, &p.resume, &p.retry} {
		if t.declined != "" {
			return nil, unimplemented("%s", t.declined)
		}
	}
	return p, nil
}
