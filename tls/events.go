package tls

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"lucid/fingerprint"
	"lucid/internal/conn"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/record"
	"lucid/internal/signature"
	"lucid/internal/wire"
)

// EventKind classifies an Event.
type EventKind uint8

// The kinds of events a connection reports to Config.Observer.
const (
	EventMessageSent EventKind = iota + 1
	EventMessageReceived
	EventKeyInstalled
	EventRecordSent
	EventRecordReceived
	EventAlertSent
	EventAlertReceived
	EventCheck
	EventDecision
)

var eventKindNames = [...]string{"", "message_sent", "message_received", "key_installed", "record_sent", "record_received", "alert_sent", "alert_received", "check", "decision"}

// String names the kind as the JSON trace writes it.
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && k != 0 {
		return eventKindNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Field is one named public value of an event, such as the cipher suites a
// ClientHello offered. Value is a string, a number, a bool or a []string.
type Field struct {
	Key   string
	Value any
}

// Event is one observable step of a connection: a handshake message, a
// key installed, a record, an alert, a check or a decision. Events carry
// names, lengths and public values only, never key material: secrets leave
// the process only through Config.KeyLogWriter.
type Event struct {
	Kind EventKind
	// Time comes from Config.Time, like every clock read of a connection.
	Time time.Time
	// Name is the message, key, check, decision or alert name.
	Name string
	// Outbound is true for what this side sends or installs to write with.
	Outbound bool
	// Epoch counts key changes in one direction: 0 in the clear, then one
	// per new key (handshake, application, each KeyUpdate).
	Epoch int
	// ContentType and Seq describe a record.
	ContentType string
	Seq         uint64
	// Length is the message, record or key length in bytes.
	Length int
	Detail string
	Err    error
	// Fields are the decoded public content of a message.
	Fields []Field
	// SeedStep ties the event to the step of the seed's story it
	// implements (1-8), or 0.
	SeedStep int
}

// observe reports an event if anyone listens; with no Observer it is one
// nil check, so unobserved connections pay nothing.
func (c *Conn) observe(e Event) {
	obs := c.observer
	if obs == nil {
		return
	}
	e.Time = c.config.now()
	obs(e)
}

// SetObserver sets the function that receives this connection's events,
// in place of Config.Observer, for per-connection views such as a page that
// shows a visitor their own handshake. Call it before the handshake starts;
// nil turns events off. A Lucid addition.
func (c *Conn) SetObserver(f func(Event)) {
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	c.observer = f
}

// engineEvent turns an engine's event into the public form.
func (c *Conn) engineEvent(he handshake.Event) {
	e := Event{Name: he.Name, Length: he.Length, Detail: he.Detail, Err: he.Err}
	switch he.Kind {
	case handshake.MessageSent:
		e.Kind, e.Outbound = EventMessageSent, true
	case handshake.MessageReceived:
		e.Kind = EventMessageReceived
	case handshake.Check:
		e.Kind = EventCheck
	case handshake.Decision:
		e.Kind = EventDecision
	default:
		e.Kind = EventDecision
	}
	if he.Message != nil {
		e.Fields = describeMessage(he.Message)
	}
	e.SeedStep = seedStep(e)
	c.observe(e)
}

// seedStep maps an event to the seed's numbered steps: a handshake
// message's and a key's step come from the shape table, the one place
// that numbers them; checks are the client's checks (4) but for the
// Finished MACs (6), and protected application data is 7.
func seedStep(e Event) int {
	switch e.Kind {
	case EventMessageSent, EventMessageReceived:
		return handshake.MessageSeedStep(e.Name)
	case EventCheck:
		if strings.HasSuffix(e.Name, "_finished") {
			return handshake.MessageSeedStep(wire.MessageName(wire.TypeFinished))
		}
		return 4
	case EventKeyInstalled:
		return handshake.KeySeedStep()
	case EventRecordSent, EventRecordReceived:
		if e.ContentType == "application_data" {
			return 7
		}
	}
	return 0
}

// coreEvent turns a record-level event of the core into the public form.
func (c *Conn) coreEvent(ce conn.Event) {
	var e Event
	switch ce.Kind {
	case conn.RecordSent, conn.RecordReceived:
		kind := EventRecordReceived
		if ce.Kind == conn.RecordSent {
			kind = EventRecordSent
		}
		ct := record.TypeName(ce.ContentType)
		e = Event{Kind: kind, Name: ct, Outbound: ce.Outbound, ContentType: ct, Seq: ce.Seq, Length: ce.Length, Epoch: ce.Epoch}
	case conn.AlertSent:
		e = Event{Kind: EventAlertSent, Name: ce.Alert.String(), Outbound: true}
	case conn.AlertReceived:
		e = Event{Kind: EventAlertReceived, Name: ce.Alert.String()}
	case conn.KeyInstalled:
		dir := "read"
		if ce.Outbound {
			dir = "write"
		}
		e = Event{Kind: EventKeyInstalled, Name: ce.Level.String() + " traffic key", Outbound: ce.Outbound, Epoch: ce.Epoch, Length: ce.KeyLen, Detail: dir}
	case conn.MessageSent:
		e = Event{Kind: EventMessageSent, Outbound: true, Length: ce.Length}
		if m, ok := ce.Message.(interface{ Type() uint8 }); ok {
			e.Name = wire.MessageName(m.Type())
		}
		e.Fields = describeMessage(ce.Message)
	default:
		e = Event{Kind: EventDecision, Name: ce.Name, Length: ce.Length, Detail: ce.Detail}
	}
	e.SeedStep = seedStep(e)
	c.observe(e)
}

// describeMessage lists a handshake message's public content.
func describeMessage(m any) []Field {
	switch m := m.(type) {
	case *wire.ClientHello:
		if m.Extensions == nil {
			// A hello we built leaves the order to Marshal; read it back.
			if b := m.Marshal(); len(b) > wire.HeaderLen {
				if parsed, err := wire.ParseClientHello(b[wire.HeaderLen:]); err == nil {
					m = parsed
				}
			}
		}
		f := []Field{
			{"legacy_version", VersionName(m.LegacyVersion)},
			{"cipher_suites", mapNames(m.CipherSuites, CipherSuiteName)},
			{"extensions", extensionNames(m.Extensions)},
		}
		if m.SupportedVersions != nil {
			f = append(f, Field{"supported_versions", mapNames(m.SupportedVersions, VersionName)})
		}
		if m.ServerName != "" {
			f = append(f, Field{"server_name", m.ServerName})
		}
		f = append(f, Field{"supported_groups", mapNames(m.SupportedGroups, kex.Name)})
		var shares []string
		for _, ks := range m.KeyShares[:min(len(m.KeyShares), maxListed)] {
			shares = append(shares, fmt.Sprintf("%s (%d bytes)", kex.Name(ks.Group), len(ks.Data)))
		}
		if shares != nil {
			f = append(f, Field{"key_shares", listed(shares, len(m.KeyShares))})
		}
		f = append(f, Field{"signature_algorithms", schemeNames(m.SignatureSchemes)})
		if m.ALPN != nil {
			alpn := slices.Clone(m.ALPN[:min(len(m.ALPN), maxListed)])
			f = append(f, Field{"alpn", listed(alpn, len(m.ALPN))})
		}
		if len(m.PSKIdentities) > 0 {
			f = append(f, Field{"psk_identities", len(m.PSKIdentities)})
		}
		if m.CertCompressionAlgorithms != nil {
			// RFC 8879 §3: the algorithms the client can decompress, in its
			// order; an inspection page shows them beside what was used.
			f = append(f, Field{"compress_certificate", mapNames(m.CertCompressionAlgorithms, wire.CertCompressionName)})
		}
		if m.ECH != nil {
			f = append(f, Field{"encrypted_client_hello", echDescription(m.ECH)})
		}
		_, ja3 := fingerprint.JA3(m)
		ja4, _ := fingerprint.JA4(m, 't')
		return append(f, Field{"ja3", ja3}, Field{"ja4", ja4})
	case *wire.ServerHello:
		if m.Extensions == nil {
			if b := m.Marshal(); len(b) > wire.HeaderLen {
				if parsed, err := wire.ParseServerHello(b[wire.HeaderLen:]); err == nil {
					m = parsed
				}
			}
		}
		f := []Field{{"cipher_suite", CipherSuiteName(m.CipherSuite)}, {"extensions", extensionNames(m.Extensions)}}
		if m.IsHelloRetryRequest() {
			f = append(f, Field{"hello_retry_request", true})
		}
		if m.SupportedVersion != 0 {
			f = append(f, Field{"selected_version", VersionName(m.SupportedVersion)})
		} else {
			f = append(f, Field{"version", VersionName(m.LegacyVersion)})
		}
		if m.KeyShare.Group != 0 {
			f = append(f, Field{"key_share", fmt.Sprintf("%s (%d bytes)", kex.Name(m.KeyShare.Group), len(m.KeyShare.Data))})
		}
		if m.SelectedGroup != 0 {
			f = append(f, Field{"selected_group", kex.Name(m.SelectedGroup)})
		}
		if m.HasPSK {
			f = append(f, Field{"pre_shared_key", int(m.SelectedIdentity)})
		}
		if m.ALPN != "" {
			f = append(f, Field{"alpn", m.ALPN})
		}
		return f
	case *wire.EncryptedExtensions:
		f := []Field{{"extensions", extensionNames(m.Extensions)}}
		if m.ALPN != "" {
			f = append(f, Field{"alpn", m.ALPN})
		}
		if m.ECHRetryConfigs != nil {
			f = append(f, Field{"ech_retry_configs", len(m.ECHRetryConfigs)})
		}
		return f
	case *wire.Certificate:
		chain := make([][]byte, len(m.Entries))
		for i, e := range m.Entries {
			chain[i] = e.Data
		}
		return []Field{{"chain", certificateNames(chain)}}
	case *wire.Certificate12:
		return []Field{{"chain", certificateNames(m.Certificates)}}
	case *wire.CertificateVerify:
		return []Field{{"signature_scheme", signature.Scheme(m.Scheme).String()}, {"signature_bytes", len(m.Signature)}}
	case *wire.ServerKeyExchangeECDHE:
		return []Field{{"group", kex.Name(m.Group)}, {"public_key_bytes", len(m.PublicKey)}, {"signature_scheme", signature.Scheme(m.Scheme).String()}}
	case *wire.CertificateRequest:
		return []Field{{"signature_algorithms", schemeNames(m.SignatureSchemes)}, {"certificate_authorities", len(m.CertificateAuthorities)}}
	case *wire.CertificateRequest12:
		return []Field{{"signature_algorithms", schemeNames(m.SignatureSchemes)}, {"certificate_authorities", len(m.CertificateAuthorities)}}
	case *wire.Finished:
		return []Field{{"verify_data_bytes", len(m.VerifyData)}}
	case *wire.NewSessionTicket:
		return []Field{{"lifetime_seconds", int(m.Lifetime)}, {"ticket_bytes", len(m.Ticket)}}
	case *wire.KeyUpdate:
		return []Field{{"update_requested", m.RequestUpdate}}
	case *wire.NewSessionTicket12:
		return []Field{{"lifetime_hint_seconds", int(m.LifetimeHint)}, {"ticket_bytes", len(m.Ticket)}}
	}
	return nil
}

// maxListed bounds the entries an event lists from one field of a peer's
// message. Real hellos offer a few dozen suites, groups and extensions; a
// hostile one can offer thirty thousand, and an Observer that keeps its
// events (the inspection page's recorder does) would keep them all.
const maxListed = 64

// listed cuts a list to maxListed entries, saying how many it left out.
func listed(out []string, total int) []string {
	if total > len(out) {
		out = append(out, fmt.Sprintf("… and %d more", total-len(out)))
	}
	return out
}

func mapNames(all []uint16, name func(uint16) string) []string {
	ids := all[:min(len(all), maxListed)]
	out := make([]string, 0, len(ids)+1)
	for _, id := range ids {
		if wire.IsGREASE(id) {
			out = append(out, fmt.Sprintf("GREASE(0x%04x)", id))
			continue
		}
		out = append(out, name(id))
	}
	return listed(out, len(all))
}

func schemeNames(ids []uint16) []string {
	return mapNames(ids, func(v uint16) string { return signature.Scheme(v).String() })
}

func extensionNames(ids []uint16) []string {
	return mapNames(ids, func(v uint16) string { return wire.ExtensionName(v) })
}

func certificateNames(chain [][]byte) []string {
	var out []string
	for _, der := range chain {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			out = append(out, fmt.Sprintf("unparsable (%d bytes)", len(der)))
			continue
		}
		out = append(out, cert.Subject.String()+" issued by "+cert.Issuer.String())
	}
	return out
}
