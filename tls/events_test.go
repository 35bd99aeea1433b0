package tls_test

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"lucid/internal/testwait"
	"lucid/tls"
)

// eventLog collects events from one side.
type eventLog struct {
	mu     sync.Mutex
	events []tls.Event
}

func (l *eventLog) add(e tls.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) snapshot() []tls.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func (l *eventLog) names(kind tls.EventKind) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		if e.Kind == kind {
			out = append(out, e.Name)
		}
	}
	return out
}

func TestObserver(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		f := newLucidFixture(t, "ecdsa-p256")
		var clog, slog eventLog
		var keylog bytes.Buffer
		c, s := pair(t)
		client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", Observer: clog.add, KeyLogWriter: &keylog, MaxVersion: v})
		server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, Observer: slog.add})
		serverDone := make(chan struct{})
		go func() {
			defer close(serverDone)
			server.Write([]byte("hello"))
			server.Close()
		}()
		if _, err := io.ReadAll(client); err != nil {
			t.Fatal(err)
		}
		// The client has the close_notify before Close returns on the
		// server, which may still be recording events.
		testwait.Recv(t, serverDone, "the server to close")
		want := map[uint16][]string{
			tls.VersionTLS13: {"ServerHello", "EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"},
			tls.VersionTLS12: {"ServerHello", "Certificate", "ServerKeyExchange", "ServerHelloDone", "Finished"},
		}[v]
		got := clog.names(tls.EventMessageReceived)
		if strings.Join(got, ",") != strings.Join(want, ",") && !strings.HasPrefix(strings.Join(got, ","), strings.Join(want, ",")) {
			t.Fatalf("%s: client received %v, want %v", tls.VersionName(v), got, want)
		}
		if sent := clog.names(tls.EventMessageSent); len(sent) == 0 || sent[0] != "ClientHello" {
			t.Fatalf("client sent %v", sent)
		}
		if len(clog.names(tls.EventKeyInstalled)) < 2 || len(clog.names(tls.EventCheck)) == 0 {
			t.Fatalf("%s: missing key or check events", tls.VersionName(v))
		}
		if a := clog.names(tls.EventAlertReceived); len(a) != 1 || a[0] != "close_notify" {
			t.Fatalf("alerts received %v", a)
		}
		// The ClientHello event lists what was offered.
		var hello *tls.Event
		serverEvents := slog.snapshot()
		for i, e := range serverEvents {
			if e.Kind == tls.EventMessageReceived && e.Name == "ClientHello" {
				hello = &serverEvents[i]
			}
		}
		if hello == nil || !strings.Contains(fmt.Sprint(hello.Fields), "AES_128_GCM_SHA256") || hello.SeedStep != 1 {
			t.Fatalf("server's ClientHello event: %+v", hello)
		}
		// The server fingerprints the client, and the event and the
		// connection state agree.
		st := server.ConnectionState()
		if !regexp.MustCompile(`^t1[23]d\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$`).MatchString(st.JA4) || len(st.JA3) != 32 ||
			!strings.Contains(fmt.Sprint(hello.Fields), st.JA4) {
			t.Fatalf("fingerprints: JA3 %q JA4 %q", st.JA3, st.JA4)
		}
		// No secret from the key log appears in any event.
		for _, line := range strings.Split(strings.TrimSpace(keylog.String()), "\n") {
			secret := line[strings.LastIndexByte(line, ' ')+1:]
			for _, e := range append(clog.snapshot(), serverEvents...) {
				if strings.Contains(fmt.Sprintf("%+v", e), secret) {
					t.Fatalf("event %s reveals a secret", e.Name)
				}
			}
		}
	}
}

// KeyUpdate shows up as a message both ways, with the key it installs.
func TestObserverKeyUpdate(t *testing.T) {
	var clog, slog eventLog
	client, server := lucidPair(t, &tls.Config{Observer: slog.add}, &tls.Config{Observer: clog.add})
	go func() {
		buf := make([]byte, 1)
		io.ReadFull(server, buf)
		server.Write(buf)
	}()
	if err := client.UpdateKeys(true); err != nil {
		t.Fatal(err)
	}
	client.Write([]byte{1})
	if _, err := io.ReadFull(client, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	if got := clog.names(tls.EventMessageSent); got[len(got)-1] != "KeyUpdate" {
		t.Fatalf("client sent %v", got)
	}
	if got := slog.names(tls.EventMessageReceived); !strings.Contains(strings.Join(got, ","), "KeyUpdate") {
		t.Fatalf("server received %v", got)
	}
	if got := clog.names(tls.EventMessageReceived); !strings.Contains(strings.Join(got, ","), "KeyUpdate") {
		t.Fatalf("client did not see the requested KeyUpdate come back: %v", got)
	}
}

// RFC 8446 §4.6.3: a side that sends nothing between them answers several
// update_requested KeyUpdates with a single KeyUpdate of its own, and
// answers again once it has sent application data.
func TestKeyUpdateAnsweredOncePerSilence(t *testing.T) {
	var slog eventLog
	client, server := lucidPair(t, &tls.Config{Observer: slog.add}, &tls.Config{})
	echo := func() {
		buf := make([]byte, 1)
		if _, err := io.ReadFull(server, buf); err != nil {
			t.Error(err)
			return
		}
		server.Write(buf)
	}
	sentUpdates := func() int {
		n := 0
		for _, name := range slog.names(tls.EventMessageSent) {
			if name == "KeyUpdate" {
				n++
			}
		}
		return n
	}
	for round, want := range []int{1, 2} {
		done := make(chan struct{})
		go func() { echo(); close(done) }()
		for range 3 {
			if err := client.UpdateKeys(true); err != nil {
				t.Fatal(err)
			}
		}
		client.Write([]byte{1})
		if _, err := io.ReadFull(client, make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		<-done
		if got := sentUpdates(); got != want {
			t.Fatalf("round %d: server sent %d KeyUpdates in all, want %d", round, got, want)
		}
	}
}
