package tls_test

// 0-RTT with the openssl tools: s_client -sess_out/-sess_in -early_data
// against a Lucid server (accepted, then the captured client stream
// replayed to the same server and refused), and a Lucid client against
// s_server -early_data.

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/tls"
)

// readRecorder keeps every byte read through it.
type readRecorder struct {
	net.Conn
	mu  sync.Mutex
	got bytes.Buffer
}

func (r *readRecorder) Read(b []byte) (int, error) {
	n, err := r.Conn.Read(b)
	r.mu.Lock()
	r.got.Write(b[:n])
	r.mu.Unlock()
	return n, err
}

func (r *readRecorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.got.Bytes())
}

func TestEarlyDataOpenSSLClient(t *testing.T) {
	iopOpensslPath(t)
	f := iopFixtures(t)
	cfg := i12LucidServer(t, f.leaves[testpki.ECDSAP256])
	cfg.MaxEarlyData = 16384
	var mu sync.Mutex
	var decisions []string
	cfg.Observer = func(e tls.Event) {
		if e.Kind == tls.EventDecision && e.Name == "early_data" {
			mu.Lock()
			decisions = append(decisions, e.Detail)
			mu.Unlock()
		}
	}
	dir := t.TempDir()
	sess := filepath.Join(dir, "session.pem")
	early := filepath.Join(dir, "early.txt")
	const request = "GET /early HTTP/1.1\n"
	if err := os.WriteFile(early, []byte(request), 0o600); err != nil {
		t.Fatal(err)
	}

	// The first connection gets a ticket that allows early data.
	p1, raw1 := i12StartSClient(t, i12SClientArgs(t, f, "-tls1_3", "-sess_out", sess)...)
	raw1.SetDeadline(testwait.Deadline(t))
	s1 := tls.Server(raw1, cfg)
	if err := s1.Handshake(); err != nil {
		t.Fatalf("first handshake: %v; s_client: %s", err, iopLastLines(i12OsslEnd(t, p1), 8))
	}
	if _, err := s1.Write([]byte("FIRST-ANSWER\n")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p1.waitOutput(t, "FIRST-ANSWER", 0); err != nil {
		t.Fatal(err)
	}
	s1.Close()
	i12OsslEnd(t, p1)
	if _, err := os.Stat(sess); err != nil {
		t.Fatalf("s_client -sess_out wrote no session: %v", err)
	}

	// The second sends the request as early data, which the server reads
	// before the client's Finished.
	p2, raw2 := i12StartSClient(t, i12SClientArgs(t, f, "-tls1_3", "-sess_in", sess, "-early_data", early)...)
	raw2.SetDeadline(testwait.Deadline(t))
	rec := &readRecorder{Conn: raw2}
	s2 := tls.Server(rec, cfg)
	if err := s2.Handshake(); err != nil {
		t.Fatalf("second handshake: %v; s_client: %s", err, iopLastLines(i12OsslEnd(t, p2), 8))
	}
	if !s2.InEarlyData() {
		t.Fatal("the server is not in early data after accepting s_client's resumption")
	}
	got := make([]byte, len(request))
	if _, err := io.ReadFull(s2, got); err != nil || string(got) != request {
		t.Fatalf("server read %q, %v", got, err)
	}
	if !s2.InEarlyData() {
		t.Error("the early request was read outside early data")
	}
	if _, err := s2.Write([]byte("EARLY-ANSWER\n")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p2.waitOutput(t, "EARLY-ANSWER", 0); err != nil {
		t.Fatal(err)
	}
	// The client's Finished arrives after the early data; a Read past it
	// leaves early data. s_client sends nothing more, so the Read ends at
	// its close.
	p2.stdin.Close()
	io.Copy(io.Discard, s2)
	st := s2.ConnectionState()
	if !st.EarlyData.Accepted || !st.HandshakeComplete || s2.InEarlyData() {
		t.Errorf("server state after the handshake: early data %+v, complete %v, in early data %v", st.EarlyData, st.HandshakeComplete, s2.InEarlyData())
	}
	s2.Close()
	out := i12OsslEnd(t, p2)
	iopCheckContains(t, "the second s_client's report", out, "Reused, TLSv1.3", "Early data was accepted")

	// An attacker replays what the client sent on a new connection.
	flight := rec.bytes()
	c3, s3raw := pair(t)
	s3 := tls.Server(s3raw, cfg)
	type result struct {
		data string
		err  error
	}
	replayed := make(chan result, 1)
	go func() {
		b := make([]byte, 1024)
		n, err := s3.Read(b)
		replayed <- result{string(b[:n]), err}
	}()
	if _, err := c3.Write(flight); err != nil {
		t.Fatal(err)
	}
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c3, hdr); err != nil || hdr[0] != 22 {
		t.Fatalf("the server's answer to the replay starts %x, %v; want its handshake flight", hdr, err)
	}
	c3.Close()
	if r := testwait.Recv(t, replayed, "the server to give up on the replay"); r.data != "" || r.err == nil {
		t.Fatalf("the replayed request reached the application: %q, %v", r.data, r.err)
	}
	mu.Lock()
	d := strings.Join(decisions, "\n")
	mu.Unlock()
	if !strings.Contains(d, "rejected 0-RTT data: replay") {
		t.Errorf("server decisions:\n%s", d)
	}
}

func TestEarlyDataOpenSSLServer(t *testing.T) {
	iopOpensslPath(t)
	f := iopFixtures(t)
	p, next := i12StartSServer(t, 2, i12SServerArgs(t, f.leaves[testpki.ECDSAP256], "-tls1_3", "-early_data")...)
	cache := newRSCache()
	cfg := i12LucidClient(f)
	cfg.ClientSessionCache, cfg.SendEarlyData = cache, true

	r1 := i12OsslSession(t, p, next(), true, cfg, "LUCID-PAYLOAD-1:")
	if r1.err != nil {
		t.Fatalf("first handshake: %v; s_server: %s", r1.err, iopLastLines(i12OsslEnd(t, p), 8))
	}
	rsMustStore(t, cache, tls.VersionTLS13)

	raw := next()
	raw.SetDeadline(testwait.Deadline(t))
	c := tls.Client(raw, cfg)
	const msg = "LUCID-EARLY:0123456789"
	if n, err := c.Write([]byte(msg)); err != nil || n != len(msg) {
		t.Fatalf("early write: %d, %v; s_server: %s", n, err, iopLastLines(i12OsslEnd(t, p), 8))
	}
	st := c.ConnectionState()
	if !st.DidResume || !st.EarlyData.Offered || !st.EarlyData.Accepted {
		t.Errorf("client: resumed %v, early data %+v", st.DidResume, st.EarlyData)
	}
	if st.Shape != tls.ShapeTLS13PSKEarlyData {
		t.Errorf("client shape %s", st.Shape)
	}
	before, payload, err := p.waitOutput(t, "LUCID-EARLY:", len("0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	if string(payload) != "0123456789" {
		t.Errorf("s_server printed %q", payload)
	}
	c.Close()
	out := i12OsslEnd(t, p)
	iopCheckContains(t, "s_server's output", string(before)+out, "Early data received")
}
