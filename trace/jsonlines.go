package trace

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sync"
	"time"

	"lucid/tls"
)

// SchemaVersion names the JSON trace format; every line carries it as
// "schema".
const SchemaVersion = "lucid.trace/1"

//go:embed schema/trace-v1.json
var schemaV1 []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of a JSONLines line,
// the file schema/trace-v1.json.
func JSONSchema() []byte { return bytes.Clone(schemaV1) }

// JSONLines writes one JSON object per event, one per line, for programs
// (jq, log pipelines, the inspection page). Schema lucid.trace/1, also in
// schema/trace-v1.json (JSON Schema draft 2020-12), has these members, in
// this order; optional ones are left out when they do not apply:
//
//	schema        string   always "lucid.trace/1"
//	t_ms          number   milliseconds since the first event this writer saw,
//	                       to the microsecond; may be slightly negative when
//	                       concurrent connections report out of order
//	time          string   the event's time (from tls.Config.Time), RFC 3339
//	                       with nanoseconds
//	kind          string   message_sent, message_received, key_installed,
//	                       record_sent, record_received, alert_sent,
//	                       alert_received, check or decision
//	name          string   message, key, record content type, alert, check or
//	                       decision name
//	source        string   optional: the label given to For, such as "client"
//	dir           string   optional: "out" or "in"; for messages, records and
//	                       alerts the direction, for keys "out" is a write
//	                       key and "in" a read key; absent for checks and
//	                       decisions
//	epoch         integer  optional: key epoch, for records and keys (0 is
//	                       plaintext)
//	content_type  string   optional: record content type, for records
//	seq           integer  optional: record sequence number, for records
//	length        integer  optional: bytes of the record (always present for
//	                       records), message or key
//	detail        string   optional: what a check found or a decision chose
//	error         string   optional: why a check or step failed
//	seed_step     integer  optional: 1-8, the seed step the event implements
//	                       (see SeedSteps)
//	fields        object   optional: the message's public content; each value
//	                       is a string, number, boolean or array of strings,
//	                       in the order the message carries them; empty
//	                       values are left out
//
// Versioning: the schema string changes (lucid.trace/2, trace-v2.json)
// whenever a member is added, removed, or changes type or meaning, so a
// consumer of lucid.trace/1 can rely on exactly these members. Lines carry
// public values only, never key material.
//
// A JSONLines is safe for concurrent use; each event is written with one
// Write call. Write errors stop the output and are kept for Err.
type JSONLines struct {
	mu      sync.Mutex
	w       io.Writer
	start   time.Time
	started bool
	err     error
}

// NewJSONLines returns a JSONLines writing to w.
func NewJSONLines(w io.Writer) *JSONLines { return &JSONLines{w: w} }

// Observe writes e as one line. It has the signature of
// tls.Config.Observer.
func (j *JSONLines) Observe(e tls.Event) { j.observe("", e) }

// For returns an observer that writes like Observe and adds "source":
// label to each line, to tell the ends of a connection (or several
// connections) apart in one stream.
func (j *JSONLines) For(label string) func(tls.Event) {
	return func(e tls.Event) { j.observe(label, e) }
}

// Err returns the first error writing to the underlying writer, if any.
func (j *JSONLines) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// jsonLine is one line of lucid.trace/1; the field order is the schema's.
type jsonLine struct {
	Schema      string     `json:"schema"`
	TMs         float64    `json:"t_ms"`
	Time        string     `json:"time"`
	Kind        string     `json:"kind"`
	Name        string     `json:"name"`
	Source      string     `json:"source,omitempty"`
	Dir         string     `json:"dir,omitempty"`
	Epoch       *int       `json:"epoch,omitempty"`
	ContentType string     `json:"content_type,omitempty"`
	Seq         *uint64    `json:"seq,omitempty"`
	Length      *int       `json:"length,omitempty"`
	Detail      string     `json:"detail,omitempty"`
	Error       string     `json:"error,omitempty"`
	SeedStep    int        `json:"seed_step,omitempty"`
	Fields      jsonFields `json:"fields,omitempty"`
}

func (j *JSONLines) observe(source string, e tls.Event) {
	at := e.Time
	if at.IsZero() {
		at = time.Now()
	}
	line := jsonLine{
		Schema: SchemaVersion,
		Time:   at.Format(time.RFC3339Nano),
		Kind:   e.Kind.String(),
		Name:   e.Name,
		Source: source,
		Detail: e.Detail,
		Fields: cleanFields(e.Fields),
	}
	if e.Err != nil {
		line.Error = e.Err.Error()
	}
	if _, ok := SeedSteps[e.SeedStep]; ok {
		line.SeedStep = e.SeedStep
	}
	switch e.Kind {
	case tls.EventRecordSent, tls.EventRecordReceived:
		epoch, seq, length := e.Epoch, e.Seq, e.Length
		line.Epoch, line.Seq, line.Length = &epoch, &seq, &length
		line.ContentType = e.ContentType
	case tls.EventKeyInstalled:
		epoch := e.Epoch
		line.Epoch = &epoch
	}
	switch e.Kind {
	case tls.EventCheck, tls.EventDecision:
	default:
		line.Dir = "in"
		if e.Outbound {
			line.Dir = "out"
		}
	}
	if line.Length == nil && e.Length > 0 {
		length := e.Length
		line.Length = &length
	}

	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return
	}
	if !j.started {
		j.start, j.started = at, true
	}
	line.TMs = math.Round(float64(at.Sub(j.start))/float64(time.Microsecond)) / 1000
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&line); err != nil {
		j.err = fmt.Errorf("trace: encoding %s %s: %w", line.Kind, line.Name, err)
		return
	}
	if _, err := j.w.Write(b.Bytes()); err != nil {
		j.err = err
	}
}

// jsonFields writes an event's fields as one JSON object, keeping their
// order.
type jsonFields []tls.Field

// cleanFields keeps the fields worth writing: values mapped onto the
// schema's types, empty values and repeated keys left out.
func cleanFields(fs []tls.Field) jsonFields {
	var out jsonFields
	seen := make(map[string]bool, len(fs))
	for _, f := range fs {
		v, ok := fieldValue(f.Value)
		if !ok || seen[f.Key] {
			continue
		}
		seen[f.Key] = true
		out = append(out, tls.Field{Key: f.Key, Value: v})
	}
	return out
}

// MarshalJSON implements json.Marshaler.
func (fs jsonFields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(f.Key); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1) // Encode ends with a newline
		b.WriteByte(':')
		if err := enc.Encode(f.Value); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// fieldValue maps a Field value onto the schema's value types (string,
// number, boolean, array of strings); ok is false for an empty value.
// Anything else is written as its fmt.Sprint text.
func fieldValue(v any) (out any, ok bool) {
	switch v := v.(type) {
	case nil:
		return nil, false
	case string:
		return v, v != ""
	case []string:
		return v, len(v) > 0
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v, true
	case float32:
		return fieldValue(float64(v))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Sprint(v), true
		}
		return v, true
	case fmt.Stringer:
		s := v.String()
		return s, s != ""
	default:
		s := fmt.Sprint(v)
		return s, s != ""
	}
}
