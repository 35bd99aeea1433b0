package main

import (
	"bytes"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"
)

// secretsIn parses an NSS key log and returns the secrets, in hex.
func secretsIn(t *testing.T, log string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("key log line %q is not LABEL RANDOM SECRET", line)
		}
		out[f[0]] = f[2]
	}
	if len(out) == 0 {
		t.Fatal("the key log is empty")
	}
	return out
}

var longHex = regexp.MustCompile(`[0-9a-fA-F]{64}`)

func TestDemoTellsTheStory(t *testing.T) {
	var out, kl bytes.Buffer
	if err := runDemo(&out, demoOptions{keyLog: &kl}); err != nil {
		t.Fatalf("runDemo: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"version       TLS 1.3",
		"ClientHello",
		"ServerHello",
		"ecdsa_secp256r1_sha256",
		"public key    ECDSA P-256",
		"issuer        CN=Lucid Demo CA",
		"ok  chain: localhost <- Lucid Demo CA",
		"CLIENT_TRAFFIC_SECRET_0          32 bytes",
		"the HTTP request",
		"| GET /hello HTTP/1.1",
		"| HTTP/1.1 200 OK",
		"bad_record_mac",
		"the peer sent alert bad_record_mac",
		"unknown authority",
		"unknown_ca",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if !regexp.MustCompile(`cipher suite\s+TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)\n`).MatchString(got) {
		t.Error("output does not name a TLS 1.3 cipher suite")
	}
	if m := longHex.FindString(got); m != "" {
		t.Errorf("output holds a 64-hex-digit run without --show-secrets: %s", m)
	}
	for label, secret := range secretsIn(t, kl.String()) {
		if strings.Contains(strings.ToLower(got), strings.ToLower(secret)) {
			t.Errorf("output reveals %s without --show-secrets", label)
		}
	}
	for _, line := range strings.Split(got, "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("line of %d characters: %q", n, line)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", got)
	}
}

func TestDemoShowSecrets(t *testing.T) {
	var out, kl bytes.Buffer
	if err := runDemo(&out, demoOptions{ShowSecrets: true, keyLog: &kl}); err != nil {
		t.Fatalf("runDemo: %v\n%s", err, out.String())
	}
	got := strings.ToLower(out.String())
	secrets := secretsIn(t, kl.String())
	for _, label := range []string{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"} {
		secret, ok := secrets[label]
		if !ok {
			t.Errorf("key log lacks %s", label)
			continue
		}
		if !strings.Contains(got, strings.ToLower(secret)) {
			t.Errorf("--show-secrets output lacks the value of %s", label)
		}
	}
}

func TestKeyLogParsesSplitWrites(t *testing.T) {
	var k keyLog
	line := "CLIENT_TRAFFIC_SECRET_0 " + strings.Repeat("ab", 32) + " " + strings.Repeat("cd", 48) + "\n"
	in := "# a comment\n" + line + "garbage line\n"
	for i := 0; i < len(in); i += 7 {
		k.Write([]byte(in[i:min(i+7, len(in))]))
	}
	got := k.all()
	if len(got) != 1 || got[0].label != "CLIENT_TRAFFIC_SECRET_0" || len(got[0].secret) != 48 || len(got[0].clientRandom) != 32 {
		t.Fatalf("parsed %+v", got)
	}
}

// The wiretap's ClientHello reader must not panic on any truncation or
// corruption of a real ClientHello.
func TestParseClientHelloIsLenient(t *testing.T) {
	ca, err := newDemoCA("Test CA", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.issueServer([]string{demoHost}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	o, err := runScenario(scenario{cert: cert, roots: ca.pool})
	if err != nil || o.clientErr != nil {
		t.Fatalf("scenario: %v, %v", err, o.clientErr)
	}
	recs, _ := o.tap.snapshot()
	rec := recs[0].raw
	h := parseClientHello(rec)
	if h == nil || len(h.random) != 32 || h.serverName != demoHost || len(h.suites) == 0 || len(h.keyShares) == 0 {
		t.Fatalf("parsed %+v", h)
	}
	for n := range len(rec) {
		parseClientHello(rec[:n])
	}
	for i := range len(rec) {
		bad := bytes.Clone(rec)
		bad[i] ^= 0xff
		parseClientHello(bad)
	}
	if parseClientHello([]byte(hex.EncodeToString(rec))) != nil {
		t.Error("hex text parsed as a ClientHello")
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{args: nil, code: 2, stderr: "demo"},
		{args: []string{"-h"}, code: 0, stdout: "lucid demo"},
		{args: []string{"--help"}, code: 0, stdout: "Coming: serve"},
		{args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{args: []string{"serve"}, code: 2, stderr: "not written yet"},
		{args: []string{"demo", "-h"}, code: 0, stderr: "--show-secrets"},
		{args: []string{"demo", "--nope"}, code: 2, stderr: "flag provided but not defined"},
		{args: []string{"demo", "extra"}, code: 2, stderr: "unexpected argument"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code {
			t.Errorf("lucid %q: exit %d, want %d", tc.args, code, tc.code)
		}
		if !strings.Contains(stdout.String(), tc.stdout) {
			t.Errorf("lucid %q: stdout %q lacks %q", tc.args, stdout.String(), tc.stdout)
		}
		if !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("lucid %q: stderr %q lacks %q", tc.args, stderr.String(), tc.stderr)
		}
	}
	for _, args := range [][]string{nil, {"-h"}} {
		var stdout, stderr bytes.Buffer
		run(args, &stdout, &stderr)
		all := stdout.String() + stderr.String()
		for _, want := range []string{"demo", "serve", "get", "ca"} {
			if !strings.Contains(all, want) {
				t.Errorf("lucid %q: usage lacks %q", args, want)
			}
		}
	}
}
