package trace_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"lucid/trace"
)

// A tiny JSON Schema (draft 2020-12) validator for the keywords
// schema/trace-v1.json uses. A keyword it does not know is an error, so the
// schema cannot grow a rule this test would silently skip.

type jsonSchema struct {
	root map[string]any
}

func loadSchema(t *testing.T) *jsonSchema {
	t.Helper()
	raw, err := os.ReadFile("schema/trace-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, trace.JSONSchema()) {
		t.Fatal("trace.JSONSchema differs from schema/trace-v1.json")
	}
	v, err := decodeJSON(raw)
	if err != nil {
		t.Fatalf("schema: %v", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		t.Fatal("schema is not an object")
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Fatalf("schema declares %v, want draft 2020-12", root["$schema"])
	}
	return &jsonSchema{root: root}
}

// decodeJSON decodes exactly one JSON value, keeping numbers exact.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// validate checks one document against the whole schema.
func (s *jsonSchema) validate(doc any) error {
	return s.check(s.root, doc, "$")
}

var annotations = map[string]bool{"$schema": true, "$id": true, "title": true, "description": true, "$comment": true, "$defs": true}

func (s *jsonSchema) check(node map[string]any, v any, path string) error {
	for kw, arg := range node {
		if annotations[kw] {
			continue
		}
		if err := s.keyword(node, kw, arg, v, path); err != nil {
			return err
		}
	}
	return nil
}

func (s *jsonSchema) keyword(node map[string]any, kw string, arg, v any, path string) error {
	switch kw {
	case "$ref":
		ref, _ := arg.(string)
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := s.root["$defs"].(map[string]any)
		target, found := defs[name].(map[string]any)
		if !ok || !found {
			return fmt.Errorf("%s: unresolvable $ref %q", path, ref)
		}
		return s.check(target, v, path)
	case "type":
		if !hasType(arg.(string), v) {
			return fmt.Errorf("%s: %v is not of type %s", path, v, arg)
		}
	case "const":
		if !reflect.DeepEqual(arg, v) {
			return fmt.Errorf("%s: %v is not %v", path, v, arg)
		}
	case "enum":
		for _, want := range arg.([]any) {
			if reflect.DeepEqual(want, v) {
				return nil
			}
		}
		return fmt.Errorf("%s: %v is not one of %v", path, v, arg)
	case "minimum", "maximum":
		n, ok := v.(json.Number)
		if !ok {
			return nil
		}
		x, _ := strconv.ParseFloat(string(n), 64)
		bound, _ := strconv.ParseFloat(string(arg.(json.Number)), 64)
		if (kw == "minimum" && x < bound) || (kw == "maximum" && x > bound) {
			return fmt.Errorf("%s: %v is outside %s %v", path, n, kw, bound)
		}
	case "minLength":
		if str, ok := v.(string); ok && int64(len([]rune(str))) < mustInt(arg) {
			return fmt.Errorf("%s: %q is shorter than %v", path, str, arg)
		}
	case "minItems":
		if a, ok := v.([]any); ok && int64(len(a)) < mustInt(arg) {
			return fmt.Errorf("%s: fewer than %v items", path, arg)
		}
	case "minProperties":
		if o, ok := v.(map[string]any); ok && int64(len(o)) < mustInt(arg) {
			return fmt.Errorf("%s: fewer than %v members", path, arg)
		}
	case "format":
		if arg != "date-time" {
			return fmt.Errorf("%s: unsupported format %v", path, arg)
		}
		if str, ok := v.(string); ok {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return fmt.Errorf("%s: %q is not a date-time: %v", path, str, err)
			}
		}
	case "required":
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for _, name := range arg.([]any) {
			if _, ok := o[name.(string)]; !ok {
				return fmt.Errorf("%s: missing required member %q", path, name)
			}
		}
	case "properties":
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		for name, sub := range arg.(map[string]any) {
			if mv, ok := o[name]; ok {
				if err := s.check(sub.(map[string]any), mv, path+"."+name); err != nil {
					return err
				}
			}
		}
	case "additionalProperties":
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		props, _ := node["properties"].(map[string]any)
		for name, mv := range o {
			if _, declared := props[name]; declared {
				continue
			}
			switch a := arg.(type) {
			case bool:
				if !a {
					return fmt.Errorf("%s: unexpected member %q", path, name)
				}
			case map[string]any:
				if err := s.check(a, mv, path+"."+name); err != nil {
					return err
				}
			}
		}
	case "items":
		a, ok := v.([]any)
		if !ok {
			return nil
		}
		for i, item := range a {
			if err := s.check(arg.(map[string]any), item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case "anyOf":
		var errs []string
		for _, sub := range arg.([]any) {
			err := s.check(sub.(map[string]any), v, path)
			if err == nil {
				return nil
			}
			errs = append(errs, err.Error())
		}
		return fmt.Errorf("%s: matches no alternative (%s)", path, strings.Join(errs, "; "))
	default:
		return fmt.Errorf("%s: the test validator does not support keyword %q", path, kw)
	}
	return nil
}

func mustInt(arg any) int64 {
	n, _ := arg.(json.Number).Int64()
	return n
}

func hasType(typ string, v any) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		return ok && !strings.ContainsAny(string(n), ".eE")
	}
	return false
}

// validateLines checks that out is a sequence of lines, each one JSON
// object valid under the schema, and returns them decoded.
func validateLines(t *testing.T, s *jsonSchema, out string) []map[string]any {
	t.Helper()
	if out == "" || !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline: %q", out)
	}
	var docs []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		v, err := decodeJSON([]byte(line))
		if err != nil {
			t.Fatalf("line %d does not parse: %v\n%s", i+1, err, line)
		}
		if err := s.validate(v); err != nil {
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
	if v, err := decodeJSON([]byte(good)); err != nil || s.validate(v) != nil {
		t.Fatalf("a valid line fails: %v %v", err, s.validate(v))
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
		v, err := decodeJSON([]byte(line))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.validate(v) == nil {
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
	props := s.root["properties"].(map[string]any)
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
