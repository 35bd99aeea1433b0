package handshake

import (
	"fmt"

	"lucid/internal/version"
	"lucid/internal/wire"
)

// The handshake shapes: every message sequence the engines may take part
// in, as data. Each engine checks what it receives, sends and installs
// against this table as it goes (tracker.go), so the table cannot describe
// a handshake the code does not run, nor the code run one the table does
// not list; timelines, diagrams and ConnectionState read the names and
// steps from here.
//
// A shape is one conversation seen from above: both sides' messages, the
// change_cipher_spec records and every key installed, in an order both
// engines respect. A key step comes before every message it protects, for
// the sender (write key) and for the receiver (read key) alike, which
// shape_test.go checks for every shape.

// Shape names one legal handshake.
type Shape uint8

// The shapes. The zero Shape is no handshake (one that has not finished).
const (
	ShapeNone Shape = iota
	// ShapeTLS13Full: (EC)DHE, the server's certificate and signature.
	ShapeTLS13Full
	// ShapeTLS13ClientAuth: as full, and the client answers the server's
	// CertificateRequest with a certificate and a signature.
	ShapeTLS13ClientAuth
	// ShapeTLS13ClientAuthNoCert: as full, and the client answers the
	// CertificateRequest with an empty Certificate.
	ShapeTLS13ClientAuthNoCert
	// ShapeTLS13PSK: a resumed session's PSK with a fresh (EC)DHE
	// exchange (psk_dhe_ke); no certificates.
	ShapeTLS13PSK
	// ShapeTLS13PSKOnly: a resumed session's PSK alone (psk_ke).
	ShapeTLS13PSKOnly
	// ShapeTLS13HRR and the four after it are the shapes above after a
	// HelloRetryRequest.
	ShapeTLS13HRR
	ShapeTLS13HRRClientAuth
	ShapeTLS13HRRClientAuthNoCert
	ShapeTLS13HRRPSK
	ShapeTLS13HRRPSKOnly
	// ShapeTLS12ECDHE: TLS 1.2 with signed ECDHE parameters.
	ShapeTLS12ECDHE
	// ShapeTLS12ECDHEClientAuth and ShapeTLS12ECDHEClientAuthNoCert add
	// a CertificateRequest, answered with a certificate and
	// CertificateVerify, or with an empty Certificate.
	ShapeTLS12ECDHEClientAuth
	ShapeTLS12ECDHEClientAuthNoCert
	// ShapeTLS12RSA: TLS 1.2 RSA key transport, the seed's own flow.
	ShapeTLS12RSA
	ShapeTLS12RSAClientAuth
	ShapeTLS12RSAClientAuthNoCert
	// ShapeTLS12ResumedTicket: an abbreviated handshake resuming the
	// session a ticket carries (RFC 5077).
	ShapeTLS12ResumedTicket
	// ShapeTLS12ResumedSessionID: an abbreviated handshake resuming a
	// session the server cached under its ID.
	ShapeTLS12ResumedSessionID
	// ShapeTLS13PSKEarlyData and ShapeTLS13PSKOnlyEarlyData: a resumption
	// whose 0-RTT data the server accepted, ended by EndOfEarlyData.
	ShapeTLS13PSKEarlyData
	ShapeTLS13PSKOnlyEarlyData
	// ShapeTLS13PSKEarlyDataRejected and
	// ShapeTLS13PSKOnlyEarlyDataRejected: a resumption whose 0-RTT data
	// the server skipped; the client switches to its handshake key only
	// once EncryptedExtensions says so.
	ShapeTLS13PSKEarlyDataRejected
	ShapeTLS13PSKOnlyEarlyDataRejected

	shapeEnd
)

// shapeCount is the number of shapes in the table.
const shapeCount = int(shapeEnd) - 1

// Side is one end of a handshake.
type Side uint8

// The two sides.
const (
	SideClient Side = iota + 1
	SideServer
)

// Peer is the other side.
func (s Side) Peer() Side {
	if s == SideClient {
		return SideServer
	}
	return SideClient
}

// String names the side.
func (s Side) String() string {
	switch s {
	case SideClient:
		return "client"
	case SideServer:
		return "server"
	}
	return "no side"
}

// StepKind says what a Step is.
type StepKind uint8

// The kinds of steps.
const (
	// StepMessage is a handshake message, sent by Side.
	StepMessage StepKind = iota + 1
	// StepChangeCipherSpec is a change_cipher_spec record, sent by Side.
	StepChangeCipherSpec
	// StepReadKey is Side starting to read under a new key.
	StepReadKey
	// StepWriteKey is Side starting to write under a new key.
	StepWriteKey
)

// ResumeMode says how a handshake resumed a session.
type ResumeMode uint8

// How a session is resumed.
const (
	NotResumed ResumeMode = iota
	// ResumedPSK: TLS 1.3 PSK with (EC)DHE (psk_dhe_ke, RFC 8446 §4.2.9).
	ResumedPSK
	// ResumedPSKOnly: TLS 1.3 PSK alone (psk_ke), no forward secrecy.
	ResumedPSKOnly
	// ResumedTicket: TLS 1.2 from a session ticket (RFC 5077).
	ResumedTicket
	// ResumedSessionID: TLS 1.2 from the server's session cache.
	ResumedSessionID
)

// Step is one entry of a shape: a message or change_cipher_spec record
// crossing from Side to its peer, or a key Side installs.
type Step struct {
	Kind StepKind
	// Side sends the message or record, or installs the key.
	Side Side
	// Message is a message's type (wire.Type...).
	Message uint8
	// Retry marks the ServerHello that is a HelloRetryRequest (RFC 8446
	// §4.1.4): the same type on the wire, another step in the handshake.
	Retry bool
	// Key is the protection a message or record travels under,
	// LevelInitial meaning in the clear, or the level a key step installs.
	// TLS 1.2 has one level of record keys after change_cipher_spec,
	// which counts as LevelApplication, as the engines' actions say.
	Key Level
	// Optional steps may be absent; Repeated ones may occur more than once
	// in a row.
	Optional bool
	Repeated bool
	// Compat marks TLS 1.3's middlebox-compatibility change_cipher_spec
	// (RFC 8446 §D.4), which the receiver's record layer drops: only the
	// sender's engine sees it.
	Compat bool
	// Post marks a message sent after the sender's part of the handshake
	// is over (RFC 8446 §4.6): the receiver takes it outside the handshake.
	Post bool
	// SeedStep is the step of the seed's story (1-8) the step belongs to,
	// as the connection's events number them, or 0.
	SeedStep int
	// Note says what is special about the step, if anything.
	Note string
}

// Name is what the step is called in timelines and diagrams: a message's
// name, "change_cipher_spec", or "handshake read key" and the like.
func (s Step) Name() string {
	switch s.Kind {
	case StepMessage:
		if s.Retry {
			return "HelloRetryRequest"
		}
		return wire.MessageName(s.Message)
	case StepChangeCipherSpec:
		return "change_cipher_spec"
	case StepReadKey:
		return s.Key.String() + " read key"
	case StepWriteKey:
		return s.Key.String() + " write key"
	}
	return "no step"
}

// Protected reports whether a message or record travels encrypted.
func (s Step) Protected() bool { return s.Key != LevelInitial }

// SeenBy reports whether side's engine takes part in the step: it sends
// the message or record or installs the key, or receives a message or
// record that reaches its handshake.
func (s Step) SeenBy(side Side) bool {
	if s.Side == side {
		return true
	}
	switch s.Kind {
	case StepMessage:
		return !s.Post
	case StepChangeCipherSpec:
		return !s.Compat
	}
	return false
}

// String describes the step in one line.
func (s Step) String() string {
	var d string
	switch s.Kind {
	case StepMessage, StepChangeCipherSpec:
		d = fmt.Sprintf("%s -> %s %s", s.Side, s.Side.Peer(), s.Name())
		if s.Protected() {
			d += " [" + s.Key.String() + " keys]"
		}
	default:
		d = fmt.Sprintf("%s installs its %s", s.Side, s.Name())
	}
	if s.Optional {
		d += " (optional)"
	}
	if s.Repeated {
		d += " (repeated)"
	}
	if s.Note != "" {
		d += ": " + s.Note
	}
	return d
}

// shapeDef is one row of the table.
type shapeDef struct {
	name    string
	summary string
	version uint16
	retry   bool
	resume  ResumeMode
	early   earlyOutcome
	steps   []Step
}

// earlyOutcome is what a shape says of 0-RTT data. Early data a server
// rejects without resuming, or by a HelloRetryRequest, leaves the shape
// of the handshake that follows (with the optional steps of the offer);
// rejected while resuming, it changes when the client's handshake key
// starts, and so is a shape of its own.
type earlyOutcome uint8

const (
	earlyNone earlyOutcome = iota
	earlyAccepted
	earlyRejected
)

// earlyOutcomeOf classifies a finished handshake's early data as the
// shapes do.
func earlyOutcomeOf(r *Result) earlyOutcome {
	switch e := r.EarlyData; {
	case e.Accepted:
		return earlyAccepted
	case e.Offered && r.DidResume && !r.DidHRR:
		return earlyRejected
	}
	return earlyNone
}

// EarlyData reports whether the shape carries 0-RTT data the client
// offered while resuming, and whether the server accepted it.
func (s Shape) EarlyData() (offered, accepted bool) {
	d := s.def()
	if d == nil {
		return false, false
	}
	return d.early != earlyNone, d.early == earlyAccepted
}

// String is the shape's stable name, such as "tls13-full".
func (s Shape) String() string {
	if d := s.def(); d != nil {
		return d.name
	}
	if s == ShapeNone {
		return "none"
	}
	return fmt.Sprintf("shape(%d)", uint8(s))
}

// Summary says in a sentence what happens in the shape.
func (s Shape) Summary() string {
	if d := s.def(); d != nil {
		return d.summary
	}
	return ""
}

// Version is the protocol version of the shape.
func (s Shape) Version() uint16 {
	if d := s.def(); d != nil {
		return d.version
	}
	return 0
}

// HelloRetry reports whether the shape starts with a HelloRetryRequest.
func (s Shape) HelloRetry() bool {
	d := s.def()
	return d != nil && d.retry
}

// Resumed says how the shape resumes a session, if it does.
func (s Shape) Resumed() ResumeMode {
	if d := s.def(); d != nil {
		return d.resume
	}
	return NotResumed
}

// Steps returns the shape's steps in order, a copy the caller may keep.
func (s Shape) Steps() []Step {
	if d := s.def(); d != nil {
		return append([]Step(nil), d.steps...)
	}
	return nil
}

// Shapes lists every shape, in table order.
func Shapes() []Shape {
	out := make([]Shape, shapeCount)
	for i := range out {
		out[i] = Shape(i + 1)
	}
	return out
}

// ShapeNamed returns the shape a name (String) stands for.
func ShapeNamed(name string) (Shape, bool) {
	for i := range shapeTable {
		if shapeTable[i].name == name {
			return Shape(i + 1), true
		}
	}
	return ShapeNone, false
}

func (s Shape) def() *shapeDef {
	if s == ShapeNone || s >= shapeEnd {
		return nil
	}
	return &shapeTable[s-1]
}

// Building blocks for the table, named so that a row reads like the
// handshake it describes.

const (
	plain = LevelInitial
	hsKey = LevelHandshake
	apKey = LevelApplication
	erKey = LevelEarly
	cli   = SideClient
	srv   = SideServer
)

func msgStep(from Side, typ uint8, key Level, seed int) Step {
	return Step{Kind: StepMessage, Side: from, Message: typ, Key: key, SeedStep: seed}
}

func optional(s Step, note string) Step {
	s.Optional, s.Note = true, note
	return s
}

func ccsStep(from Side, key Level) Step {
	return Step{Kind: StepChangeCipherSpec, Side: from, Key: key}
}

// compatCCS is TLS 1.3's change_cipher_spec for middleboxes (RFC 8446
// §D.4): optional for a peer, always sent by Lucid, dropped unread.
func compatCCS(from Side) Step {
	s := ccsStep(from, plain)
	s.Compat, s.Optional, s.Note = true, true, "middlebox compatibility (RFC 8446 §D.4)"
	return s
}

func reads(side Side, key Level) Step {
	return Step{Kind: StepReadKey, Side: side, Key: key, SeedStep: 6}
}

func writes(side Side, key Level) Step {
	return Step{Kind: StepWriteKey, Side: side, Key: key, SeedStep: 6}
}

func join(parts ...[]Step) []Step {
	var out []Step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// TLS 1.3 (RFC 8446 §2).

var clientHello = []Step{msgStep(cli, wire.TypeClientHello, plain, 1)}

// clientHello13 is the first ClientHello of TLS 1.3, with the steps of an
// offer of 0-RTT data the server may reject by not resuming, or by a
// HelloRetryRequest (RFC 8446 §4.2.10): the client's compatibility
// change_cipher_spec right after the hello, and its early write key.
var clientHello13 = []Step{
	msgStep(cli, wire.TypeClientHello, plain, 1),
	optional(compatCCS(cli), "right after the ClientHello when 0-RTT data follows (RFC 8446 §D.4)"),
	optional(writes(cli, erKey), "0-RTT data offered: it follows under the early key"),
}

// offerEarly13 is the first ClientHello of a resumption with 0-RTT data.
var offerEarly13 = []Step{
	msgStep(cli, wire.TypeClientHello, plain, 1),
	optional(compatCCS(cli), "right after the ClientHello when 0-RTT data follows (RFC 8446 §D.4)"),
	writes(cli, erKey),
}

// earlyAccepted13 is a resumption whose 0-RTT data the server reads: the
// early key reads until EndOfEarlyData, and then the client's handshake
// key takes over on both sides (RFC 8446 §4.5).
func earlyAccepted13() []Step {
	return join(offerEarly13,
		[]Step{msgStep(srv, wire.TypeServerHello, plain, 1), compatCCS(srv),
			writes(srv, hsKey), reads(srv, erKey), reads(cli, hsKey)},
		serverFlight13(false, true),
		[]Step{msgStep(cli, wire.TypeEndOfEarlyData, erKey, 0), writes(cli, hsKey), reads(srv, hsKey)},
		finish13, ticketsLast13)
}

// earlyRejected13 is a resumption whose 0-RTT data the server skips: the
// client learns it from EncryptedExtensions, and only then starts writing
// under its handshake key.
func earlyRejected13() []Step {
	flight := serverFlight13(false, true)
	return join(offerEarly13,
		[]Step{msgStep(srv, wire.TypeServerHello, plain, 1), compatCCS(srv),
			writes(srv, hsKey), reads(srv, hsKey), reads(cli, hsKey)},
		flight[:1], []Step{writes(cli, hsKey)}, flight[1:], ticketsFirst13,
		finish13)
}

// helloRetry13 is the HelloRetryRequest round (RFC 8446 §4.1.4): each side
// sends its one compatibility change_cipher_spec here, the server right
// after the HelloRetryRequest, the client before its second ClientHello.
var helloRetry13 = []Step{
	{Kind: StepMessage, Side: srv, Message: wire.TypeServerHello, Retry: true, Key: plain, SeedStep: 1},
	compatCCS(srv),
	optional(writes(cli, plain), "back to the clear after 0-RTT data the retry rejected"),
	compatCCS(cli),
	msgStep(cli, wire.TypeClientHello, plain, 1),
}

// serverHello13 installs the handshake keys; retried says the compatibility
// records went with the HelloRetryRequest already.
func serverHello13(retried bool) []Step {
	s := []Step{msgStep(srv, wire.TypeServerHello, plain, 1)}
	if !retried {
		s = append(s, compatCCS(srv))
	}
	s = append(s, writes(srv, hsKey), reads(srv, hsKey), reads(cli, hsKey))
	if !retried {
		s = append(s, compatCCS(cli))
	}
	return append(s, writes(cli, hsKey))
}

// serverFlight13 is the server's encrypted flight, ending with the switch
// to its application write key; request adds a CertificateRequest, psk
// drops the certificate and signature a PSK makes unneeded.
func serverFlight13(request, psk bool) []Step {
	s := []Step{msgStep(srv, wire.TypeEncryptedExtensions, hsKey, 0)}
	if request {
		s = append(s, msgStep(srv, wire.TypeCertificateRequest, hsKey, 3))
	}
	if !psk {
		s = append(s, msgStep(srv, wire.TypeCertificate, hsKey, 3), msgStep(srv, wire.TypeCertificateVerify, hsKey, 3))
	}
	return append(s, msgStep(srv, wire.TypeFinished, hsKey, 6), writes(srv, apKey))
}

// clientAuth13 is the client's answer to a CertificateRequest.
func clientAuth13(withCert bool) []Step {
	if !withCert {
		c := msgStep(cli, wire.TypeCertificate, hsKey, 3)
		c.Note = "empty: the client has no certificate to offer"
		return []Step{c}
	}
	return []Step{msgStep(cli, wire.TypeCertificate, hsKey, 3), msgStep(cli, wire.TypeCertificateVerify, hsKey, 3)}
}

// finish13 is the client's Finished and both sides' switch to application
// keys.
var finish13 = []Step{
	msgStep(cli, wire.TypeFinished, hsKey, 6),
	reads(cli, apKey), writes(cli, apKey), reads(srv, apKey),
}

// ticketsFirst13 and ticketsLast13 are the tickets a server may send (RFC
// 8446 §4.6.1): with its Finished when it knows the rest of the
// transcript in advance, which it does unless it asked for a client
// certificate or accepted 0-RTT data, and after the client's Finished
// otherwise. Either way the client reads them after its own Finished,
// once it reads under its application key.
var (
	ticketsFirst13 = []Step{ticket13("a ticket for resumption (RFC 8446 §4.6.1), sent with the server's Finished and read after the handshake")}
	ticketsLast13  = []Step{ticket13("a ticket for resumption (RFC 8446 §4.6.1), read after the handshake")}
)

func ticket13(note string) Step {
	return Step{Kind: StepMessage, Side: srv, Message: wire.TypeNewSessionTicket, Key: apKey, Optional: true, Repeated: true, Post: true, Note: note}
}

// TLS 1.2 (RFC 5246 §7.3).

// serverFlight12 is the server's first flight of a full handshake.
func serverFlight12(ecdhe, request bool) []Step {
	s := []Step{
		msgStep(srv, wire.TypeServerHello, plain, 1),
		msgStep(srv, wire.TypeCertificate, plain, 3),
		optional(msgStep(srv, wire.TypeCertificateStatus, plain, 3), "an OCSP staple, if the client asked and the server has one (RFC 6066 §8)"),
	}
	if ecdhe {
		s = append(s, msgStep(srv, wire.TypeServerKeyExchange, plain, 5))
	}
	if request {
		s = append(s, msgStep(srv, wire.TypeCertificateRequest, plain, 3))
	}
	return append(s, msgStep(srv, wire.TypeServerHelloDone, plain, 0))
}

// clientFlight12 is the client's answer: [Certificate], ClientKeyExchange,
// [CertificateVerify], then its change_cipher_spec and Finished.
func clientFlight12(request, withCert bool) []Step {
	var s []Step
	if request {
		c := msgStep(cli, wire.TypeCertificate, plain, 3)
		if !withCert {
			c.Note = "empty: the client has no certificate to offer"
		}
		s = append(s, c)
	}
	s = append(s, msgStep(cli, wire.TypeClientKeyExchange, plain, 5))
	if withCert {
		s = append(s, msgStep(cli, wire.TypeCertificateVerify, plain, 3))
	}
	return append(s, changeKeys12(cli)...)
}

// changeKeys12 is one side's change_cipher_spec, which switches its writing
// and the peer's reading to the keys of the master secret, then the
// Finished those keys protect.
func changeKeys12(from Side) []Step {
	return []Step{
		ccsStep(from, plain),
		writes(from, apKey), reads(from.Peer(), apKey),
		msgStep(from, wire.TypeFinished, apKey, 6),
	}
}

// ticket12 is the NewSessionTicket a server sends before its
// change_cipher_spec, if the client takes tickets (RFC 5077 §3.3).
var ticket12 = []Step{optional(msgStep(srv, wire.TypeNewSessionTicket, plain, 0), "a new session ticket (RFC 5077 §3.3)")}

func full12(ecdhe, request, withCert bool) []Step {
	return join(clientHello, serverFlight12(ecdhe, request), clientFlight12(request, withCert), ticket12, changeKeys12(srv))
}

// resumed12 is the abbreviated handshake (RFC 5246 §7.3): the server's
// change_cipher_spec and Finished come first.
var resumed12 = join(clientHello, []Step{msgStep(srv, wire.TypeServerHello, plain, 1)}, ticket12, changeKeys12(srv), changeKeys12(cli))

func full13(retried, request, withCert bool) []Step {
	var auth []Step
	if request {
		auth = clientAuth13(withCert)
	}
	var retry []Step
	if retried {
		retry = helloRetry13
	}
	if request {
		return join(clientHello13, retry, serverHello13(retried), serverFlight13(true, false), auth, finish13, ticketsLast13)
	}
	return join(clientHello13, retry, serverHello13(retried), serverFlight13(false, false), ticketsFirst13, finish13)
}

func psk13(retried bool) []Step {
	var retry []Step
	if retried {
		retry = helloRetry13
	}
	return join(clientHello13, retry, serverHello13(retried), serverFlight13(false, true), ticketsFirst13, finish13)
}

// shapeTable is the table, indexed by Shape-1.
var shapeTable = [shapeCount]shapeDef{
	{name: "tls13-full", version: version.TLS13, steps: full13(false, false, false),
		summary: "TLS 1.3: key shares, then the server's certificate and signature"},
	{name: "tls13-client-auth", version: version.TLS13, steps: full13(false, true, true),
		summary: "TLS 1.3 with a client certificate and signature"},
	{name: "tls13-client-auth-no-cert", version: version.TLS13, steps: full13(false, true, false),
		summary: "TLS 1.3 where the server asked for a client certificate and got none"},
	{name: "tls13-psk", version: version.TLS13, resume: ResumedPSK, steps: psk13(false),
		summary: "TLS 1.3 resumption: a ticket's PSK with fresh key shares (psk_dhe_ke)"},
	{name: "tls13-psk-ke", version: version.TLS13, resume: ResumedPSKOnly, steps: psk13(false),
		summary: "TLS 1.3 resumption: a ticket's PSK alone (psk_ke)"},
	{name: "tls13-hrr", version: version.TLS13, retry: true, steps: full13(true, false, false),
		summary: "TLS 1.3 after a HelloRetryRequest"},
	{name: "tls13-hrr-client-auth", version: version.TLS13, retry: true, steps: full13(true, true, true),
		summary: "TLS 1.3 after a HelloRetryRequest, with a client certificate"},
	{name: "tls13-hrr-client-auth-no-cert", version: version.TLS13, retry: true, steps: full13(true, true, false),
		summary: "TLS 1.3 after a HelloRetryRequest; the client had no certificate"},
	{name: "tls13-hrr-psk", version: version.TLS13, retry: true, resume: ResumedPSK, steps: psk13(true),
		summary: "TLS 1.3 resumption (psk_dhe_ke) after a HelloRetryRequest"},
	{name: "tls13-hrr-psk-ke", version: version.TLS13, retry: true, resume: ResumedPSKOnly, steps: psk13(true),
		summary: "TLS 1.3 resumption (psk_ke) after a HelloRetryRequest"},
	{name: "tls12-ecdhe", version: version.TLS12, steps: full12(true, false, false),
		summary: "TLS 1.2 with signed ECDHE parameters"},
	{name: "tls12-ecdhe-client-auth", version: version.TLS12, steps: full12(true, true, true),
		summary: "TLS 1.2 ECDHE with a client certificate and CertificateVerify"},
	{name: "tls12-ecdhe-client-auth-no-cert", version: version.TLS12, steps: full12(true, true, false),
		summary: "TLS 1.2 ECDHE where the server asked for a client certificate and got none"},
	{name: "tls12-rsa", version: version.TLS12, steps: full12(false, false, false),
		summary: "TLS 1.2 RSA key transport: the client encrypts the pre-master secret to the server's key"},
	{name: "tls12-rsa-client-auth", version: version.TLS12, steps: full12(false, true, true),
		summary: "TLS 1.2 RSA key transport with a client certificate and CertificateVerify"},
	{name: "tls12-rsa-client-auth-no-cert", version: version.TLS12, steps: full12(false, true, false),
		summary: "TLS 1.2 RSA key transport where the server asked for a client certificate and got none"},
	{name: "tls12-resumed-ticket", version: version.TLS12, resume: ResumedTicket, steps: resumed12,
		summary: "TLS 1.2 abbreviated handshake resuming a session ticket"},
	{name: "tls12-resumed-session-id", version: version.TLS12, resume: ResumedSessionID, steps: resumed12,
		summary: "TLS 1.2 abbreviated handshake resuming a cached session ID"},
	{name: "tls13-psk-early-data", version: version.TLS13, resume: ResumedPSK, early: earlyAccepted, steps: earlyAccepted13(),
		summary: "TLS 1.3 resumption (psk_dhe_ke) whose 0-RTT data the server accepted"},
	{name: "tls13-psk-ke-early-data", version: version.TLS13, resume: ResumedPSKOnly, early: earlyAccepted, steps: earlyAccepted13(),
		summary: "TLS 1.3 resumption (psk_ke) whose 0-RTT data the server accepted"},
	{name: "tls13-psk-early-data-rejected", version: version.TLS13, resume: ResumedPSK, early: earlyRejected, steps: earlyRejected13(),
		summary: "TLS 1.3 resumption (psk_dhe_ke) whose 0-RTT data the server skipped"},
	{name: "tls13-psk-ke-early-data-rejected", version: version.TLS13, resume: ResumedPSKOnly, early: earlyRejected, steps: earlyRejected13(),
		summary: "TLS 1.3 resumption (psk_ke) whose 0-RTT data the server skipped"},
}
