package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMain lets this test binary stand in for the command when the smoke
// test runs a figure in a child process.
func TestMain(m *testing.M) {
	if runAsChild() {
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSmoke runs the command's whole path with tiny runs: a handshake
// figure, the figure that runs in a child process, a floor, the control
// and idle memory. It checks the table, never the timings.
func TestSmoke(t *testing.T) {
	var out strings.Builder
	o := options{rounds: 2, benchtime: 5 * time.Millisecond, bulkMiB: 1, idle: 10, idleRounds: 1,
		figures: regexp.MustCompile(`^(tls13-ecdsa|tls12-id|bulk13-chacha)$`)}
	if err := run(&out, nil, o); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"| TLS 1.3 full, X25519, ECDSA P-256 leaf | ",
		"| TLS 1.2 resumption (session ID)* | ",
		"| bulk, TLS 1.3 ChaCha20-Poly1305, io.Copy (per MiB) | ",
		"| memory per idle connection (10 held",
		"* crypto/tls has no session-ID resumption",
		"2 rounds alternating",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// Every figure row has a ratio with its range.
	ratio := regexp.MustCompile(`\| [0-9.]+ \([0-9.]+–[0-9.]+\) \|`)
	if n := len(ratio.FindAllString(got, -1)); n != 4 {
		t.Errorf("%d rows with a ratio, want 4:\n%s", n, got)
	}
}

func TestParseWrk(t *testing.T) {
	out := `Running 2s test @ https://localhost:40000/
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.21ms  456.78us  12.34ms   90.00%
    Req/Sec    13.05k     1.20k   15.00k    70.00%
  Latency Distribution
     50%    1.10ms
     75%    1.30ms
     90%    1.60ms
     99%    3.25ms
  25996 requests in 2.00s, 3.45MB read
  Socket errors: connect 0, read 3, write 0, timeout 0
Requests/sec:  12990.52
Transfer/sec:      1.72MB
`
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.rps != 12990.52 || r.p99 != 3250*time.Microsecond || r.requests != 25996 {
		t.Errorf("got %v req/s, p99 %v, %d requests; want 12990.52, 3.25ms, 25996", r.rps, r.p99, r.requests)
	}
	if r.errors != "Socket errors: connect 0, read 3, write 0, timeout 0" {
		t.Errorf("errors %q", r.errors)
	}
	if _, err := parseWrk("unable to connect to localhost:1 Connection refused\n"); err == nil {
		t.Error("parseWrk accepted output without figures")
	}
	if _, err := parseWrk(strings.Replace(out, "25996 requests in", "requests in", 1)); err == nil {
		t.Error("parseWrk accepted output without a request count, which the CPU per request divides by")
	}
}
