package trace

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"lucid/internal/handshake"
	"lucid/tls"
)

// TimelineOptions configures a Timeline. The zero value is the default:
// no records, no color.
type TimelineOptions struct {
	// Records prints record_sent and record_received events too. Off by
	// default: every message already has a line, and records double the
	// output.
	Records bool
	// Color marks failures red, passed checks green and seed-step labels
	// cyan with ANSI escapes. Off by default, for files and pipes. The
	// words (FAILED, ALERT, ERROR) are there with or without color.
	Color bool
}

// Timeline writes one line per event for people to read: the time in
// milliseconds since the first event it saw, a mark (→ sent, ← received,
// • key installed, ✓ check passed, ✗ check failed, ◆ decision), the name,
// and the event's key facts. When a connection reaches a new step of the
// seed's story it first prints that step's label, such as
// "[seed 4: client checks the certificate]". Failed checks, alerts and
// errors are spelled out in words.
//
// A Timeline is safe for concurrent use. Write errors stop the output and
// are kept for Err.
type Timeline struct {
	mu       sync.Mutex
	w        io.Writer
	opts     TimelineOptions
	start    time.Time
	started  bool
	lastStep map[string]int
	err      error
}

// NewTimeline returns a Timeline writing to w.
func NewTimeline(w io.Writer, opts TimelineOptions) *Timeline {
	return &Timeline{w: w, opts: opts, lastStep: make(map[string]int)}
}

// Observe prints e. It has the signature of tls.Config.Observer.
func (t *Timeline) Observe(e tls.Event) { t.observe("", e) }

// For returns an observer that prints like Observe with label (such as
// "client" or "server") in a column of its own. Seed-step labels are
// tracked per label, so two ends sharing one Timeline each show their own
// progress.
func (t *Timeline) For(label string) func(tls.Event) {
	return func(e tls.Event) { t.observe(label, e) }
}

// Err returns the first error writing to the underlying writer, if any.
func (t *Timeline) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// ANSI escapes, used only with TimelineOptions.Color.
const (
	ansiReset = "\x1b[0m"
	ansiRed   = "\x1b[1;31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
	ansiDim   = "\x1b[2m"
)

// Column widths of a timeline line.
const (
	timeWidth  = 11 // "   12.345ms"
	labelWidth = 7
	nameWidth  = 24
)

func (t *Timeline) observe(label string, e tls.Event) {
	if !t.opts.Records && (e.Kind == tls.EventRecordSent || e.Kind == tls.EventRecordReceived) {
		return
	}
	at := e.Time
	if at.IsZero() {
		at = time.Now()
	}
	mark, name, summary, tone := describe(e)

	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return
	}
	if !t.started {
		t.start, t.started = at, true
	}
	var b bytes.Buffer
	labelCol := ""
	if label != "" {
		labelCol = fmt.Sprintf("%-*s ", labelWidth, label)
	}
	if step, ok := SeedSteps[e.SeedStep]; ok && t.lastStep[label] != e.SeedStep {
		t.lastStep[label] = e.SeedStep
		b.WriteString(strings.Repeat(" ", timeWidth+2))
		b.WriteString(labelCol)
		b.WriteString(t.paint(ansiCyan, step.Label()))
		b.WriteByte('\n')
	}
	ms := float64(at.Sub(t.start)) / float64(time.Millisecond)
	b.WriteString(t.paint(ansiDim, fmt.Sprintf("%*.3fms", timeWidth-2, ms)))
	b.WriteString("  ")
	b.WriteString(labelCol)
	line := mark + " " + name
	if summary != "" {
		line = fmt.Sprintf("%s %-*s %s", mark, nameWidth, name, summary)
	}
	b.WriteString(t.paint(tone, line))
	b.WriteByte('\n')
	if _, err := t.w.Write(b.Bytes()); err != nil {
		t.err = err
	}
}

func (t *Timeline) paint(code, s string) string {
	if !t.opts.Color || code == "" {
		return s
	}
	return code + s + ansiReset
}

// describe picks an event's mark, name column, summary and color.
func describe(e tls.Event) (mark, name, summary, tone string) {
	arrow := "←"
	if e.Outbound {
		arrow = "→"
	}
	var parts []string
	switch e.Kind {
	case tls.EventMessageSent, tls.EventMessageReceived:
		mark, name = arrow, e.Name
		parts = summarizeMessage(e.Name, e.Fields)
	case tls.EventRecordSent, tls.EventRecordReceived:
		mark, name, tone = arrow, "record "+e.ContentType, ansiDim
		parts = []string{fmt.Sprintf("seq %d", e.Seq), fmt.Sprintf("epoch %d", e.Epoch), fmt.Sprintf("%d bytes", e.Length)}
	case tls.EventKeyInstalled:
		mark, name = "•", e.Name
		use := "installed for reading"
		if e.Outbound {
			use = "installed for writing"
		}
		parts = []string{use, fmt.Sprintf("epoch %d", e.Epoch)}
		if e.Length > 0 {
			parts = append(parts, fmt.Sprintf("%d-byte key", e.Length))
		}
	case tls.EventAlertSent, tls.EventAlertReceived:
		mark = arrow
		verb := "received from the peer"
		if e.Outbound {
			verb = "sent to the peer"
		}
		if e.Name == "close_notify" {
			name = "alert close_notify"
			parts = []string{"orderly close, " + verb}
		} else {
			name, tone = "ALERT "+e.Name, ansiRed
			parts = []string{"ALERT " + verb}
		}
	case tls.EventCheck:
		if e.Err != nil {
			mark, name, tone = "✗", e.Name, ansiRed
			parts = []string{"FAILED: " + e.Err.Error()}
		} else {
			mark, name, tone = "✓", e.Name, ansiGreen
		}
	case tls.EventDecision:
		mark, name = "◆", e.Name
		if e.Name == string(handshake.DecisionShape) {
			// The shape's sentence comes from the table the engine
			// checked the handshake against.
			if shape, ok := handshake.ShapeNamed(e.Detail); ok {
				parts = []string{e.Detail + ": " + shape.Summary()}
				e.Detail = ""
			}
		}
	default:
		mark, name = "?", e.Kind.String()+" "+e.Name
	}
	if e.Detail != "" && e.Kind != tls.EventKeyInstalled {
		parts = append(parts, e.Detail)
	}
	if e.Err != nil && e.Kind != tls.EventCheck {
		parts = append(parts, "ERROR: "+e.Err.Error())
		tone = ansiRed
	}
	return mark, name, strings.Join(parts, ", "), tone
}

// summarizeMessage picks the facts worth a glance from a handshake
// message's fields; the JSON trace keeps them all.
func summarizeMessage(name string, fields []tls.Field) []string {
	f := fieldMap(fields)
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	switch name {
	case "ClientHello":
		if v := f.strings("supported_versions"); len(v) > 0 {
			add(versionList(v))
		} else {
			add(f.string("legacy_version"))
		}
		if n := len(f.strings("cipher_suites")); n > 0 {
			add(plural(n, "suite"))
		}
		if g := f.strings("supported_groups"); len(g) > 0 {
			add("groups " + shortList(g, 2))
		}
		if s := f.string("server_name"); s != "" {
			add("SNI " + s)
		}
		if a := f.strings("alpn"); len(a) > 0 {
			add("ALPN " + strings.Join(a, " "))
		}
		if n, ok := f.number("psk_identities"); ok && n > 0 {
			add("offers resumption")
		}
	case "ServerHello":
		if v := f.string("selected_version"); v != "" {
			add(v)
		} else {
			add(f.string("version"))
		}
		add(f.string("cipher_suite"))
		if ks := f.string("key_share"); ks != "" {
			add("key share " + stripSize(ks))
		}
		if b, _ := f.value("hello_retry_request").(bool); b {
			add("HelloRetryRequest")
		}
		if g := f.string("selected_group"); g != "" {
			add("asks for " + g)
		}
		if _, ok := f.number("pre_shared_key"); ok {
			add("resumes a session")
		}
		if a := f.string("alpn"); a != "" {
			add("ALPN " + a)
		}
	case "EncryptedExtensions":
		if a := f.string("alpn"); a != "" {
			add("ALPN " + a)
		}
		if x := f.strings("extensions"); len(x) > 0 {
			add("extensions " + shortList(x, 4))
		}
	case "Certificate":
		chain := f.strings("chain")
		switch len(chain) {
		case 0:
			add("empty chain")
		case 1:
			add("1 cert: " + chain[0])
		default:
			add(fmt.Sprintf("%d certs: %s, …", len(chain), chain[0]))
		}
	case "CertificateVerify":
		add(f.string("signature_scheme"))
		if n, ok := f.number("signature_bytes"); ok {
			add(fmt.Sprintf("%d-byte signature", n))
		}
	case "ServerKeyExchange":
		add(f.string("group"))
		if s := f.string("signature_scheme"); s != "" {
			add("signed with " + s)
		}
	case "CertificateRequest":
		if n := len(f.strings("signature_algorithms")); n > 0 {
			add(plural(n, "signature algorithm"))
		}
		if n, ok := f.number("certificate_authorities"); ok && n > 0 {
			add(plural(int(n), "CA name"))
		}
	case "Finished":
		if n, ok := f.number("verify_data_bytes"); ok {
			add(fmt.Sprintf("%d-byte MAC of the handshake", n))
		}
	case "NewSessionTicket":
		if n, ok := f.number("ticket_bytes"); ok {
			add(fmt.Sprintf("%d-byte ticket", n))
		}
		for _, k := range []string{"lifetime_seconds", "lifetime_hint_seconds"} {
			if n, ok := f.number(k); ok {
				add("lifetime " + (time.Duration(n) * time.Second).String())
			}
		}
	default:
		for _, fl := range fields {
			add(genericField(fl))
		}
	}
	return out
}

// fields gives by-key access to an event's fields.
type fields map[string]any

func fieldMap(fs []tls.Field) fields {
	m := make(fields, len(fs))
	for _, f := range fs {
		if _, dup := m[f.Key]; !dup {
			m[f.Key] = f.Value
		}
	}
	return m
}

func (f fields) value(k string) any { return f[k] }

func (f fields) string(k string) string {
	s, _ := f[k].(string)
	return s
}

func (f fields) strings(k string) []string {
	s, _ := f[k].([]string)
	return s
}

func (f fields) number(k string) (int64, bool) {
	switch v := f[k].(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint64:
		return int64(v), true
	}
	return 0, false
}

func genericField(f tls.Field) string {
	switch v := f.Value.(type) {
	case nil:
		return ""
	case string:
		if v == "" {
			return ""
		}
		return f.Key + " " + v
	case []string:
		if len(v) == 0 {
			return ""
		}
		return f.Key + " " + shortList(v, 3)
	default:
		return fmt.Sprintf("%s %v", f.Key, v)
	}
}

// versionList writes ["TLS 1.3", "TLS 1.2"] as "TLS 1.3/1.2".
func versionList(v []string) string {
	out := make([]string, len(v))
	for i, s := range v {
		if i > 0 {
			s = strings.TrimPrefix(s, "TLS ")
		}
		out[i] = s
	}
	return strings.Join(out, "/")
}

// shortList shows the first n items of a list and "…" for the rest.
func shortList(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, " ")
	}
	return strings.Join(items[:n], " ") + " …"
}

// stripSize turns "x25519 (32 bytes)" into "x25519".
func stripSize(s string) string {
	if i := strings.Index(s, " ("); i > 0 {
		return s[:i]
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
