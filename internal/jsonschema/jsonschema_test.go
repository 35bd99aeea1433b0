package jsonschema

import (
	"encoding/json"
	"strings"
	"testing"
)

// compile builds a schema from the members of its root object, adding the
// $schema line every schema needs.
func compile(t *testing.T, members string) *Schema {
	t.Helper()
	s, err := Compile([]byte(`{"$schema":"` + Draft + `"` + members + `}`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *Schema, doc string) error {
	t.Helper()
	v, err := Decode([]byte(doc))
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	return s.Validate(v)
}

// Each keyword must reject what it claims to and accept its boundary, or
// passing the validator means little.
func TestKeywords(t *testing.T) {
	for _, c := range []struct {
		name, schema string
		good, bad    []string
	}{
		{"type object", `,"type":"object"`, []string{`{}`}, []string{`[]`, `"x"`, `null`}},
		{"type array", `,"type":"array"`, []string{`[]`}, []string{`{}`}},
		{"type string", `,"type":"string"`, []string{`""`}, []string{`1`}},
		{"type boolean", `,"type":"boolean"`, []string{`false`}, []string{`"true"`, `0`}},
		{"type null", `,"type":"null"`, []string{`null`}, []string{`0`, `""`}},
		{"type number", `,"type":"number"`, []string{`1`, `-1.5e3`}, []string{`"1"`}},
		{"type integer", `,"type":"integer"`, []string{`0`, `-7`, `18446744073709551615`}, []string{`1.5`, `1.0`, `1e3`, `"1"`}},
		{"const", `,"const":"v1"`, []string{`"v1"`}, []string{`"v2"`, `1`}},
		{"enum", `,"enum":["a",1,null]`, []string{`"a"`, `1`, `null`}, []string{`"b"`, `2`}},
		{"minimum", `,"minimum":0`, []string{`0`, `0.5`, `"-1"`}, []string{`-1`, `-0.5`}},
		{"maximum", `,"maximum":7`, []string{`7`, `{}`}, []string{`8`, `7.01`}},
		// JSON Schema counts characters, so two runes in four bytes are
		// too short for 3.
		{"minLength", `,"minLength":3`, []string{`"abc"`, `"ééé"`, `1`}, []string{`"ab"`, `"éé"`}},
		{"minItems", `,"minItems":1`, []string{`[1]`, `"x"`}, []string{`[]`}},
		{"minProperties", `,"minProperties":1`, []string{`{"a":1}`, `[]`}, []string{`{}`}},
		{"format", `,"format":"date-time"`, []string{`"2026-01-02T03:04:05.123456789Z"`, `"2026-01-02T03:04:05+01:00"`, `1`}, []string{`"yesterday"`, `"2026-01-02"`}},
		{"required", `,"required":["a","b"]`, []string{`{"a":1,"b":2}`, `[]`}, []string{`{"a":1}`, `{}`}},
		{"properties", `,"properties":{"a":{"type":"string"}}`, []string{`{"a":"x"}`, `{}`, `{"b":1}`}, []string{`{"a":1}`}},
		{"closed object", `,"properties":{"a":{}},"additionalProperties":false`, []string{`{"a":1}`, `{}`}, []string{`{"b":1}`}},
		{"additionalProperties schema", `,"properties":{"a":{}},"additionalProperties":{"type":"string"}`, []string{`{"a":1,"b":"x"}`}, []string{`{"b":1}`}},
		{"items", `,"items":{"type":"string"}`, []string{`[]`, `["a","b"]`}, []string{`["a",1]`}},
		{"anyOf", `,"anyOf":[{"type":"string"},{"type":"boolean"}]`, []string{`"x"`, `true`}, []string{`1`, `null`}},
		{"$ref", `,"$defs":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/s"}}`, []string{`{"a":"x"}`}, []string{`{"a":1}`}},
		{"annotations", `,"$id":"urn:x","title":"t","description":"d","$comment":"c"`, []string{`1`, `{}`}, nil},
	} {
		s := compile(t, c.schema)
		for _, doc := range c.good {
			if err := validate(t, s, doc); err != nil {
				t.Errorf("%s: %s fails: %v", c.name, doc, err)
			}
		}
		for _, doc := range c.bad {
			if validate(t, s, doc) == nil {
				t.Errorf("%s: the validator accepts %s", c.name, doc)
			}
		}
	}
}

// A keyword the validator cannot check is an error, never a pass: a rule
// skipped in silence would make a schema look enforced when it is not.
func TestUnsupported(t *testing.T) {
	for name, members := range map[string]string{
		"unknown keyword":  `,"pattern":"^a"`,
		"unknown format":   `,"format":"email"`,
		"remote $ref":      `,"$ref":"https://example.com/s.json"`,
		"missing $ref":     `,"$ref":"#/$defs/nope"`,
		"nested unknown":   `,"properties":{"a":{"maxLength":1}}`,
		"unknown in $defs": `,"$defs":{"s":{"multipleOf":2}},"$ref":"#/$defs/s"`,
	} {
		err := validate(t, compile(t, members), `{"a":"x"}`)
		if err == nil {
			t.Errorf("%s: the validator accepts", name)
		}
	}
	err := validate(t, compile(t, `,"pattern":"^a"`), `"a"`)
	if err == nil || !strings.Contains(err.Error(), `"pattern"`) {
		t.Errorf("unknown keyword: error %v does not name it", err)
	}
}

// Errors name where the document fails, or a long trace line would be hard
// to fix.
func TestErrorPath(t *testing.T) {
	s := compile(t, `,"properties":{"a":{"items":{"properties":{"b":{"type":"string"}}}}}`)
	err := validate(t, s, `{"a":[{"b":"x"},{"b":1}]}`)
	if err == nil || !strings.HasPrefix(err.Error(), "$.a[1].b: ") {
		t.Errorf("error %v, want it to start with $.a[1].b", err)
	}
}

func TestCompileRejects(t *testing.T) {
	for name, raw := range map[string]string{
		"not JSON":      `{`,
		"not an object": `["` + Draft + `"]`,
		"no draft":      `{"type":"object"}`,
		"other draft":   `{"$schema":"http://json-schema.org/draft-07/schema#"}`,
		"trailing data": `{"$schema":"` + Draft + `"} {}`,
	} {
		if _, err := Compile([]byte(raw)); err == nil {
			t.Errorf("%s: Compile accepts %s", name, raw)
		}
	}
}

// Decode keeps numbers as written, so a uint64 survives and an integer is
// told from a fraction, and takes exactly one value.
func TestDecode(t *testing.T) {
	v, err := Decode([]byte(`{"seq":18446744073709551615,"t":1.50}`))
	if err != nil {
		t.Fatal(err)
	}
	o := v.(map[string]any)
	if o["seq"] != json.Number("18446744073709551615") || o["t"] != json.Number("1.50") {
		t.Errorf("numbers decode as %#v", o)
	}
	for _, bad := range []string{``, `{} {}`, `1 2`, `{"a":}`} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode accepts %q", bad)
		}
	}
	if _, err := Decode([]byte("{}\n")); err != nil {
		t.Errorf("Decode refuses a trailing newline: %v", err)
	}
}
