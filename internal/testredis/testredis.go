// Package testredis runs a real redis-server for tests: one process per
// test, on a free loopback port, in the test's temporary directory, with
// nothing written to disk, so that tests never share state and never touch
// a Redis the machine may already run.
//
// A fleet test needs more than a running server: it needs Redis to fail the
// way it fails in production. Stop kills the process (a crash, not a clean
// shutdown), Restart brings back an empty server on the same address (what
// clients see after a restart without persistence), and Freeze and Thaw
// suspend and resume it (a server that accepts connections but does not
// answer, which is what a slow or overloaded Redis looks like to a client).
// Every step waits for its condition (the process gone, PING answered), never
// for a fixed time.
//
// Without redis-server on PATH (Debian package redis-server) Start skips the
// test with a message, except under CI=true, where it fails the test: CI
// must run these tests, not silently skip them.
package testredis

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"lucid/internal/testbuffer"
	"lucid/internal/testtool"
	"lucid/internal/testwait"
)

// startAttempts is how many free ports Start tries: another process may take
// the port between the moment it is found free and redis-server binding it.
const startAttempts = 3

// benchmarkWait bounds the waits of a benchmark, which has no deadline of
// its own from go test.
const benchmarkWait = 2 * time.Minute

// Server is a redis-server process started by Start. Its methods are meant
// for the goroutine running the test; they fail the test on error.
type Server struct {
	tb   testing.TB
	bin  string
	dir  string
	port int

	mu  sync.Mutex
	cmd *exec.Cmd
	// out collects what the current process wrote, for the failure
	// messages of a server that did not start.
	out *testbuffer.Buffer
	// exited is closed when the current process has exited.
	exited chan struct{}
}

// Start starts a redis-server on a free loopback port with persistence
// off (--save "" --appendonly no) and returns once it answers PING. The
// server is killed when the test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := testtool.Path(tb, "redis-server", "redis-server", "the Redis tests")
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir()}
	tb.Cleanup(s.kill)
	var last error
	for range startAttempts {
		var err error
		s.port, err = freePort()
		if err != nil {
			tb.Fatalf("testredis: finding a free port: %v", err)
		}
		if last = s.start(); last == nil {
			return s
		}
	}
	tb.Fatalf("testredis: redis-server did not start: %v", last)
	return nil
}

// Addr returns the server's address, 127.0.0.1:PORT. It stays the same
// across Stop and Restart.
func (s *Server) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// URL returns the address of database 0 as a redis:// URL, the form
// lucid serve --session-store takes.
func (s *Server) URL() string {
	return "redis://" + s.Addr() + "/0"
}

// Stop kills the server (SIGKILL: a crash, not a shutdown) and returns
// once the process has exited, so its port refuses connections.
func (s *Server) Stop() {
	s.tb.Helper()
	s.kill()
}

// Restart starts a new, empty server on the same port after Stop, and
// returns once it answers PING. It stops the running one first if there
// is one.
func (s *Server) Restart() {
	s.tb.Helper()
	s.kill()
	if err := s.start(); err != nil {
		s.tb.Fatalf("testredis: restarting redis-server on %s: %v", s.Addr(), err)
	}
}

// Freeze suspends the server (SIGSTOP): connections to it still open,
// since the kernel accepts them, but nothing is answered until Thaw.
func (s *Server) Freeze() {
	s.tb.Helper()
	s.signal(syscall.SIGSTOP)
}

// Thaw resumes a server suspended by Freeze and returns once it answers
// PING again.
func (s *Server) Thaw() {
	s.tb.Helper()
	s.signal(syscall.SIGCONT)
	if err := s.waitReady(); err != nil {
		s.tb.Fatalf("testredis: redis-server on %s after SIGCONT: %v", s.Addr(), err)
	}
}

// Do sends one command to the server on a new connection and returns its
// reply as text: the status or bulk string, an integer in decimal, "" for
// a null reply. A Redis error reply comes back as an error. It is for
// checks a test makes behind the client library's back (what a key holds,
// whether one exists); replies that are arrays are not supported.
func (s *Server) Do(args ...string) (string, error) {
	ctx, cancel := s.waitContext()
	defer cancel()
	return command(ctx, s.Addr(), args...)
}

// start launches redis-server on s.port and waits until it answers PING
// or exits.
func (s *Server) start() error {
	out := &testbuffer.Buffer{}
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--logfile", "",
	)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.out, s.exited = cmd, out, exited
	s.mu.Unlock()
	if err := s.waitReady(); err != nil {
		s.kill()
		return fmt.Errorf("%w; it said:\n%s", err, out.String())
	}
	return nil
}

// waitReady waits until the server answers PING, or its process exits.
func (s *Server) waitReady() error {
	ctx, cancel := s.waitContext()
	defer cancel()
	s.mu.Lock()
	exited := s.exited
	s.mu.Unlock()
	var last error
	died := false
	ok := testwait.Until(ctx, func() bool {
		select {
		case <-exited:
			died = true
			return true
		default:
		}
		// One PING gets at most a second, so that a hung attempt
		// does not eat the whole wait.
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		defer pcancel()
		var reply string
		reply, last = command(pctx, s.Addr(), "PING")
		if last == nil && reply != "PONG" {
			last = fmt.Errorf("PING answered %q", reply)
		}
		return last == nil
	})
	switch {
	case died:
		return errors.New("redis-server exited before answering PING")
	case !ok:
		return fmt.Errorf("redis-server on %s never answered PING: %v", s.Addr(), last)
	}
	return nil
}

// kill sends SIGKILL to the current process, if any, and waits for it to
// exit.
func (s *Server) kill() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-exited
}

func (s *Server) signal(sig syscall.Signal) {
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil {
		s.tb.Fatalf("testredis: %v to a redis-server that is not running", sig)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		s.tb.Fatalf("testredis: %v to redis-server: %v", sig, err)
	}
}

// waitContext bounds a wait by the test's deadline (testwait), or for a
// benchmark, which has none, by benchmarkWait.
func (s *Server) waitContext() (context.Context, context.CancelFunc) {
	if t, ok := s.tb.(*testing.T); ok {
		return context.WithDeadline(t.Context(), testwait.Deadline(t))
	}
	return context.WithTimeout(context.Background(), benchmarkWait)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// maxReply bounds a reply Do reads, since it is for small checks only.
const maxReply = 1 << 20

// command sends args as a RESP array on a new connection and reads one
// reply that is not an array.
func command(ctx context.Context, addr string, args ...string) (string, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&req, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write(req.Bytes()); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return "", fmt.Errorf("testredis: malformed reply %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+', ':':
		return body, nil
	case '-':
		return "", fmt.Errorf("redis: %s", body)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n > maxReply {
			return "", fmt.Errorf("testredis: bad bulk length %q", body)
		}
		if n < 0 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
	return "", fmt.Errorf("testredis: unsupported reply type %q", line[0])
}
