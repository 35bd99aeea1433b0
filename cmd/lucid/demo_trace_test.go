package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --trace-json writes the main connection's events from both ends as
// lucid.trace/1 lines, labelled "client" and "server".
func TestDemoTraceJSON(t *testing.T) {
	for _, args := range [][]string{{"--tls", "1.3"}, {"--tls", "1.2"}, {"--kx", "rsa"}} {
		file := filepath.Join(t.TempDir(), "trace.jsonl")
		var stdout, stderr bytes.Buffer
		if code := demoMain(append(args, "--attack", "none", "--trace-json", file), &stdout, &stderr); code != 0 {
			t.Fatalf("demo %q: exit %d: %s", args, code, stderr.String())
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("demo %q: line %d: %v: %s", args, i+1, err, line)
			}
			if m["schema"] != "lucid.trace/1" {
				t.Errorf("demo %q: line %d: schema %v", args, i+1, m["schema"])
			}
			seen[m["source"].(string)+" "+m["kind"].(string)+" "+m["name"].(string)] = true
		}
		for _, want := range []string{
			"client message_sent ClientHello", "server message_received ClientHello",
			"server message_sent Certificate", "client message_received Certificate",
			"client message_sent Finished", "server message_received Finished",
			"client record_sent application_data", "server record_received application_data",
		} {
			if !seen[want] {
				t.Errorf("demo %q: --trace-json lacks %q", args, want)
			}
		}
	}

	var stdout, stderr bytes.Buffer
	bad := filepath.Join(t.TempDir(), "no", "such", "dir")
	if code := demoMain([]string{"--attack", "none", "--trace-json", bad}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "--trace-json") {
		t.Errorf("--trace-json into a missing directory: exit %d, %s", code, stderr.String())
	}
}
