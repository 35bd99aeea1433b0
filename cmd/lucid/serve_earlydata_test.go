package main

// 0-RTT through `lucid serve --early-data` (RFC 8446 §8, RFC 8470), with
// openssl s_client and lucid get: a resumed GET in early data is answered
// in 0-RTT with Early-Data: 1 for the handler; its captured first flight,
// replayed on a new connection, does not run the handler again; a POST in
// early data is answered 425 Too Early, and lucid get --early-data sends
// it again after the handshake and succeeds.

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"lucid/internal/testproxy"
	"lucid/internal/testwait"
)

// earlyCounts counts the test handler's runs.
type earlyCounts struct {
	mu    sync.Mutex
	runs  map[string]int // "METHOD path"
	early map[string]int // runs with Early-Data: 1
}

func (c *earlyCounts) get(key string) (runs, early int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs[key], c.early[key]
}

// sClientHTTP runs openssl s_client with args against addr, sending what
// stdin holds, until the server closes the connection; it returns
// s_client's output.
func sClientHTTP(t *testing.T, bin, addr, caFile, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(testwait.Context(t), bin, append([]string{"s_client", "-connect", addr, "-servername", "localhost",
		"-CAfile", caFile, "-ign_eof"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl s_client %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestServeEarlyDataOpenSSL(t *testing.T) {
	bin := needOpenSSL(t)
	p := newServePKI(t)
	dir := t.TempDir()
	counts := &earlyCounts{runs: map[string]int{}, early: map[string]int{}}
	var release atomic.Pointer[func()]
	judged := func(r *http.Request, allowed bool) {
		if f := release.Load(); f != nil {
			(*f)()
		}
	}
	traceFile := filepath.Join(dir, "trace.jsonl")
	srv := startServe(t, serveOptions{CertFile: p.certFile, KeyFile: p.keyFile, EarlyData: 16384, TraceJSON: traceFile,
		onEarly: judged,
		handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			key := r.Method + " " + r.URL.Path
			counts.mu.Lock()
			counts.runs[key]++
			if r.Header.Get("Early-Data") == "1" {
				counts.early[key]++
			}
			counts.mu.Unlock()
			io.WriteString(w, "ran "+key+" early="+r.Header.Get("Early-Data")+"\n")
		})})
	proxy := testproxy.New(t, srv.addr)
	hold := func() {
		f := proxy.Hold(t)
		release.Store(&f)
	}

	// A first connection saves a session whose ticket allows early data.
	sess := filepath.Join(dir, "sess.pem")
	out := sClientHTTP(t, bin, proxy.Addr(), p.caFile, "GET /first HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", "-tls1_3", "-sess_out", sess)
	if !strings.Contains(out, "ran GET /first early=\n") {
		t.Fatalf("first request:\n%s", out)
	}

	// The resumed GET goes in early data and is answered in 0-RTT.
	earlyFile := filepath.Join(dir, "get.txt")
	os.WriteFile(earlyFile, []byte("GET /early HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"), 0o600)
	hold()
	out = sClientHTTP(t, bin, proxy.Addr(), p.caFile, "", "-tls1_3", "-sess_in", sess, "-early_data", earlyFile)
	if !strings.Contains(out, "Early data was accepted") || !strings.Contains(out, "ran GET /early early=1\n") {
		t.Fatalf("early GET: s_client says:\n%s", out)
	}
	if runs, early := counts.get("GET /early"); runs != 1 || early != 1 {
		t.Fatalf("early GET: the handler ran %d times, %d with Early-Data: 1", runs, early)
	}
	flight := proxy.FirstFlight()

	// The captured first flight, replayed on a new connection straight
	// to the server: the guard refuses the early data, and the replayer,
	// who cannot finish the handshake, gets no request run.
	c, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(flight); err != nil {
		t.Fatal(err)
	}
	ctx := testwait.Context(t)
	if !testwait.Until(ctx, func() bool {
		b, _ := os.ReadFile(traceFile)
		return bytes.Contains(b, []byte("rejected 0-RTT data: replay"))
	}) {
		b, _ := os.ReadFile(traceFile)
		t.Fatalf("the server did not refuse the replay; trace:\n%s", b)
	}
	c.Close()
	if runs, _ := counts.get("GET /early"); runs != 1 {
		t.Fatalf("after the replay the handler ran %d times, want 1", runs)
	}

	// A POST in early data is answered 425 without running the handler
	// (the server closes the early connection before the client's
	// Finished, so no new ticket came: the first one is used again).
	postFile := filepath.Join(dir, "post.txt")
	os.WriteFile(postFile, []byte("POST /write HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"), 0o600)
	hold()
	out = sClientHTTP(t, bin, proxy.Addr(), p.caFile, "", "-tls1_3", "-sess_in", sess, "-early_data", postFile)
	if !strings.Contains(out, "Early data was accepted") || !strings.Contains(out, "HTTP/1.1 425 Too Early") {
		t.Fatalf("early POST: s_client says:\n%s", out)
	}
	if runs, _ := counts.get("POST /write"); runs != 0 {
		t.Fatalf("early POST: the handler ran %d times, want 0", runs)
	}
	// The 425 shows in serve's request log, marked as 0-RTT, though the
	// handler never saw the request.
	if !testwait.Until(testwait.Context(t), func() bool {
		return strings.Contains(srv.stderr.String(), `"POST /write HTTP/1.1" 425 `)
	}) {
		t.Fatalf("serve's log has no line for the early POST answered 425:\n%s", srv.stderr.String())
	}

	// lucid get --early-data: the first run saves a session, the second
	// sends the POST in early data, gets 425 and sends it again after the
	// handshake.
	sessions := filepath.Join(dir, "get-sessions.pem")
	url := "https://localhost:" + strings.Split(proxy.Addr(), ":")[1] + "/write"
	getArgs := []string{"--cacert", p.caFile, "--ssl-sessions", sessions, "--early-data", "-v", "-d", "hello", url}
	var stdout, stderr bytes.Buffer
	if code := doGetArgs(t, getArgs, &stdout, &stderr); code != exitOK {
		t.Fatalf("first lucid get: exit %d\n%s", code, stderr.String())
	}
	if st, err := os.Stat(sessions); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("--ssl-sessions file: %v, %v; want mode 0600", st, err)
	}
	if !strings.Contains(stderr.String(), "* 0-RTT: not offered") {
		t.Errorf("first lucid get -v:\n%s", stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	hold()
	if code := doGetArgs(t, getArgs, &stdout, &stderr); code != exitOK {
		t.Fatalf("second lucid get: exit %d\n%s", code, stderr.String())
	}
	for _, want := range []string{"* 0-RTT: offered and accepted", "* 425 Too Early", "< HTTP/2.0 200"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("second lucid get -v lacks %q:\n%s", want, stderr.String())
		}
	}
	if stdout.String() != "ran POST /write early=\n" {
		t.Errorf("second lucid get printed %q", stdout.String())
	}
	// Once by the first run, once by the retry; never for the early copy.
	if runs, early := counts.get("POST /write"); runs != 2 || early != 0 {
		t.Fatalf("POST: the handler ran %d times (%d early), want 2 (0 early)", runs, early)
	}
}

// doGetArgs runs lucid get with args, as the command line would.
func doGetArgs(t *testing.T, args []string, stdout, stderr io.Writer) int {
	t.Helper()
	o, code, ok := parseGetFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	return doGet(context.Background(), o, strings.NewReader(""), stdout, stderr)
}
