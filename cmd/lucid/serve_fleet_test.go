package main

// Three `lucid serve` instances on one real redis-server, driven by
// openssl s_client (issue 17's check): a session from one server resumes
// on another in every way TLS has (TLS 1.3 tickets, TLS 1.2 tickets and
// session IDs); a 0-RTT first flight accepted by one is refused as a
// replay by another; with Redis killed or frozen, new connections still
// complete and early data is refused; after Redis restarts empty, sessions
// resume across the fleet again, on their own.

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lucid/internal/testproxy"
	"lucid/internal/testredis"
	"lucid/internal/testwait"
)

// fleetMember is one server of the test's fleet.
type fleetMember struct {
	*runningServer
	trace string // its JSON trace file
}

// traced reports whether the member's trace holds s.
func (m fleetMember) traced(s string) bool {
	b, _ := os.ReadFile(m.trace)
	return bytes.Contains(b, []byte(s))
}

// startFleet starts n servers named a, b, c… on rs, sharing one
// key-encryption key; edit, if set, changes each one's options.
func startFleet(t *testing.T, rs *testredis.Server, p *servePKI, n int, edit func(*serveOptions)) []fleetMember {
	t.Helper()
	dir := t.TempDir()
	kek := filepath.Join(dir, "kek")
	if err := os.WriteFile(kek, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var fleet []fleetMember
	for i := range n {
		id := string(rune('a' + i))
		trace := filepath.Join(dir, id+".jsonl")
		o := serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, EarlyData: 16384, TraceJSON: trace,
			SessionStore: rs.URL(), SessionStoreKeyFile: kek, ServerID: id,
			// Short, so that a key made after a Redis restart reaches
			// every server soon; the test waits for conditions anyway.
			storeRefresh: 100 * time.Millisecond}
		if edit != nil {
			edit(&o)
		}
		srv := startServe(t, o)
		fleet = append(fleet, fleetMember{srv, trace})
	}
	return fleet
}

// sClient runs openssl s_client against addr with args, sending one GET
// that closes the connection, and returns its output.
func sClient(t *testing.T, bin, addr, caFile string, args ...string) string {
	t.Helper()
	return sClientHTTP(t, bin, addr, caFile, "GET /api/handshake HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", args...)
}

// resumed reports whether s_client's output shows a resumed session.
func resumed(out string) bool { return strings.Contains(out, "\nReused, ") }

// fleetWays are the ways a session goes from one server to another, as
// s_client flags.
var fleetWays = []struct {
	name string
	args []string
}{
	{"tls13-ticket", []string{"-tls1_3"}},
	{"tls12-ticket", []string{"-tls1_2"}},
	{"tls12-session-id", []string{"-tls1_2", "-no_ticket"}},
}

// crossResume saves a session from one server and resumes it on another,
// and reports whether it resumed; false too when the first server issued
// no session to save.
func crossResume(t *testing.T, bin, caFile, dir string, from, to fleetMember, args []string) bool {
	t.Helper()
	sess := filepath.Join(dir, "sess.pem")
	os.Remove(sess)
	if out := sClient(t, bin, from.addr, caFile, append(args, "-sess_out", sess)...); resumed(out) || !strings.Contains(out, "HTTP/1.1 200") {
		t.Fatalf("first connection to %s:\n%s", from.addr, out)
	}
	if _, err := os.Stat(sess); err != nil {
		return false
	}
	return resumed(sClient(t, bin, to.addr, caFile, append(args, "-sess_in", sess)...))
}

// Servers started while Redis is down serve full handshakes from the
// start, and share sessions once Redis is up, without a restart.
func TestServeFleetRedisDownAtStart(t *testing.T) {
	bin := needOpenSSL(t)
	rs := testredis.Start(t)
	rs.Stop()
	p := newServePKI(t)
	fleet := startFleet(t, rs, p, 2, nil)
	dir := t.TempDir()
	for _, m := range fleet {
		if out := sClient(t, bin, m.addr, p.caFile); !strings.Contains(out, "HTTP/1.1 200") {
			t.Fatalf("with Redis down since the start, server %s:\n%s", m.addr, out)
		}
	}
	// Without the fleet's keys a server issues no ticket it could not
	// share: the first connection leaves no session to resume.
	if crossResume(t, bin, p.caFile, dir, fleet[0], fleet[1], []string{"-tls1_3"}) {
		t.Fatal("a session resumed on another server with no store to share keys")
	}
	rs.Restart()
	if !testwait.Until(testwait.Context(t), func() bool {
		return crossResume(t, bin, p.caFile, dir, fleet[0], fleet[1], []string{"-tls1_3"})
	}) {
		t.Fatalf("sessions did not resume across the fleet once Redis was up; server b logged:\n%s", fleet[1].stderr.String())
	}
}

func TestServeFleet(t *testing.T) {
	bin := needOpenSSL(t)
	rs := testredis.Start(t)
	p := newServePKI(t)
	fleet := startFleet(t, rs, p, 3, nil)
	a, b, c := fleet[0], fleet[1], fleet[2]
	dir := t.TempDir()

	crossResume := func(t *testing.T, from, to fleetMember, args []string) bool {
		return crossResume(t, bin, p.caFile, dir, from, to, args)
	}

	for _, way := range fleetWays {
		t.Run("resume/"+way.name, func(t *testing.T) {
			if !crossResume(t, a, b, way.args) {
				t.Fatal("a session from server a did not resume on server b")
			}
			if !crossResume(t, c, a, way.args) {
				t.Fatal("a session from server c did not resume on server a")
			}
			if !b.traced(`issued by \"a\", through the fleet's shared session store`) {
				t.Error("server b's trace does not say the session was issued by a through the shared store")
			}
		})
	}

	t.Run("0-RTT replay to another server", func(t *testing.T) {
		proxy := testproxy.New(t, a.addr)
		sess := filepath.Join(dir, "early.pem")
		sClient(t, bin, a.addr, p.caFile, "-tls1_3", "-sess_out", sess)
		early := filepath.Join(dir, "get.txt")
		os.WriteFile(early, []byte("GET /api/handshake HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), 0o600)
		out := sClient(t, bin, proxy.Addr(), p.caFile, "-tls1_3", "-sess_in", sess, "-early_data", early)
		if !strings.Contains(out, "Early data was accepted") {
			t.Fatalf("server a did not accept the early data:\n%s", out)
		}
		conn, err := net.Dial("tcp", b.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Write(proxy.FirstFlight()); err != nil {
			t.Fatal(err)
		}
		if !testwait.Until(testwait.Context(t), func() bool { return b.traced("rejected 0-RTT data: replay") }) {
			t.Fatal("server b did not refuse the first flight replayed from server a")
		}
	})

	// A session saved while Redis is up, for the checks while it is down.
	held := filepath.Join(dir, "held.pem")
	early := filepath.Join(dir, "held-get.txt")
	os.WriteFile(early, []byte("GET /api/handshake HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), 0o600)

	for _, fail := range []struct {
		name        string
		down, up    func()
		unreachable string // what the servers log, once
	}{
		{"killed", rs.Stop, rs.Restart, "session store unreachable"},
		{"frozen", rs.Freeze, rs.Thaw, "session store unreachable"},
	} {
		t.Run("redis "+fail.name, func(t *testing.T) {
			sClient(t, bin, a.addr, p.caFile, "-tls1_3", "-sess_out", held)
			before := strings.Count(b.stderr.String(), fail.unreachable)
			backBefore := strings.Count(b.stderr.String(), "session store reachable again")
			fail.down()
			for range 3 {
				out := sClient(t, bin, b.addr, p.caFile)
				if !strings.Contains(out, "HTTP/1.1 200") {
					t.Fatalf("a new connection to server b with Redis %s:\n%s", fail.name, out)
				}
			}
			// The ticket still opens with the keys b holds, but early
			// data it cannot check against the guard is refused.
			out := sClient(t, bin, b.addr, p.caFile, "-tls1_3", "-sess_in", held, "-early_data", early)
			if strings.Contains(out, "Early data was accepted") || !strings.Contains(out, "HTTP/1.1 200") {
				t.Fatalf("with Redis %s, server b accepted early data or failed:\n%s", fail.name, out)
			}
			if n := strings.Count(b.stderr.String(), fail.unreachable) - before; n != 1 {
				t.Errorf("server b logged %q %d times for one outage, want once:\n%s", fail.unreachable, n, b.stderr.String())
			}
			fail.up()
			// Sessions resume across the fleet again once the servers
			// notice Redis is back (and, after a restart, share a new key).
			if !testwait.Until(testwait.Context(t), func() bool {
				return crossResume(t, a, b, []string{"-tls1_2", "-no_ticket"}) && crossResume(t, b, c, []string{"-tls1_3"})
			}) {
				t.Fatalf("sessions did not resume across the fleet after Redis came back; b logged:\n%s", b.stderr.String())
			}
			// b calls Redis back only after a few answers in a row:
			// resumptions by session ID make those calls.
			if !testwait.Until(testwait.Context(t), func() bool {
				crossResume(t, a, b, []string{"-tls1_2", "-no_ticket"})
				return strings.Count(b.stderr.String(), "session store reachable again") > backBefore
			}) {
				t.Errorf("server b did not log that Redis is back:\n%s", b.stderr.String())
			}
			if n := strings.Count(b.stderr.String(), "session store reachable again") - backBefore; n != 1 {
				t.Errorf("server b logged the recovery %d times, want once:\n%s", n, b.stderr.String())
			}
		})
	}
}

// ticketKeyName returns the key_name that starts the ticket of the TLS
// session s_client saved in file: which of the fleet's keys sealed it.
func ticketKeyName(t *testing.T, bin, file string) string {
	t.Helper()
	out, err := exec.Command(bin, "sess_id", "-in", file, "-text", "-noout").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl sess_id: %v\n%s", err, out)
	}
	_, after, ok := strings.Cut(string(out), "TLS session ticket:\n")
	line, _, _ := strings.Cut(after, "\n")
	_, hex, _ := strings.Cut(line, " - ")
	if !ok || len(hex) < 47 {
		t.Fatalf("no ticket in the session:\n%s", out)
	}
	return hex[:47] // the first 16 bytes, as sess_id prints them
}

// A rotation made by whichever server finds the key due reaches every
// server: a session sealed with the old key still resumes on all of them,
// and one sealed with the new key too.
func TestServeFleetKeyRotation(t *testing.T) {
	bin := needOpenSSL(t)
	rs := testredis.Start(t)
	p := newServePKI(t)
	fleet := startFleet(t, rs, p, 3, func(o *serveOptions) { o.TicketRotation = time.Second })
	dir := t.TempDir()
	old := filepath.Join(dir, "old.pem")
	sClient(t, bin, fleet[0].addr, p.caFile, "-tls1_3", "-sess_out", old)
	oldKey := ticketKeyName(t, bin, old)

	// Wait until server a seals with another key than before.
	fresh := filepath.Join(dir, "fresh.pem")
	if !testwait.Until(testwait.Context(t), func() bool {
		sClient(t, bin, fleet[0].addr, p.caFile, "-tls1_3", "-sess_out", fresh)
		return ticketKeyName(t, bin, fresh) != oldKey
	}) {
		t.Fatal("server a never sealed with a new key")
	}
	for _, m := range fleet {
		for name, sess := range map[string]string{"old": old, "new": fresh} {
			if !resumed(sClient(t, bin, m.addr, p.caFile, "-tls1_3", "-sess_in", sess)) {
				t.Errorf("server %s did not resume the session sealed with the %s key", m.addr, name)
			}
		}
	}
}
