package inspect

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"lucid/https"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/pki"
	"lucid/tls"
	"lucid/trace"
)

// SchemaVersion names the JSON format of /api/handshake; every report
// carries it as "schema".
const SchemaVersion = "lucid.inspect/2"

// Report is what the inspection page shows, and what /api/handshake
// returns as JSON. The members are described in the package comment and
// in schema/inspect-v2.json.
type Report struct {
	Schema            string             `json:"schema"`
	Connection        Connection         `json:"connection"`
	Fingerprints      Fingerprints       `json:"fingerprints"`
	ClientHello       *ClientHello       `json:"client_hello"`
	Verdict           *Verdict           `json:"verdict"`
	Choices           []Choice           `json:"choices"`
	CertificateChain  []Certificate      `json:"certificate_chain"`
	ClientCertificate *ClientCertificate `json:"client_certificate"`
	Steps             []Step             `json:"steps"`
	EventsRecorded    bool               `json:"events_recorded"`
	Events            []Event            `json:"events"`
}

// Connection is what the handshake established.
type Connection struct {
	RemoteAddr   string `json:"remote_addr"`
	HTTPProtocol string `json:"http_protocol"`
	TLSVersion   string `json:"tls_version"`
	CipherSuite  string `json:"cipher_suite"`
	Group        string `json:"group"`
	ALPN         string `json:"alpn"`
	ServerName   string `json:"server_name"`
	Resumed      bool   `json:"resumed"`
	// SessionIssuer and SessionFromStore say, for a resumption, which
	// server of a fleet issued the session (its ServerID, "" if it set
	// none) and whether it came through the fleet's shared store.
	SessionIssuer     string    `json:"session_issuer"`
	SessionFromStore  bool      `json:"session_from_store"`
	HelloRetryRequest bool      `json:"hello_retry_request"`
	Shape             string    `json:"shape"`
	SignatureScheme   string    `json:"signature_scheme"`
	HandshakeMS       float64   `json:"handshake_ms"`
	EarlyData         EarlyData `json:"early_data"`
	ECH               ECH       `json:"ech"`
	// CertCompression is certificate compression (RFC 8879) on this
	// connection.
	CertCompression CertCompression `json:"cert_compression"`
}

// ECH is whether the visitor's client used Encrypted Client Hello (RFC
// 9849), and what of its hello an observer on the path could read.
type ECH struct {
	// Status is "accepted" (the server opened the encrypted inner hello
	// and answered it), "grease" (the hello carried an
	// encrypted_client_hello the server could not open, and the client
	// went on without it, which only a client sending GREASE ECH does:
	// one with a real config would have aborted) or "none".
	Status string `json:"status"`
	// OuterServerName is the server name in the hello as sent, which
	// anyone on the path reads: the public name under ECH, the real name
	// otherwise; "" for none or when the events were not recorded.
	OuterServerName string `json:"outer_server_name"`
	// InnerServerName is the name in the encrypted inner hello, which
	// only the server read; "" unless ECH was accepted.
	InnerServerName string `json:"inner_server_name"`
	// Decision is the server's ech decision, in words; "" when the hello
	// carried no encrypted_client_hello or the events were not recorded.
	Decision string `json:"decision"`
}

// ECH statuses.
const (
	ECHAccepted = "accepted"
	ECHGrease   = "grease"
	ECHNone     = "none"
)

// EarlyData is what became of 0-RTT early data on the connection (RFC
// 8446 §4.2.10), and whether the request was handled as early (RFC 8470).
type EarlyData struct {
	Offered  bool   `json:"offered"`
	Accepted bool   `json:"accepted"`
	Reason   string `json:"reason"`
	// RequestEarly says the request was handled before the handshake was
	// confirmed, with the header Early-Data: 1.
	RequestEarly bool `json:"request_early"`
}

// Fingerprints are the client's JA3 (MD5 form) and JA4.
type Fingerprints struct {
	JA3 string `json:"ja3"`
	JA4 string `json:"ja4"`
}

// ClientHello is what the client offered, in the order it sent it.
type ClientHello struct {
	Length              int      `json:"length"`
	LegacyVersion       string   `json:"legacy_version"`
	SupportedVersions   []string `json:"supported_versions"`
	CipherSuites        []string `json:"cipher_suites"`
	SupportedGroups     []string `json:"supported_groups"`
	KeyShares           []string `json:"key_shares"`
	SignatureAlgorithms []string `json:"signature_algorithms"`
	ALPN                []string `json:"alpn"`
	ServerName          string   `json:"server_name"`
	Extensions          []string `json:"extensions"`
	GREASE              []string `json:"grease"`
	PSKIdentities       int      `json:"psk_identities"`
}

// Choice is one thing the server chose, and why.
type Choice struct {
	Item   string `json:"item"`
	Chosen string `json:"chosen"`
	Why    string `json:"why"`
}

// Certificate is one certificate of the chain the server sent, leaf first.
// Summary is always there; the rest when the server's own certificate is
// known to the page (Options.TLSConfig).
type Certificate struct {
	Summary            string   `json:"summary"`
	Subject            string   `json:"subject,omitempty"`
	Issuer             string   `json:"issuer,omitempty"`
	DNSNames           []string `json:"dns_names,omitempty"`
	IPAddresses        []string `json:"ip_addresses,omitempty"`
	NotBefore          string   `json:"not_before,omitempty"`
	NotAfter           string   `json:"not_after,omitempty"`
	PublicKey          string   `json:"public_key,omitempty"`
	SignatureAlgorithm string   `json:"signature_algorithm,omitempty"`
	SHA256             string   `json:"sha256,omitempty"`
	IsCA               bool     `json:"is_ca"`
}

// ClientCertificate is the certificate the client sent, if any.
type ClientCertificate struct {
	Subject  string `json:"subject"`
	Issuer   string `json:"issuer"`
	Verified bool   `json:"verified"`
}

// Step is one of the seed's eight steps, with what happened at that step
// in this connection.
type Step struct {
	Number      int    `json:"number"`
	Title       string `json:"title"`
	TitleZH     string `json:"title_zh"`
	Explanation string `json:"explanation"`
	Here        string `json:"here"`
	Events      []int  `json:"events"`
}

// Event is one event of the connection as the server saw it, in the shape
// of a lucid.trace/1 line without schema, time and source.
type Event struct {
	TMs         float64 `json:"t_ms"`
	Kind        string  `json:"kind"`
	Name        string  `json:"name"`
	Dir         string  `json:"dir,omitempty"`
	Epoch       *int    `json:"epoch,omitempty"`
	ContentType string  `json:"content_type,omitempty"`
	Seq         *uint64 `json:"seq,omitempty"`
	Length      *int    `json:"length,omitempty"`
	Detail      string  `json:"detail,omitempty"`
	Error       string  `json:"error,omitempty"`
	SeedStep    int     `json:"seed_step,omitempty"`
	Fields      Fields  `json:"fields,omitempty"`
}

// Fields are an event's public values in the order the message carries
// them; a value is a string, a number, a boolean or a list of strings.
type Fields []tls.Field

// MarshalJSON writes the fields as one object, keeping their order.
func (f Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, fld := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(fld.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(fld.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// get returns the value of key, or nil.
func (f Fields) get(key string) any {
	for _, fld := range f {
		if fld.Key == key {
			return fld.Value
		}
	}
	return nil
}

func (f Fields) str(key string) string {
	s, _ := f.get(key).(string)
	return s
}

func (f Fields) list(key string) []string {
	l, _ := f.get(key).([]string)
	return l
}

func (f Fields) num(key string) int {
	n, _ := f.get(key).(int)
	return n
}

// cleanFields keeps the values the schema allows, leaving out empty ones.
func cleanFields(in []tls.Field) Fields {
	var out Fields
	seen := map[string]bool{}
	for _, f := range in {
		if seen[f.Key] || f.Key == "" {
			continue
		}
		var v any
		switch x := f.Value.(type) {
		case string:
			if x != "" {
				v = x
			}
		case []string:
			if len(x) > 0 {
				v = append([]string(nil), x...)
			}
		case bool:
			v = x
		case int:
			v = x
		case int64:
			v = int(x)
		case uint64:
			if x <= math.MaxInt64 {
				v = int(x)
			}
		case uint16:
			v = int(x)
		case uint8:
			v = int(x)
		case float64:
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				v = x
			}
		}
		if v == nil {
			continue
		}
		seen[f.Key] = true
		out = append(out, tls.Field{Key: f.Key, Value: v})
	}
	return out
}

// ErrNoConnection is Build's error for a request that did not come
// through an https.Server.
var ErrNoConnection = errors.New("inspect: the request carries no Lucid TLS connection state (it did not come through an https.Server)")

// Build describes the handshake of the connection that carried r. The
// events come from https.Events(r) (set https.Server.Inspect); without them
// the report holds what ConnectionState knows and says the rest is
// missing.
func Build(r *http.Request, o Options) (*Report, error) {
	cs, ok := https.ConnectionState(r)
	if !ok {
		return nil, ErrNoConnection
	}
	events, recorded := https.Events(r)
	b := &builder{o: o, cs: cs, raw: events}
	return b.build(r, recorded), nil
}

// builder holds what Build works from.
type builder struct {
	o   Options
	cs  tls.ConnectionState
	raw []tls.Event
	rep *Report

	hello       Fields // the first ClientHello
	innerHello  Fields // the first ClientHelloInner, when ECH was accepted
	echDecision string
	lastHello   Fields // the ClientHello the handshake went on with
	helloLen    int
	serverHello Fields
	chainSent   []string
	sigScheme   string
	ske         Fields // TLS 1.2 ServerKeyExchange
	sent        map[string]int
	received    map[string]int
	checks      []string
	keys        []string
	ticketSent  bool

	// The server's own Certificate message: its Detail and length, and
	// the certificate_compression decision that followed it.
	certSentDetail string
	certSentLen    int
	ccDecision     string
	ccPending      bool
}

func (b *builder) build(r *http.Request, recorded bool) *Report {
	cs := b.cs
	rep := &Report{Schema: SchemaVersion, EventsRecorded: recorded}
	b.rep = rep
	b.sent, b.received = map[string]int{}, map[string]int{}
	b.scan()

	rep.Connection = Connection{
		RemoteAddr:        r.RemoteAddr,
		HTTPProtocol:      r.Proto,
		TLSVersion:        tls.VersionName(cs.Version),
		CipherSuite:       tls.CipherSuiteName(cs.CipherSuite),
		ALPN:              cs.NegotiatedProtocol,
		ServerName:        cs.ServerName,
		Resumed:           cs.DidResume,
		SessionIssuer:     cs.SessionIssuer,
		SessionFromStore:  cs.SessionFromStore,
		HelloRetryRequest: cs.DidHelloRetryRequest,
		Shape:             cs.Shape.String(),
		SignatureScheme:   b.sigScheme,
		HandshakeMS:       b.handshakeMS(),
		EarlyData: EarlyData{Offered: cs.EarlyData.Offered, Accepted: cs.EarlyData.Accepted,
			Reason: cs.EarlyData.Reason, RequestEarly: https.IsEarly(r)},
	}
	rep.Connection.ECH = b.ech()
	rep.Connection.CertCompression = b.certCompression()
	if cs.CurveID != 0 {
		rep.Connection.Group = kex.Name(uint16(cs.CurveID))
	}
	rep.Fingerprints = Fingerprints{JA3: cs.JA3, JA4: cs.JA4}
	if rep.Fingerprints.JA3 == "" {
		rep.Fingerprints.JA3 = b.hello.str("ja3")
	}
	if rep.Fingerprints.JA4 == "" {
		rep.Fingerprints.JA4 = b.hello.str("ja4")
	}
	if b.hello != nil {
		rep.ClientHello = clientHello(b.hello, b.helloLen)
		rep.Verdict = Rate(rep.ClientHello)
	}
	if len(cs.PeerCertificates) > 0 {
		c := cs.PeerCertificates[0]
		rep.ClientCertificate = &ClientCertificate{Subject: c.Subject.String(), Issuer: c.Issuer.String(), Verified: len(cs.VerifiedChains) > 0}
	}
	rep.CertificateChain = b.chain()
	rep.Choices = b.choices()
	rep.Steps = b.steps()
	if rep.Choices == nil {
		rep.Choices = []Choice{}
	}
	if rep.CertificateChain == nil {
		rep.CertificateChain = []Certificate{}
	}
	if rep.Events == nil {
		rep.Events = []Event{}
	}
	return rep
}

// scan turns the raw events into the report's events and picks out the
// messages the rest of the report reads.
func (b *builder) scan() {
	var t0 time.Time
	if len(b.raw) > 0 {
		t0 = b.raw[0].Time
	}
	for _, e := range b.raw {
		fields := cleanFields(e.Fields)
		ev := Event{
			Kind:   e.Kind.String(),
			Name:   e.Name,
			Detail: e.Detail,
			Fields: fields,
		}
		if !e.Time.IsZero() && !t0.IsZero() {
			ev.TMs = math.Round(float64(e.Time.Sub(t0))/float64(time.Microsecond)) / 1000
		}
		if e.Err != nil {
			ev.Error = e.Err.Error()
		}
		if _, ok := trace.SeedSteps[e.SeedStep]; ok {
			ev.SeedStep = e.SeedStep
		}
		switch e.Kind {
		case tls.EventCheck, tls.EventDecision:
		default:
			ev.Dir = "in"
			if e.Outbound {
				ev.Dir = "out"
			}
		}
		switch e.Kind {
		case tls.EventRecordSent, tls.EventRecordReceived:
			epoch, seq, length := e.Epoch, e.Seq, e.Length
			ev.Epoch, ev.Seq, ev.Length = &epoch, &seq, &length
			ev.ContentType = e.ContentType
		case tls.EventKeyInstalled:
			epoch := e.Epoch
			ev.Epoch = &epoch
		}
		if ev.Length == nil && e.Length > 0 {
			length := e.Length
			ev.Length = &length
		}
		switch e.Kind {
		case tls.EventMessageSent, tls.EventMessageReceived:
			if e.Kind == tls.EventMessageSent {
				b.sent[e.Name]++
			} else {
				b.received[e.Name]++
			}
		}
		switch {
		case e.Kind == tls.EventMessageReceived && e.Name == "ClientHello":
			if b.hello == nil {
				b.hello, b.helloLen = fields, e.Length
			}
			b.lastHello = fields
		case e.Kind == tls.EventMessageReceived && e.Name == "ClientHelloInner":
			if b.innerHello == nil {
				b.innerHello = fields
			}
		case e.Kind == tls.EventDecision && e.Name == "ech":
			if b.echDecision == "" {
				b.echDecision = e.Detail
			}
		case e.Kind == tls.EventMessageSent && e.Name == "ServerHello":
			if fields.get("hello_retry_request") == nil {
				b.serverHello = fields
			}
		case e.Kind == tls.EventMessageSent && e.Name == "Certificate":
			b.chainSent = fields.list("chain")
			b.certSentDetail, b.certSentLen = e.Detail, e.Length
			_, _, _, b.ccPending = handshake.ParseCompressedCertificateDetail(e.Detail)
		case e.Kind == tls.EventDecision && e.Name == "certificate_compression":
			// A client's compressed certificate in mutual TLS makes one
			// too; only the one after the server's own counts here.
			if b.ccPending {
				b.ccDecision, b.ccPending = e.Detail, false
			}
		case e.Kind == tls.EventMessageSent && e.Name == "CertificateVerify":
			b.sigScheme = fields.str("signature_scheme")
		case e.Kind == tls.EventMessageSent && e.Name == "ServerKeyExchange":
			b.ske = fields
			b.sigScheme = fields.str("signature_scheme")
		case e.Kind == tls.EventMessageSent && strings.HasPrefix(e.Name, "NewSessionTicket"):
			b.ticketSent = true
		case e.Kind == tls.EventCheck:
			if e.Err == nil && e.Detail != "" {
				b.checks = append(b.checks, e.Detail)
			}
		case e.Kind == tls.EventKeyInstalled:
			b.keys = append(b.keys, e.Name+" ("+e.Detail+")")
		}
		b.rep.Events = append(b.rep.Events, ev)
	}
}

// ech says whether the client used ECH and what the path saw of its hello.
func (b *builder) ech() ECH {
	e := ECH{Status: ECHNone, OuterServerName: b.hello.str("server_name"), Decision: b.echDecision}
	switch {
	case b.cs.ECHAccepted:
		e.Status = ECHAccepted
		e.InnerServerName = b.innerHello.str("server_name")
		if e.InnerServerName == "" {
			e.InnerServerName = b.cs.ServerName
		}
	case b.hello.get("encrypted_client_hello") != nil:
		e.Status = ECHGrease
	}
	return e
}

// handshakeMS is the time from the first event to the server's check of
// the client's Finished, on the server's clock.
func (b *builder) handshakeMS() float64 {
	for _, e := range b.rep.Events {
		if e.Kind == "check" && e.Name == "client_finished" {
			return e.TMs
		}
	}
	return 0
}

func clientHello(f Fields, length int) *ClientHello {
	ch := &ClientHello{
		Length:              length,
		LegacyVersion:       f.str("legacy_version"),
		SupportedVersions:   orEmpty(f.list("supported_versions")),
		CipherSuites:        orEmpty(nameSuites(f.list("cipher_suites"))),
		SupportedGroups:     orEmpty(nameGroups(f.list("supported_groups"))),
		KeyShares:           orEmpty(fixByteCounts(nameGroups(greaseShares(f.list("key_shares"))))),
		SignatureAlgorithms: orEmpty(f.list("signature_algorithms")),
		ALPN:                orEmpty(f.list("alpn")),
		ServerName:          f.str("server_name"),
		Extensions:          orEmpty(f.list("extensions")),
		PSKIdentities:       f.num("psk_identities"),
	}
	ch.GREASE = []string{}
	for _, l := range []struct {
		name string
		vals []string
	}{
		{"cipher_suites", ch.CipherSuites},
		{"extensions", ch.Extensions},
		{"supported_versions", ch.SupportedVersions},
		{"supported_groups", ch.SupportedGroups},
		{"key_shares", ch.KeyShares},
		{"signature_algorithms", ch.SignatureAlgorithms},
	} {
		for _, v := range l.vals {
			if isGREASEName(v) {
				ch.GREASE = append(ch.GREASE, l.name+": "+v)
			}
		}
	}
	return ch
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func isGREASEName(s string) bool { return strings.HasPrefix(s, "GREASE(") }

// greaseValue reports whether v is one of RFC 8701's reserved values.
func greaseValue(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// greaseShares names a key share for a GREASE group the way the other
// lists name GREASE values: tls writes it as "group(0x1a1a) (1 bytes)".
func greaseShares(shares []string) []string {
	out := make([]string, len(shares))
	for i, s := range shares {
		out[i] = s
		var v uint16
		var rest string
		if n, _ := fmt.Sscanf(s, "group(0x%04x)%s", &v, &rest); n >= 1 && greaseValue(v) {
			out[i] = fmt.Sprintf("GREASE(0x%04x)", v) + strings.TrimPrefix(s, fmt.Sprintf("group(0x%04x)", v))
		}
	}
	return out
}

// withoutGREASE drops GREASE values from a list.
func withoutGREASE(l []string) []string {
	var out []string
	for _, v := range l {
		if !isGREASEName(v) {
			out = append(out, v)
		}
	}
	return out
}

// chain describes the certificates the server sent, with details when
// one of the configured chains matches what was sent.
func (b *builder) chain() []Certificate {
	sent := b.chainSent
	var parsed []*x509.Certificate
	if b.o.TLSConfig != nil {
		for _, c := range b.o.TLSConfig.Certificates {
			var certs []*x509.Certificate
			for _, der := range c.Certificate {
				x, err := x509.ParseCertificate(der)
				if err != nil {
					certs = nil
					break
				}
				certs = append(certs, x)
			}
			if len(certs) == 0 {
				continue
			}
			if sent == nil && len(b.o.TLSConfig.Certificates) == 1 && b.cs.DidResume {
				break // nothing was sent: show nothing
			}
			if len(certs) == len(sent) {
				match := true
				for i, x := range certs {
					if x.Subject.String()+" issued by "+x.Issuer.String() != sent[i] {
						match = false
					}
				}
				if match {
					parsed = certs
					break
				}
			}
		}
	}
	var out []Certificate
	for i, s := range sent {
		c := Certificate{Summary: s}
		if parsed != nil {
			x := parsed[i]
			c.Subject, c.Issuer = x.Subject.String(), x.Issuer.String()
			c.DNSNames = x.DNSNames
			for _, ip := range x.IPAddresses {
				c.IPAddresses = append(c.IPAddresses, ip.String())
			}
			c.NotBefore = x.NotBefore.UTC().Format(time.RFC3339)
			c.NotAfter = x.NotAfter.UTC().Format(time.RFC3339)
			c.PublicKey = pki.KeyName(x.PublicKey)
			c.SignatureAlgorithm = x.SignatureAlgorithm.String()
			sum := sha256.Sum256(x.Raw)
			c.SHA256 = hex.EncodeToString(sum[:])
			c.IsCA = x.IsCA
		}
		out = append(out, c)
	}
	return out
}

// leafKey describes the key of the server's leaf certificate, if known.
func (b *builder) leafKey() string {
	if b.o.TLSConfig == nil || len(b.chainSent) == 0 {
		return ""
	}
	for _, c := range b.o.TLSConfig.Certificates {
		if len(c.Certificate) == 0 {
			continue
		}
		x, err := x509.ParseCertificate(c.Certificate[0])
		if err == nil && x.Subject.String()+" issued by "+x.Issuer.String() == b.chainSent[0] {
			return pki.KeyName(x.PublicKey)
		}
	}
	return ""
}

// UnmarshalJSON reads the object MarshalJSON writes, keeping its order;
// whole numbers become ints.
func (f *Fields) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("inspect: fields are not an object")
	}
	var out Fields
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		switch x := v.(type) {
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				v = int(x)
			}
		case []any:
			l := make([]string, 0, len(x))
			for _, item := range x {
				s, ok := item.(string)
				if !ok {
					return fmt.Errorf("inspect: field %q holds a list of non-strings", key)
				}
				l = append(l, s)
			}
			v = l
		}
		out = append(out, tls.Field{Key: key, Value: v})
	}
	*f = out
	return nil
}
