package tls

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"io"
	"slices"
	"time"

	"lucid/internal/kex"
	"lucid/internal/signature"
	"lucid/internal/suites"
)

// Certificate is a certificate chain and the private key that goes with its
// leaf, as in crypto/tls.
type Certificate struct {
	// PrivateKey is a crypto.Signer whose public key is an ECDSA, RSA or
	// Ed25519 key: the one in the leaf.
	PrivateKey crypto.PrivateKey
	// Certificate is the chain, leaf first, DER-encoded.
	Certificate [][]byte
	// Leaf is the parsed leaf; X509KeyPair fills it, and a nil Leaf is
	// parsed when needed.
	Leaf *x509.Certificate
	// SupportedSignatureAlgorithms, if set, limits the schemes the key
	// signs with.
	SupportedSignatureAlgorithms []SignatureScheme
	// SignedCertificateTimestamps and OCSPStaple are sent with the leaf
	// to clients that ask for them.
	SignedCertificateTimestamps [][]byte
	OCSPStaple                  []byte
}

// Config configures a client or a server. A Config may be shared by many
// connections and must not be modified once in use.
type Config struct {
	// Rand is the source of the random bytes the handshake uses: randoms,
	// session IDs, key shares, ticket encryption and RSA-PSS salts. nil means
	// crypto/rand. A fixed Rand alone does not make a handshake
	// reproducible: ECDSA signatures and a server's ML-KEM encapsulation
	// still draw from Go's own generator. DeterministicForTesting changes
	// the second.
	Rand io.Reader

	// DeterministicForTesting, with a non-nil Rand, makes a handshake
	// depend on Rand alone (ECDSA signatures aside), so that a fixed Rand
	// repeats it byte for byte: for tests, fuzz corpora and reproducible
	// demos, never for real connections. Its one effect is on a server's
	// X25519MLKEM768 encapsulation, whose randomness then also comes from
	// Rand, through crypto/mlkem/mlkemtest: a package the standard
	// library offers for known-answer tests only. Without it, a custom
	// Rand still supplies every other random byte and ML-KEM uses
	// crypto/mlkem's normal path. It has no effect when Rand is nil. A
	// Lucid addition.
	DeterministicForTesting bool

	// Time returns the current time, for certificate validity. nil means
	// time.Now.
	Time func() time.Time

	// Certificates are the server's chains; the first that suits the
	// client's name and signature schemes is chosen.
	Certificates []Certificate

	// GetCertificate, if set, chooses the server's certificate for each
	// ClientHello, before Certificates is consulted. An error fails the
	// handshake with handshake_failure, or with the AlertError it wraps;
	// the same holds for every callback below, with the default alert it
	// names.
	GetCertificate func(*ClientHelloInfo) (*Certificate, error)

	// RootCAs are the authorities a client trusts; nil means the system's.
	RootCAs *x509.CertPool

	// ChainMemoDisabled makes every full handshake verify the peer's
	// chain signature by signature, as crypto/tls does. By default a
	// Config remembers the chains it verified (64 at most, for 10
	// minutes), and a peer presenting the same certificates, byte for
	// byte, under the same RootCAs or ClientCAs pool is judged by
	// rechecking that chain against the Config of the moment (dates,
	// roots, name, key usages, leaf key, RevocationLists) rather than by
	// checking its signatures again. The peer's CertificateVerify and the
	// callbacks run on every handshake either way. Where the operating
	// system verifies chains itself (macOS, iOS, Windows), the memo is
	// never used, since the system's checks can change from one
	// connection to the next. A Lucid addition.
	ChainMemoDisabled bool

	// ServerName is the name the client expects in the server's
	// certificate and sends as SNI, when it is a host name SNI can carry
	// (RFC 6066 §3: no IP literals; a trailing dot is dropped). Dial
	// fills it from the address.
	ServerName string

	// ClientAuth is the server's policy for client certificates.
	ClientAuth ClientAuthType

	// ClientCAs are the authorities a server accepts client certificates
	// from, in the verifying ClientAuth modes.
	ClientCAs *x509.CertPool

	// GetClientCertificate, if set, chooses the client's certificate when
	// a server asks. Without it the client presents the first of
	// Certificates that suits the request. An error sends internal_error.
	GetClientCertificate func(*CertificateRequestInfo) (*Certificate, error)

	// VerifyConnection, if set, is called after every handshake,
	// resumptions included, with its state, in both roles; an error fails
	// the handshake with bad_certificate.
	VerifyConnection func(ConnectionState) error

	// RevocationLists are CRLs checked against the peer's chain, in both
	// roles: a certificate a list from its issuer revokes is refused with
	// certificate_revoked.
	RevocationLists []*x509.RevocationList

	// InsecureSkipVerify makes a client accept any certificate chain and
	// name. The CertificateVerify signature is still checked, which stops
	// nobody who holds any key: use it only for testing.
	InsecureSkipVerify bool

	// VerifyPeerCertificate, if set, is called after the normal checks
	// with the raw chain and the verified chains; an error sends
	// bad_certificate. It is also called, after the same checks, with
	// the chain a session recorded whenever that session is about to be
	// resumed: by a client before it offers the session, by a server
	// before it accepts it. An error there declines the session, and a
	// full handshake follows.
	VerifyPeerCertificate func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error

	// NextProtos lists the ALPN protocols, most preferred first.
	NextProtos []string

	// MinVersion and MaxVersion bound the versions negotiated; zero
	// means TLS 1.2 and TLS 1.3 respectively.
	MinVersion uint16
	MaxVersion uint16

	// CipherSuites lists the suites to use, in preference order. TLS 1.3
	// suites here replace Lucid's default TLS 1.3 order.
	CipherSuites []uint16

	// CurvePreferences lists key exchange groups, most preferred first.
	CurvePreferences []CurveID

	// SignatureSchemes lists the signature schemes this side offers in
	// signature_algorithms and accepts in the peer's handshake signature
	// (ServerKeyExchange or CertificateVerify), most preferred first. nil
	// means Lucid's defaults. It can only narrow or reorder those
	// defaults: a scheme Lucid does not accept, such as any with SHA-1,
	// is ignored. It does not limit what this side's own key signs with;
	// Certificate.SupportedSignatureAlgorithms does that.
	SignatureSchemes []SignatureScheme

	// KeyLogWriter receives secrets in the NSS key log format, for
	// Wireshark. It breaks the security of every connection it logs.
	KeyLogWriter io.Writer

	// SessionTicketsDisabled turns off session tickets: a server issues
	// none and a client offers none. TLS 1.2 session IDs still work.
	SessionTicketsDisabled bool

	// ClientSessionCache holds sessions a client may resume, keyed by
	// server name; nil disables client-side resumption.
	ClientSessionCache ClientSessionCache

	// PSKWithoutKeyExchange allows TLS 1.3 resumption with psk_ke, which
	// skips the fresh (EC)DHE exchange: faster, but a stolen ticket key
	// then decrypts resumed connections. Off by default; a Lucid addition.
	PSKWithoutKeyExchange bool

	// TicketLifetime bounds how long a server's sessions can be resumed;
	// zero means seven days, the most RFC 8446 §4.6.1 allows. A Lucid
	// addition.
	TicketLifetime time.Duration

	// MaxEarlyData, when positive, lets a server accept up to that many
	// bytes of 0-RTT data from clients that resume a session (RFC 8446
	// §4.2.10): its tickets carry the limit, and a resumption's early
	// data is accepted only under the checks tls/earlydata.go lists, the
	// last of them EarlyDataGuard's. Zero, the default, refuses early
	// data. A Lucid addition; see Conn.InEarlyData.
	MaxEarlyData uint32

	// EarlyDataGuard is the server's record of the ClientHellos whose
	// early data it accepted, which refuses a replay (RFC 8446 §8.2).
	// nil with MaxEarlyData set means an in-memory guard per Config
	// (shared with its clones), made on first use with
	// NewMemoryEarlyDataGuard's defaults: at most 65536 ClientHellos, each
	// for at most 20 seconds, refusing early data when full. Servers that
	// share ticket keys must share a guard. A Lucid addition.
	EarlyDataGuard EarlyDataGuard

	// SessionStore, when set, is what a server shares with the other
	// servers of its fleet for resumption: ticket keys, TLS 1.2 sessions
	// and the early-data guard, in place of this Config's own (see
	// SessionStore). It takes precedence over SetSessionTicketKeys and
	// EarlyDataGuard. A Lucid addition.
	SessionStore SessionStore

	// ServerID names this server in the sessions it issues, tickets and
	// TLS 1.2 session IDs alike, so that the server that resumes one can
	// report who issued it (ConnectionState.SessionIssuer): in a fleet,
	// give each server its own. At most MaxServerIDLen bytes; it travels
	// inside sealed tickets, never in clear. A Lucid addition.
	ServerID string

	// SendEarlyData lets a client send its first Write as 0-RTT data when
	// it resumes a TLS 1.3 session whose ticket allows it (see
	// Conn.Write). Early data can be replayed by an attacker: send only
	// what is safe to act on twice. A Lucid addition.
	SendEarlyData bool

	// ReportRejectedEarlyData makes a client's first Write fail with
	// ErrEarlyDataRejected when the server rejected its early data,
	// instead of sending it again after the handshake. A Lucid addition.
	ReportRejectedEarlyData bool

	// CertCompression lists the certificate compression algorithms (RFC
	// 8879, TLS 1.3 only) this side accepts, in its order of preference.
	// A client offers them in its ClientHello and decompresses the
	// server's chain; a server compresses its chain with the first of
	// them the client offered, once per chain and algorithm (the result
	// is cached), and offers them to clients it asks for a certificate.
	// nil means the default, CertCompressionZstd, CertCompressionBrotli,
	// CertCompressionZlib; an empty non-nil slice turns compression off.
	// An algorithm added with RegisterCertCompression is used only where
	// this list names it.
	// A Lucid addition.
	CertCompression []CertCompressionAlgorithm

	// Observer, if set, receives every step of every connection made with
	// this Config as an Event: messages with their public content, keys
	// installed (never their values), records, alerts, checks and
	// decisions. It is called synchronously and must not block. A Lucid
	// addition; with no Observer the events cost nothing.
	Observer func(Event)

	// EncryptedClientHelloConfigList, when set, makes a client send its
	// real ClientHello encrypted (RFC 9849) to the first config of this
	// ECHConfigList it supports, inside an outer hello that names the
	// config's public name, as in crypto/tls. Such a client speaks TLS
	// 1.3 only. If the server rejects ECH, the handshake fails with an
	// *ECHRejectionError once the server has proved it holds a
	// certificate for the public name.
	EncryptedClientHelloConfigList []byte

	// EncryptedClientHelloRejectionVerify, if set, replaces the check of
	// the server's certificate against the public name when ECH is
	// rejected; its ConnectionState has the peer's certificates. An
	// error fails the handshake with bad_certificate.
	EncryptedClientHelloRejectionVerify func(ConnectionState) error

	// EncryptedClientHelloGREASEDisabled stops a client without a config
	// list from sending a GREASE encrypted_client_hello extension (RFC
	// 9849 §6.2), which it otherwise sends in every TLS 1.3 hello so that
	// real ones do not stand out. A Lucid addition.
	EncryptedClientHelloGREASEDisabled bool

	// EncryptedClientHelloKeys are a server's ECH keys, current and
	// previous, as in crypto/tls. A hello encrypted to one of them is
	// answered as its inner hello asks; any other hello that carries ECH
	// is answered for its outer hello's name, with the configs of the
	// keys marked SendAsRetry to retry with.
	EncryptedClientHelloKeys []EncryptedClientHelloKey

	// GetEncryptedClientHelloKeys, if set, returns the keys in place of
	// EncryptedClientHelloKeys, for each hello that carries ECH, given
	// what its outer hello says. An error sends internal_error.
	GetEncryptedClientHelloKeys func(*ClientHelloInfo) ([]EncryptedClientHelloKey, error)

	// RecordPadding, when positive, pads every protected TLS 1.3 record
	// to a multiple of that many bytes, hiding exact lengths from a
	// wiretap (RFC 8446 §5.4). A Lucid addition.
	RecordPadding int

	// RecordSizeLimit, when non-zero, is sent as the record_size_limit
	// extension (RFC 8449) in the ClientHello or, when the client sent
	// one, in the server's answer: the largest protected record this side
	// accepts, counted as the plaintext with, in TLS 1.3, its content type
	// and padding (so 2^14+1 is the TLS 1.3 maximum, 2^14 the TLS 1.2
	// one). Values below 64 are sent as 64, values above the version's
	// maximum as that maximum. Once both sides sent the extension, a
	// larger record from the peer ends the connection with
	// record_overflow, and this side's records keep to the peer's limit,
	// RecordPadding included. 0, the default, sends no extension, so the
	// peer's limit is not learned either: set 16385 to learn it without
	// limiting the peer.
	RecordSizeLimit uint16

	// MaxFragmentSize, when positive, caps the bytes of data each record
	// this side sends carries, handshake records included: what other
	// stacks call the maximum send fragment. Values below 64 count as 64,
	// above 2^14 as 2^14. It limits only what this side sends; see
	// RecordSizeLimit for asking the peer to send small records.
	MaxFragmentSize int

	// resumption is the server's ticket keys and session-ID cache,
	// created on first use; each Config has its own.
	resumption *serverResumption

	// derived is what handshakes resolve from the fields above, kept
	// between handshakes; see engineSettings. Guarded by resumptionInit.
	derived *derivedConfig

	// chains remembers the peer chains this Config verified in full; see
	// chainMemo. Created on first use, guarded by resumptionInit.
	chains *chainMemo
}

// Clone returns a copy of c that shares no state Lucid changes with it:
// every slice is copied, and a server's resumption state is the clone's
// own. The clone starts with the ticket keys c uses now, so the two resume
// each other's sessions until either rotates its automatic keys or is given
// others with SetSessionTicketKeys, which then changes only that one; its
// TLS 1.2 session-ID cache starts empty; the in-memory early-data guard
// made for a Config without an EarlyDataGuard is shared, since a replay
// refused by one must be refused by the other. Each resumption is checked against
// the Config that accepts it, so sharing keys never lends one Config's
// sessions the other's trust.
//
// What the caller built and passes by reference is shared, as in
// crypto/tls: the certificate pools (RootCAs, ClientCAs), the parsed
// certificates and revocation lists, the ClientSessionCache, Rand, the
// KeyLogWriter and the callbacks. Do not change them while either Config
// is in use.
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	// The copy is made under the lock that guards the fields handshakes
	// fill in lazily, so a Clone racing a first handshake reads them whole.
	resumptionInit.Lock()
	n := *c
	r := c.resumption
	resumptionInit.Unlock()
	n.derived = nil
	n.chains = nil
	n.Certificates = slices.Clone(c.Certificates)
	n.RevocationLists = slices.Clone(c.RevocationLists)
	n.NextProtos = slices.Clone(c.NextProtos)
	n.CipherSuites = slices.Clone(c.CipherSuites)
	n.CurvePreferences = slices.Clone(c.CurvePreferences)
	n.SignatureSchemes = slices.Clone(c.SignatureSchemes)
	n.EncryptedClientHelloConfigList = slices.Clone(c.EncryptedClientHelloConfigList)
	n.EncryptedClientHelloKeys = slices.Clone(c.EncryptedClientHelloKeys)
	n.CertCompression = slices.Clone(c.CertCompression)
	n.resumption = nil
	if r != nil {
		n.resumption = r.clone(c.ticketLifetime())
	}
	return &n
}

func (c *Config) rand() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return rand.Reader
}

// deterministic reports whether the caller asked for handshakes that a
// fixed Rand reproduces. It is never inferred from Rand being set, so a
// production Config with its own Rand cannot reach test-only code.
func (c *Config) deterministic() bool {
	return c.DeterministicForTesting && c.Rand != nil
}

func (c *Config) now() time.Time {
	if c.Time != nil {
		return c.Time()
	}
	return time.Now()
}

// versionRange resolves MinVersion and MaxVersion.
func (c *Config) versionRange() (lo, hi uint16, err error) {
	lo, hi = c.MinVersion, c.MaxVersion
	if lo == 0 {
		lo = VersionTLS12
	}
	if hi == 0 {
		hi = VersionTLS13
	}
	if lo < VersionTLS12 {
		return 0, 0, fmt.Errorf("tls: MinVersion %s is refused: versions before TLS 1.2 are broken (RFC 8996)", VersionName(lo))
	}
	if hi > VersionTLS13 {
		hi = VersionTLS13
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("tls: MaxVersion %s is below MinVersion %s", VersionName(hi), VersionName(lo))
	}
	return lo, hi, nil
}

// suites12 returns the TLS 1.2 suites to use, in preference order. Named
// suites are used as given (legacy ones included, the only way to enable
// them, as in crypto/tls); with none named, the forward-secret AEAD suites.
func (c *Config) suites12() []uint16 {
	var out []uint16
	for _, id := range c.CipherSuites {
		if suites.Lookup12(id) != nil {
			out = append(out, id)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, s := range suites.TLS12 {
		if !s.Legacy {
			out = append(out, s.ID)
		}
	}
	return out
}

func (c *Config) suites13() []uint16 {
	var out []uint16
	for _, id := range c.CipherSuites {
		if suites.Lookup13(id) != nil {
			out = append(out, id)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, s := range suites.TLS13 {
		out = append(out, s.ID)
	}
	return out
}

func (c *Config) groups() []uint16 {
	prefs := c.CurvePreferences
	if len(prefs) == 0 {
		prefs = defaultCurves
	}
	var out []uint16
	for _, g := range prefs {
		if kex.Supported(uint16(g)) {
			out = append(out, uint16(g))
		}
	}
	return out
}

func (c *Config) writeKeyLog(label string, clientRandom, secret []byte) {
	if c.KeyLogWriter == nil {
		return
	}
	// NSS key log format: label, client random and secret, in hex.
	line := fmt.Sprintf("%s %x %x\n", label, clientRandom, secret)
	keyLogMu.Lock()
	defer keyLogMu.Unlock()
	c.KeyLogWriter.Write([]byte(line))
}

// verifySchemes is what this side offers and accepts: SignatureSchemes
// kept to what Lucid accepts, or the defaults.
func (c *Config) verifySchemes(tls12 bool) []signature.Scheme {
	all := schemes(tls12)
	if len(c.SignatureSchemes) == 0 {
		return all
	}
	var out []signature.Scheme
	for _, s := range c.SignatureSchemes {
		if slices.Contains(all, signature.Scheme(s)) && !slices.Contains(out, signature.Scheme(s)) {
			out = append(out, signature.Scheme(s))
		}
	}
	return out
}

// schemes lists what Lucid signs with and accepts, in preference order:
// the TLS 1.3 schemes, then, when TLS 1.2 is on, PKCS#1 v1.5 for it alone.
// The lists are built once; their capacity is their length, so a caller
// that appends gets its own copy and the shared lists never change.
func schemes(tls12 bool) []signature.Scheme {
	if tls12 {
		return schemesWith12
	}
	return schemes13
}

var (
	schemes13     = slices.Clip(slices.Clone(signature.Default13))
	schemesWith12 = func() []signature.Scheme {
		out := slices.Clone(signature.Default13)
		for _, s := range signature.Default12 {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return slices.Clip(out)
	}()
)

// derivedConfig is what a handshake resolves from a Config's version,
// suite, group and scheme fields. It is built on a Config's first
// handshake and kept for the next ones with a copy of the fields it came
// from: each handshake compares them (without allocating) and rebuilds it
// when a field changed, so a Config changed between connections, which
// the documentation asks callers not to do, still gets what it says.
type derivedConfig struct {
	// The fields it was built from.
	minVersion, maxVersion uint16
	cipherSuites           []uint16
	curves                 []CurveID
	sigSchemes             []SignatureScheme

	lo, hi   uint16
	rangeErr error
	suites13 []uint16
	suites12 []uint16
	groups   []uint16
	schemes  []signature.Scheme // verifySchemes(lo <= TLS 1.2)
	sign     []signature.Scheme // schemes(lo <= TLS 1.2)
	// now is the Config's clock (Config.now, which reads Time on each
	// call), bound once rather than on every handshake.
	now func() time.Time
}

func (d *derivedConfig) matches(c *Config) bool {
	return d.minVersion == c.MinVersion && d.maxVersion == c.MaxVersion &&
		slices.Equal(d.cipherSuites, c.CipherSuites) &&
		slices.Equal(d.curves, c.CurvePreferences) &&
		slices.Equal(d.sigSchemes, c.SignatureSchemes)
}

// engineSettings returns c's derived settings, building them when c has
// none or its fields changed since. The result is shared and read-only.
func (c *Config) engineSettings() *derivedConfig {
	resumptionInit.Lock()
	d := c.derived
	resumptionInit.Unlock()
	if d != nil && d.matches(c) {
		return d
	}
	d = &derivedConfig{
		minVersion:   c.MinVersion,
		maxVersion:   c.MaxVersion,
		cipherSuites: slices.Clone(c.CipherSuites),
		curves:       slices.Clone(c.CurvePreferences),
		sigSchemes:   slices.Clone(c.SignatureSchemes),
	}
	d.lo, d.hi, d.rangeErr = c.versionRange()
	d.suites13 = slices.Clip(c.suites13())
	d.suites12 = slices.Clip(c.suites12())
	d.groups = slices.Clip(c.groups())
	tls12 := d.rangeErr == nil && d.lo <= VersionTLS12
	d.schemes = slices.Clip(c.verifySchemes(tls12))
	d.sign = schemes(tls12)
	d.now = c.now
	resumptionInit.Lock()
	c.derived = d
	resumptionInit.Unlock()
	return d
}
