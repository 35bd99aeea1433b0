package trace_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"lucid/internal/jsonschema"
	"lucid/trace"
)

// loadSchema compiles schema/trace-v1.json after checking that
// trace.JSONSchema serves the same bytes, so the tests vouch for what
// callers get. lucid/internal/jsonschema refuses a keyword it does not
// know, so the schema cannot grow a rule these tests would silently skip.
func loadSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile("schema/trace-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, trace.JSONSchema()) {
		t.Fatal("trace.JSONSchema differs from schema/trace-v1.json")
	}
	s, err := jsonschema.Compile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validateLines checks that out is a sequence of lines, each one JSON
// object valid under the schema, and returns them decoded.
func validateLines(t *testing.T, s *jsonschema.Schema, out string) []map[string]any {
	t.Helper()
	if out == "" || !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline: %q", out)
	}
	var docs []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		v, err := jsonschema.Decode([]byte(line))
		if err != nil {
			t.Fatalf("line %d does not parse: %v\n%s", i+1, err, line)
		}
		if err := s.Validate(v); err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, line)
		}
		docs = append(docs, v.(map[string]any))
	}
	return docs
}

// The validator must catch what it claims to, or passing it means little.
func TestValidatorRejects(t *testing.T) {
	s := loadSchema(t)
	good := `{"schema":"lucid.trace/1","t_ms":1.5,"time":"2026-01-02T03:04:05.123456789Z","kind":"record_sent","name":"handshake","dir":"out","epoch":0,"content_type":"handshake","seq":18446744073709551615,"length":0,"seed_step":7,"fields":{"a":"b","n":3,"ok":true,"list":["x"]}}`
	if v, err := jsonschema.Decode([]byte(good)); err != nil || s.Validate(v) != nil {
		t.Fatalf("a valid line fails: %v %v", err, s.Validate(v))
	}
	for name, line := range map[string]string{
		"missing kind":     `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","name":"x"}`,
		"wrong schema":     `{"schema":"lucid.trace/2","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x"}`,
		"unknown kind":     `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"nap","name":"x"}`,
		"bad time":         `{"schema":"lucid.trace/1","t_ms":0,"time":"yesterday","kind":"check","name":"x"}`,
		"string t_ms":      `{"schema":"lucid.trace/1","t_ms":"0","time":"2026-01-02T03:04:05Z","kind":"check","name":"x"}`,
		"fractional seq":   `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","seq":1.5}`,
		"negative length":  `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","length":-1}`,
		"seed step 9":      `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","seed_step":9}`,
		"sideways dir":     `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","dir":"up"}`,
		"unknown member":   `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","secret":"00"}`,
		"empty detail":     `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","detail":""}`,
		"nested field":     `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","fields":{"a":{"b":1}}}`,
		"number in list":   `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","fields":{"a":[1]}}`,
		"empty fields":     `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","fields":{}}`,
		"empty list field": `{"schema":"lucid.trace/1","t_ms":0,"time":"2026-01-02T03:04:05Z","kind":"check","name":"x","fields":{"a":[]}}`,
	} {
		v, err := jsonschema.Decode([]byte(line))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Validate(v) == nil {
			t.Errorf("%s: the validator accepts %s", name, line)
		}
	}
}

// The doc comment on JSONLines and the schema file describe the same
// members.
func TestSchemaDocumented(t *testing.T) {
	s := loadSchema(t)
	src, err := os.ReadFile("jsonlines.go")
	if err != nil {
		t.Fatal(err)
	}
	props := s.Root()["properties"].(map[string]any)
	for name := range props {
		if !bytes.Contains(src, []byte("//\t"+name+" ")) {
			t.Errorf("member %q is in the schema but not in the JSONLines doc comment", name)
		}
		if !bytes.Contains(src, []byte(`json:"`+name)) {
			t.Errorf("member %q is in the schema but JSONLines never writes it", name)
		}
	}
	if got := props["schema"].(map[string]any)["const"]; got != trace.SchemaVersion {
		t.Errorf("schema const %v, SchemaVersion %s", got, trace.SchemaVersion)
	}
}
