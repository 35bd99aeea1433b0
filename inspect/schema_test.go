package inspect_test

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

	"lucid/inspect"
)

// This validator is the one trace's tests use for lucid.trace/1.

// A tiny JSON Schema (draft 2020-12) validator for the keywords
// schema/inspect-v1.json uses. A keyword it does not know is an error, so the
// schema cannot grow a rule this test would silently skip.

type jsonSchema struct {
	root map[string]any
}

func loadSchema(t *testing.T) *jsonSchema {
	t.Helper()
	raw, err := os.ReadFile("schema/inspect-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, inspect.JSONSchema()) {
		t.Fatal("inspect.JSONSchema differs from schema/inspect-v1.json")
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

// The validator must catch what it claims to, or passing it means little.
func TestValidatorRejects(t *testing.T) {
	s := loadSchema(t)
	for name, doc := range map[string]string{
		"empty object":   `{}`,
		"wrong schema":   `{"schema":"lucid.inspect/2"}`,
		"unknown member": `{"schema":"lucid.inspect/1","secret":"00"}`,
	} {
		v, err := decodeJSON([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if s.validate(v) == nil {
			t.Errorf("%s: the validator accepts %s", name, doc)
		}
	}
}
