package inspect_test

import (
	"bytes"
	"os"
	"testing"

	"lucid/inspect"
	"lucid/internal/jsonschema"
)

// jsonSchema is schema/inspect-v2.json compiled, under the names the
// tests in this package use: root for reading the schema's members and
// validate for checking a document. lucid/internal/jsonschema refuses a
// keyword it does not know, so the schema cannot grow a rule these tests
// would silently skip.
type jsonSchema struct {
	schema *jsonschema.Schema
	root   map[string]any
}

// loadSchema compiles schema/inspect-v2.json after checking that
// inspect.JSONSchema serves the same bytes, so the tests vouch for what
// callers get.
func loadSchema(t *testing.T) *jsonSchema {
	t.Helper()
	raw, err := os.ReadFile("schema/inspect-v2.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, inspect.JSONSchema()) {
		t.Fatal("inspect.JSONSchema differs from schema/inspect-v2.json")
	}
	s, err := jsonschema.Compile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return &jsonSchema{schema: s, root: s.Root()}
}

// decodeJSON decodes one JSON value the way validate expects it.
func decodeJSON(data []byte) (any, error) {
	return jsonschema.Decode(data)
}

// validate checks one document against the whole schema.
func (s *jsonSchema) validate(doc any) error {
	return s.schema.Validate(doc)
}

// The validator must catch what it claims to, or passing it means little.
func TestValidatorRejects(t *testing.T) {
	s := loadSchema(t)
	for name, doc := range map[string]string{
		"empty object":   `{}`,
		"wrong schema":   `{"schema":"lucid.inspect/1"}`,
		"unknown member": `{"schema":"lucid.inspect/2","secret":"00"}`,
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
