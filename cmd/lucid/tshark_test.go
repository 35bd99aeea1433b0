package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"lucid/https"
	"lucid/internal/testtool"
	"lucid/internal/testwait"
	"lucid/tls"
)

// Wireshark's tshark decrypts a TLS 1.3 and a TLS 1.2 (ECDHE) session
// between a Lucid server and `lucid get`, captured on loopback, with the
// NSS key log `lucid get --keylog` wrote, and shows the HTTP request
// lines; without the key log it sees the handshakes but no request.
//
// Capturing needs tshark (Debian package tshark, installed by .ci/run) and
// the right to capture (root). The test skips when either is missing,
// except under CI=true, where it fails.
func TestTsharkDecryptsWithKeyLog(t *testing.T) {
	bin := needTshark(t)
	p := newServePKI(t)
	dir := t.TempDir()
	// tshark takes seconds to start even on an idle machine, and it
	// starts four times here: every step waits as long as the test may.
	ctx := testwait.Context(t)

	// A Lucid HTTPS server speaking HTTP/1.1 on a port of its own, so the
	// capture filter sees nothing else.
	cert, err := tls.LoadX509KeyPair(p.certFile, p.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &https.Server{
		TLSConfig:    &tls.Config{Certificates: []tls.Certificate{cert}},
		DisableHTTP2: true,
		ErrorLog:     log.New(io.Discard, "", 0),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello from Lucid\n")
		}),
	}
	go srv.Serve(ln)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	pcap := filepath.Join(dir, "lucid.pcapng")
	capture := startCapture(ctx, t, bin, port, pcap)

	keyLog := filepath.Join(dir, "keys.log")
	cases := []struct{ version, path, suite string }{
		{"1.3", "/lucid-tls13", "TLS_AES_"},
		{"1.2", "/lucid-tls12", "TLS_ECDHE_"},
	}
	for _, c := range cases {
		r := lucidGet("-v", "--http1.1", "--cacert", p.caFile, "--tls-min", c.version, "--tls-max", c.version,
			"--keylog", keyLog, "https://127.0.0.1:"+port+c.path)
		if r.code != 0 || r.stdout != "hello from Lucid\n" {
			t.Fatalf("TLS %s: %v", c.version, r)
		}
		if want := "* TLS handshake done: TLS " + c.version + ", cipher suite " + c.suite; !strings.Contains(r.stderr, want) {
			t.Errorf("TLS %s: -v lacks %q:\n%s", c.version, want, r.stderr)
		}
	}
	capture.stop(ctx, t, true)

	decode := func(extra ...string) string {
		t.Helper()
		args := append([]string{"-n", "-r", pcap, "-d", "tcp.port==" + port + ",tls"}, extra...)
		out, err := exec.CommandContext(ctx, bin, args...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("tshark %q: %v\n%s", args, err, ee.Stderr)
			}
			t.Fatalf("tshark %q: %v", args, err)
		}
		return string(out)
	}
	requests := []string{"-Y", "http.request", "-T", "fields",
		"-e", "http.request.method", "-e", "http.request.uri", "-e", "http.request.version"}

	// Without the key log: two TLS handshakes, no HTTP.
	hellos := decode("-Y", "tls.handshake.type == 1", "-T", "fields", "-e", "tcp.stream")
	if n := len(strings.Fields(hellos)); n != 2 {
		t.Fatalf("the capture holds %d ClientHellos, want 2 (is the capture complete?)", n)
	}
	if out := decode(requests...); strings.TrimSpace(out) != "" {
		t.Errorf("without the key log tshark should see no HTTP request, saw:\n%s", out)
	}

	// With it: both request lines.
	out := decode(append([]string{"-o", "tls.keylog_file:" + keyLog}, requests...)...)
	for _, c := range cases {
		if want := "GET\t" + c.path + "\tHTTP/1.1"; !strings.Contains(out, want) {
			keys, _ := os.ReadFile(keyLog)
			t.Errorf("TLS %s: tshark with the key log does not show %q; it shows:\n%s\nkey log:\n%s", c.version, want, out, keys)
		}
	}
}

// needTshark returns tshark's path, or skips the test (fails it under
// CI=true) when tshark is not installed.
func needTshark(t *testing.T) string {
	t.Helper()
	return testtool.Path(t, "tshark", "tshark", "the key log decryption test")
}

// capture is a running `tshark -w`. With -P -l it also prints a line per
// packet as it writes it, which tells when the capture is live and when
// it has caught up.
type capture struct {
	cmd   *exec.Cmd
	probe net.Listener  // a port the filter also captures, for probing
	done  chan struct{} // closed when cmd has exited

	mu     sync.Mutex
	stderr strings.Builder
	lines  []string // packet summaries from stdout
}

func (c *capture) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

// startCapture starts capturing TCP on port on the loopback interface into
// file, and returns once the capture is live: once tshark has seen a
// probe connection. It skips the test (fails it under CI=true) when
// tshark exits before that, as it does when capturing is not permitted.
func startCapture(ctx context.Context, t *testing.T, bin, port, file string) *capture {
	t.Helper()
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			conn, err := probe.Accept()
			if err != nil {
				return
			}
			conn.Close()
		}
	}()
	c := &capture{probe: probe, done: make(chan struct{})}
	c.cmd = exec.CommandContext(ctx, bin, "-n", "-l", "-P", "-i", "lo",
		"-f", "tcp port "+port+" or tcp port "+c.probePort(), "-w", file)
	c.cmd.WaitDelay = 2 * time.Second
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting tshark: %v", err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			c.mu.Lock()
			c.stderr.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
		}
	}()
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			c.mu.Unlock()
		}
	}()
	go func() {
		wg.Wait()
		c.cmd.Wait()
		close(c.done)
	}()
	// The test's end kills tshark (through ctx); its file is in a
	// temporary directory removed after this cleanup.
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.done
		probe.Close()
	})

	// "Capturing on" comes before the capture sees packets: probe until
	// it does.
	if c.sync(ctx) {
		return c
	}
	if !c.exited() {
		t.Fatalf("tshark was still running but had not seen a probe connection when the test ran out of time; its output:\n%s", strings.TrimSpace(c.log()))
	}
	msg := "tshark could not capture on lo"
	if os.Geteuid() != 0 {
		msg += " (capturing needs root, or dumpcap's capabilities)"
	}
	msg += "; its output:\n" + strings.TrimSpace(c.log())
	testtool.Missing(t, msg)
	return nil
}

func (c *capture) probePort() string {
	_, port, _ := net.SplitHostPort(c.probe.Addr().String())
	return port
}

func (c *capture) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// probeEvery is how often sync opens a new probe connection while it
// waits: a probe sent before the capture was live is never reported.
const probeEvery = 250 * time.Millisecond

// sync opens probe connections until tshark reports a packet of one of
// them, and reports whether it did before ctx ended or tshark exited.
// Packets are reported in order, so everything sent before sync began is
// then captured. However far behind tshark falls on a busy machine, every
// probe stays eligible until it is reported.
func (c *capture) sync(ctx context.Context) bool {
	c.mu.Lock()
	seen := len(c.lines)
	c.mu.Unlock()
	var ports []string
	var last time.Time
	reported := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, l := range c.lines[seen:] {
			f := strings.Fields(l)
			if !slices.Contains(f, c.probePort()) {
				continue
			}
			for _, p := range ports {
				if slices.Contains(f, p) {
					return true
				}
			}
		}
		return false
	}
	testwait.Until(ctx, func() bool {
		if c.exited() {
			return true
		}
		if time.Since(last) >= probeEvery {
			last = time.Now()
			if conn, err := net.Dial("tcp", c.probe.Addr().String()); err == nil {
				ports = append(ports, strconv.Itoa(conn.LocalAddr().(*net.TCPAddr).Port))
				conn.Close()
			}
		}
		return reported()
	})
	return reported()
}

// stop ends the capture with SIGINT, which makes tshark close the file,
// and waits for it to exit; once ctx has ended (and with it tshark, which
// ctx kills) it waits no more. With flush it first waits for the capture
// to catch up.
func (c *capture) stop(ctx context.Context, t *testing.T, flush bool) {
	t.Helper()
	if c.exited() {
		return
	}
	if flush && !c.sync(ctx) {
		t.Errorf("tshark did not report the last probe; the capture may be incomplete. Its output:\n%s", c.log())
	}
	c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-ctx.Done():
		c.cmd.Process.Kill()
		<-c.done
		t.Errorf("tshark did not stop on SIGINT before the test ran out of time; killed it. Its output:\n%s", c.log())
	}
}
