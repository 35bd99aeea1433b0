package trace_test

import (
	"bytes"
	"crypto/x509"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/tls"
)

// fixture is a test CA and a leaf for localhost, shared by the tests.
type fixture struct {
	ca   *testpki.CA
	cert tls.Certificate
}

var (
	fixtureOnce sync.Once
	theFixture  *fixture
	fixtureErr  error
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		ca, err := testpki.NewCA("Lucid Trace Test Root", testpki.ECDSAP256)
		if err != nil {
			fixtureErr = err
			return
		}
		leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost", "127.0.0.1"}})
		if err != nil {
			fixtureErr = err
			return
		}
		cert, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			fixtureErr = err
			return
		}
		theFixture = &fixture{ca: ca, cert: cert}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return theFixture
}

// exchange says how to run one connection.
type exchange struct {
	version        uint16
	clientObserver func(tls.Event)
	serverObserver func(tls.Event)
	keyLog         io.Writer
	roots          *x509.CertPool // nil means the fixture's CA
}

// run makes one Lucid client/server connection over loopback TCP: the
// client sends "ping", the server answers "pong" and closes. It returns
// the client's and the server's errors.
func (f *fixture) run(t *testing.T, x exchange) (clientErr, serverErr error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	deadline := testwait.Deadline(t)
	serverDone := make(chan error, 1)
	go func() {
		serverDone <- func() error {
			raw, err := l.Accept()
			if err != nil {
				return err
			}
			raw.SetDeadline(deadline)
			s := tls.Server(raw, &tls.Config{Certificates: []tls.Certificate{f.cert}, Observer: x.serverObserver})
			// Closed before run returns, so its events are all in.
			defer s.Close()
			buf := make([]byte, 4)
			if _, err := io.ReadFull(s, buf); err != nil {
				return err
			}
			_, err = s.Write([]byte("pong"))
			return err
		}()
	}()
	raw, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	raw.SetDeadline(deadline)
	roots := x.roots
	if roots == nil {
		roots = f.ca.Pool
	}
	c := tls.Client(raw, &tls.Config{
		RootCAs:      roots,
		ServerName:   "localhost",
		MinVersion:   x.version,
		MaxVersion:   x.version,
		Observer:     x.clientObserver,
		KeyLogWriter: x.keyLog,
	})
	clientErr = func() error {
		defer c.Close()
		if _, err := c.Write([]byte("ping")); err != nil {
			return err
		}
		got, err := io.ReadAll(c)
		if err != nil {
			return err
		}
		if string(got) != "pong" {
			t.Errorf("client read %q, want pong", got)
		}
		return nil
	}()
	return clientErr, <-serverDone
}

// keyLogSecrets returns the secrets (last column) of an NSS key log.
func keyLogSecrets(t *testing.T, keyLog *bytes.Buffer) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(keyLog.String()), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("key log line %q", line)
		}
		out = append(out, strings.ToLower(f[2]))
	}
	if len(out) == 0 {
		t.Fatal("the key log is empty")
	}
	return out
}
