package https_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"lucid/https"
	"lucid/tls"
)

// eventLog collects events from several goroutines.
type eventLog struct {
	mu     sync.Mutex
	events []tls.Event
}

func (l *eventLog) observe(e tls.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) names() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		if e.Kind == tls.EventMessageReceived || e.Kind == tls.EventMessageSent {
			out = append(out, e.Name)
		}
	}
	return strings.Join(out, " ")
}

// describeEvents answers with the messages of the request's connection.
var describeEvents = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	events, ok := https.Events(r)
	if !ok {
		fmt.Fprint(w, "no events")
		return
	}
	var names []string
	for _, e := range events {
		if e.Kind == tls.EventMessageReceived || e.Kind == tls.EventMessageSent {
			names = append(names, e.Name)
		}
	}
	fmt.Fprintf(w, "%d events: %s", len(events), strings.Join(names, " "))
})

func TestInspectEvents(t *testing.T) {
	f := getFixture(t)
	var fromConfig, fromConn eventLog
	var connMu sync.Mutex
	var remotes []string
	srv := &https.Server{
		Handler:   describeEvents,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}, Observer: fromConfig.observe},
		Inspect:   true,
		ConnObserver: func(c net.Conn) func(tls.Event) {
			connMu.Lock()
			remotes = append(remotes, c.RemoteAddr().String())
			connMu.Unlock()
			return fromConn.observe
		},
	}
	addr := start(t, srv)
	_, port, _ := net.SplitHostPort(addr)
	for _, proto := range []https.Protocol{https.ProtocolHTTP2, https.ProtocolHTTP1} {
		rt := &https.Transport{TLSConfig: &tls.Config{RootCAs: f.ca.Pool}, Protocol: proto}
		_, body := get(t, rt, "https://localhost:"+port+"/")
		if !strings.Contains(body, "ClientHello ServerHello EncryptedExtensions Certificate CertificateVerify Finished NewSessionTicket Finished") {
			t.Errorf("%v: %s", proto, body)
		}
		rt.CloseIdleConnections()
	}
	connMu.Lock()
	n := len(remotes)
	connMu.Unlock()
	if n != 2 {
		t.Errorf("ConnObserver called %d times, want 2", n)
	}
	// Config.Observer still sees every event, and ConnObserver's function
	// the same ones.
	if got := fromConfig.names(); strings.Count(got, "ClientHello") != 2 {
		t.Errorf("Config.Observer saw %q", got)
	}
	if a, b := fromConfig.names(), fromConn.names(); a != b {
		t.Errorf("Config.Observer saw %q, ConnObserver %q", a, b)
	}
}

func TestInspectLimitAndOff(t *testing.T) {
	f := getFixture(t)
	addr := start(t, &https.Server{Handler: describeEvents, TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}}, Inspect: true, InspectLimit: 3})
	_, port, _ := net.SplitHostPort(addr)
	rt := &https.Transport{TLSConfig: &tls.Config{RootCAs: f.ca.Pool}}
	if _, body := get(t, rt, "https://localhost:"+port+"/"); !strings.HasPrefix(body, "3 events: ClientHello") {
		t.Errorf("with InspectLimit 3: %s", body)
	}

	addr = start(t, &https.Server{Handler: describeEvents, TLSConfig: &tls.Config{Certificates: []tls.Certificate{f.server}}})
	_, port, _ = net.SplitHostPort(addr)
	if _, body := get(t, rt, "https://localhost:"+port+"/"); body != "no events" {
		t.Errorf("without Inspect: %s", body)
	}
	if _, ok := https.Events(nil); ok {
		t.Error("Events(nil) is ok")
	}
}
