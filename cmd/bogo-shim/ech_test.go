package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"lucid/tls"
)

// echKey makes an ECH key for public.example and the ECHConfigList that
// holds its config, both as the runner passes them: base64.
func echKey(t *testing.T, id uint8) (tls.EncryptedClientHelloKey, string) {
	t.Helper()
	k, err := tls.GenerateEncryptedClientHelloKey("public.example", id)
	if err != nil {
		t.Fatal(err)
	}
	list, err := tls.MarshalECHConfigList(k.Config)
	if err != nil {
		t.Fatal(err)
	}
	return k, base64.StdEncoding.EncodeToString(list)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestECHServerAccepts(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	old, _ := echKey(t, 1)
	cur, list := echKey(t, 2)
	listBytes, _ := base64.StdEncoding.DecodeString(list)
	r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile,
		"-ech-server-config", b64(old.Config), "-ech-server-key", b64(old.PrivateKey), "-ech-is-retry-config", "0",
		"-ech-server-config", b64(cur.Config), "-ech-server-key", b64(cur.PrivateKey), "-ech-is-retry-config", "1",
		"-expect-ech-accept", "-expect-server-name", "secret.example")
	c := tls.Client(r.accept(), &tls.Config{InsecureSkipVerify: true, ServerName: "secret.example", EncryptedClientHelloConfigList: listBytes})
	exchange(t, c, "hello")
	if !c.ConnectionState().ECHAccepted {
		t.Error("the client's ECH was not accepted")
	}
	c.Close()
	if code := r.wait(); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, r.stderr)
	}
}

func TestECHServerAcceptUnexpected(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	k, list := echKey(t, 1)
	listBytes, _ := base64.StdEncoding.DecodeString(list)
	r := startShim(t, "-server", "-cert-file", certFile, "-key-file", keyFile,
		"-ech-server-config", b64(k.Config), "-ech-server-key", b64(k.PrivateKey), "-ech-is-retry-config", "1")
	c := tls.Client(r.accept(), &tls.Config{InsecureSkipVerify: true, ServerName: "secret.example", EncryptedClientHelloConfigList: listBytes})
	c.Handshake()
	c.Close()
	if code := r.wait(); code != 1 || !strings.Contains(r.stderr.String(), "ECH was accepted, but wanted opposite") {
		t.Fatalf("exit %d, stderr %q; want the acceptance refused", code, r.stderr)
	}
}

func TestECHServerKeyFlagsMustMatch(t *testing.T) {
	k, _ := echKey(t, 1)
	var stderr bytes.Buffer
	code := run([]string{"-server", "-port", "1", "-ech-server-config", b64(k.Config), "-ech-server-key", b64(k.PrivateKey)}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "must match") {
		t.Fatalf("exit %d, stderr %q", code, &stderr)
	}
}

// rejectingServer is a Lucid server whose only ECH key is not the one the
// client encrypts to, so it answers the outer hello for public.example and
// sends its key's config as the retry config.
func rejectingServer(t *testing.T) (*tls.Config, []byte) {
	t.Helper()
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := echKey(t, 9)
	retry, err := tls.MarshalECHConfigList(k.Config)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, EncryptedClientHelloKeys: []tls.EncryptedClientHelloKey{k}}, retry
}

func TestECHClientRejected(t *testing.T) {
	_, stale := echKey(t, 1)
	for _, tc := range []struct {
		name   string
		flags  func(retry []byte) []string
		stderr string
	}{
		{"RetryConfigs", func(retry []byte) []string {
			return []string{"-expect-ech-retry-configs", b64(retry), "-expect-ech-name-override", "public.example"}
		}, ":ECH_REJECTED:"},
		{"WrongRetryConfigs", func([]byte) []string { return []string{"-expect-ech-retry-configs", stale} }, "ECH retry configs did not match"},
		{"NoRetryConfigsExpected", func([]byte) []string { return []string{"-expect-no-ech-retry-configs"} }, "ECH retry configs did not match"},
		{"NoNameOverrideExpected", func([]byte) []string { return []string{"-expect-no-ech-name-override"} }, "unexpected ECH name override"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			server, retry := rejectingServer(t)
			r := startShim(t, append([]string{"-ech-config-list", stale, "-host-name", "secret.example"}, tc.flags(retry)...)...)
			c := tls.Server(r.accept(), server)
			c.Handshake()
			c.Close()
			code := r.wait()
			if code != 1 || !strings.Contains(r.stderr.String(), tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %q", code, r.stderr, tc.stderr)
			}
			if tc.stderr != ":ECH_REJECTED:" && strings.Contains(r.stderr.String(), ":ECH_REJECTED:") {
				t.Errorf("stderr %q names the rejection the runner expects, though a check failed", r.stderr)
			}
		})
	}
}

func TestECHClientAcceptedNoOverride(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	k, list := echKey(t, 3)
	server := &tls.Config{Certificates: []tls.Certificate{cert}, EncryptedClientHelloKeys: []tls.EncryptedClientHelloKey{k}}
	r := startShim(t, "-ech-config-list", list, "-host-name", "secret.example", "-expect-ech-accept",
		"-expect-no-ech-name-override", "-shim-writes-first")
	c := tls.Server(r.accept(), server)
	first := make([]byte, len(hello))
	if _, err := io.ReadFull(c, first); err != nil {
		t.Fatal(err)
	}
	if cs := c.ConnectionState(); !cs.ECHAccepted || cs.ServerName != "secret.example" {
		t.Errorf("server: ECHAccepted %v, name %q", cs.ECHAccepted, cs.ServerName)
	}
	c.Close()
	if code := r.wait(); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, r.stderr)
	}
}

// TestECHGrease checks that the shim's client sends GREASE ECH only under
// -enable-ech-grease, as BoringSSL's does, though Lucid's default is on.
func TestECHGrease(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, grease := range []bool{false, true} {
		var flags []string
		if grease {
			flags = []string{"-enable-ech-grease"}
		}
		r := startShim(t, flags...)
		var sent atomic.Bool
		c := tls.Server(r.accept(), &tls.Config{Certificates: []tls.Certificate{cert}})
		c.SetObserver(func(e tls.Event) {
			if e.Kind != tls.EventMessageReceived || e.Name != "ClientHello" {
				return
			}
			for _, f := range e.Fields {
				if l, ok := f.Value.([]string); ok && f.Key == "extensions" && slices.Contains(l, "encrypted_client_hello") {
					sent.Store(true)
				}
			}
		})
		exchange(t, c, "x")
		c.Close()
		if code := r.wait(); code != 0 {
			t.Fatalf("grease %v: exit %d, stderr %q", grease, code, r.stderr)
		}
		if sent.Load() != grease {
			t.Errorf("-enable-ech-grease %v: the hello carried encrypted_client_hello: %v", grease, sent.Load())
		}
	}
}

func TestECHUnimplemented(t *testing.T) {
	_, list := echKey(t, 1)
	for _, args := range [][]string{
		{"-ech-config-list", list, "-enable-early-data", "-on-resume-expect-accept-early-data", "-port", "1"},
		{"-ech-config-list", list, "-enable-early-data", "-on-resume-expect-reject-early-data", "-port", "1"},
		{"-server", "-fail-early-callback-ech-rewind", "-port", "1"},
	} {
		var stderr bytes.Buffer
		if code := run(args, io.Discard, &stderr); code != exitUnimplemented {
			t.Errorf("%q: exit %d, want %d (stderr %q)", args, code, exitUnimplemented, &stderr)
		}
	}
}

func TestCheckNameOverride(t *testing.T) {
	for _, tc := range []struct {
		s        settings
		override string
		ok       bool
	}{
		{settings{}, "", true},
		{settings{}, "public.example", true},
		{settings{expectNoECHNameOverride: true}, "", true},
		{settings{expectNoECHNameOverride: true}, "public.example", false},
		{settings{expectECHNameOverride: "public.example"}, "public.example", true},
		{settings{expectECHNameOverride: "public.example"}, "", false},
		{settings{expectECHNameOverride: "public.example"}, "other.example", false},
	} {
		if err := checkNameOverride(&tc.s, tc.override); (err == nil) != tc.ok {
			t.Errorf("%+v with override %q: %v", tc.s, tc.override, err)
		}
	}
}
