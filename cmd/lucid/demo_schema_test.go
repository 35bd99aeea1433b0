package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lucid/internal/jsonschema"
)

// loadDemoSchema compiles schema/demo-v1.json. lucid/internal/jsonschema
// refuses a keyword it does not know, so the schema cannot grow a rule
// this test would silently skip.
func loadDemoSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("schema", "demo-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Compile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every line demo --json writes for each recorded story, with and without
// --show-secrets, is valid under schema/demo-v1.json, and the lines come
// in the documented order: steps 1 to 8, the attacks, done.
func TestDemoJSONSchema(t *testing.T) {
	s := loadDemoSchema(t)
	for _, m := range demoModes {
		for _, secrets := range []bool{false, true} {
			out := render(t, readStory(t, filepath.Join(goldenDir, m.name+".story.json")), "json", secrets)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			var kinds []string
			for i, line := range lines {
				v, err := jsonschema.Decode([]byte(line))
				if err != nil {
					t.Fatalf("%s line %d does not parse: %v", m.name, i+1, err)
				}
				if err := s.Validate(v); err != nil {
					t.Errorf("%s (secrets %v) line %d: %v\n%s", m.name, secrets, i+1, err, line)
				}
				o := v.(map[string]any)
				switch {
				case o["step"] != nil:
					kinds = append(kinds, "step "+o["step"].(string))
				case o["attack"] != nil:
					kinds = append(kinds, "attack")
				default:
					kinds = append(kinds, "done")
				}
			}
			want := "step 1,step 2,step 3,step 4,step 5,step 6,step 7,step 8,attack,attack,attack,attack,attack,done"
			if got := strings.Join(kinds, ","); got != want {
				t.Errorf("%s: lines %s, want %s", m.name, got, want)
			}
		}
	}
}

// The schema must refuse what it claims to, or passing it means little.
func TestDemoJSONSchemaRejects(t *testing.T) {
	s := loadDemoSchema(t)
	for name, line := range map[string]string{
		"empty":            `{}`,
		"unknown step":     `{"step":"9","title":"x","facts":{}}`,
		"step 8 no facts":  `{"step":"8","title":"x","facts":{}}`,
		"unknown attack":   `{"attack":"bribe","title":"x","outcome":"stopped","alert":"","stopped_by":"","facts":{}}`,
		"tamper bad field": `{"attack":"replay","title":"x","outcome":"stopped","alert":"a","stopped_by":"b","facts":{"record":1,"served_first":"GET","server_error":"e","secret":"00"}}`,
		"0-RTT bad field":  `{"attack":"replay0rtt","title":"x","outcome":"stopped","alert":"","stopped_by":"b","facts":{"max_early_data":1,"early_accepted":true,"accept_decision":"","served_early":"","flight":[],"flight_bytes":0,"replay_decision":"","timeline":[],"answer":[],"server_error":"","relay_error":"","handler_runs":1,"psk":"00"}}`,
		"0-RTT no runs":    `{"attack":"replay0rtt","title":"x","outcome":"stopped","alert":"","stopped_by":"b","facts":{"max_early_data":1,"early_accepted":true,"accept_decision":"","served_early":"","flight":[],"flight_bytes":0,"replay_decision":"","timeline":[],"answer":[],"server_error":"","relay_error":""}}`,
		"0-RTT bad record": `{"attack":"replay0rtt","title":"x","outcome":"stopped","alert":"","stopped_by":"b","facts":{"max_early_data":1,"early_accepted":true,"accept_decision":"","served_early":"","flight":[{"n":1,"dir":"up","type":"handshake","version":"TLS 1.0","bytes":5}],"flight_bytes":0,"replay_decision":"","timeline":[],"answer":[],"server_error":"","relay_error":"","handler_runs":1}}`,
		"done not done":    `{"done":false,"ok":true,"seconds":1,"version":"TLS 1.3","key_exchange":"x","attacks":[]}`,
		"ECH, no name":     `{"step":"1","title":"x","facts":{"client":"","server":"","wiretap":"","client_random_bytes":32,"clienthello_bytes":1,"offered":{"versions":[],"cipher_suites":[],"groups":[],"key_shares":[],"signature_schemes":[],"alpn":[],"server_name":""},"ech":{"grease":false,"config_id":1,"hpke_suite":"x","enc_bytes":32,"payload_bytes":1}}}`,
		"GREASE with name": `{"step":"1","title":"x","facts":{"client":"","server":"","wiretap":"","client_random_bytes":32,"clienthello_bytes":1,"offered":{"versions":[],"cipher_suites":[],"groups":[],"key_shares":[],"signature_schemes":[],"alpn":[],"server_name":""},"ech":{"grease":true,"config_id":1,"hpke_suite":"x","enc_bytes":32,"payload_bytes":1,"inner_server_name":"localhost"}}}`,
	} {
		v, err := jsonschema.Decode([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		if s.Validate(v) == nil {
			t.Errorf("%s: the schema accepts %s", name, line)
		}
	}
}
