package main

import (
	"bytes"
	"strings"
	"testing"
)

// --record-size-limit reaches the options of serve and get, and a value
// RFC 8449 forbids (below 64) or TLS cannot use (above 16385) is a usage
// error that says the range.
func TestRecordSizeLimitFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	so, _, ok := parseServeFlags([]string{"--cert", "a.crt", "--key", "a.key", "--record-size-limit", "512"}, &stdout, &stderr)
	if !ok || so.RecordSizeLimit != 512 {
		t.Fatalf("serve: ok %v, limit %d (stderr %q)", ok, so.RecordSizeLimit, &stderr)
	}
	g, _, ok := parseGetFlags([]string{"--record-size-limit", "16385", "https://localhost/"}, &stdout, &stderr)
	if !ok || g.RecordSizeLimit != 16385 {
		t.Fatalf("get: ok %v, limit %d (stderr %q)", ok, g.RecordSizeLimit, &stderr)
	}
	for _, bad := range []string{"63", "16386", "70000", "x"} {
		stderr.Reset()
		if _, code, ok := parseServeFlags([]string{"--cert", "a.crt", "--key", "a.key", "--record-size-limit", bad}, &stdout, &stderr); ok || code != exitUsage || !strings.Contains(stderr.String(), "64 to 16385") {
			t.Errorf("serve --record-size-limit %s: ok %v, code %d, stderr %q", bad, ok, code, &stderr)
		}
		stderr.Reset()
		if _, code, ok := parseGetFlags([]string{"--record-size-limit", bad, "https://localhost/"}, &stdout, &stderr); ok || !strings.Contains(stderr.String(), "64 to 16385") {
			t.Errorf("get --record-size-limit %s: ok %v, code %d, stderr %q", bad, ok, code, &stderr)
		}
	}
}
