// Package jsonschema is a tiny JSON Schema (draft 2020-12) validator for
// the keywords Lucid's own schemas use (schema/trace-v1.json,
// schema/inspect-v1.json), for tests only. A keyword it does not know is an
// error, so a schema cannot grow a rule the tests would silently skip.
//
// Keywords are checked as validation reaches them, not when a schema is
// compiled, and a keyword whose argument has the wrong JSON type panics:
// the schemas are Lucid's own files, and a test failing loudly on a broken
// one is what is wanted.
package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Draft is the only $schema a schema may declare: the keywords below follow
// its meanings, and another draft could mean something else by them.
const Draft = "https://json-schema.org/draft/2020-12/schema"

// Schema is a compiled schema. It is never modified after Compile, so one
// Schema may validate from several goroutines.
type Schema struct {
	root map[string]any
}

// Compile decodes raw as a schema: one JSON object declaring $schema
// Draft.
func Compile(raw []byte) (*Schema, error) {
	v, err := Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("schema: %v", err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema is not an object")
	}
	if root["$schema"] != Draft {
		return nil, fmt.Errorf("schema declares %v, want draft 2020-12", root["$schema"])
	}
	return &Schema{root: root}, nil
}

// Root returns the decoded schema object, as Decode returns it, so tests
// can compare the schema's members with the Go source. Callers must not
// modify it.
func (s *Schema) Root() map[string]any {
	return s.root
}

// Decode decodes exactly one JSON value, with numbers as json.Number: a
// float64 would round a uint64 such as a sequence number, and would lose
// whether a number was written as an integer, which the "integer" type
// checks. Trailing data is an error, so a line holding two values fails.
func Decode(data []byte) (any, error) {
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

// Validate checks doc, a value as Decode returns it, against the whole
// schema. The error names the first failing location as a path from "$".
func (s *Schema) Validate(doc any) error {
	return s.check(s.root, doc, "$")
}

// annotations are keywords that say nothing about a document; $defs is
// only reached through $ref.
var annotations = map[string]bool{"$schema": true, "$id": true, "title": true, "description": true, "$comment": true, "$defs": true}

func (s *Schema) check(node map[string]any, v any, path string) error {
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

func (s *Schema) keyword(node map[string]any, kw string, arg, v any, path string) error {
	switch kw {
	case "$ref":
		// Only local definitions: the schemas are self-contained.
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
		// JSON Schema counts characters, not bytes.
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
		// The draft makes format an annotation by default; here it is an
		// assertion, and any format but date-time is refused rather than
		// passed unchecked.
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
		// Only this node's properties count as declared: patternProperties
		// is not supported, so nothing else can declare a member.
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
		// Every alternative's error is kept: the first alone would hide
		// which one the document came closest to.
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

// mustInt reads an integer keyword argument such as minLength.
func mustInt(arg any) int64 {
	n, _ := arg.(json.Number).Int64()
	return n
}

// hasType reports whether v, as Decode returns it, is of the JSON Schema
// type typ. An integer is a number written without a fraction or exponent:
// stricter than the draft, which accepts 1.0, but it needs no float
// arithmetic, which could not tell a large uint64 from its neighbours.
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
