package tls_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"lucid/internal/testbuffer"
	"lucid/internal/testpki"
	"lucid/internal/testtool"
	"lucid/internal/testwait"
	"lucid/tls"
)

// gnutlsCertCompression returns the path of a GnuTLS tool that offers
// --compress-cert (GnuTLS 3.7.4 and later), skipping the test when there is
// none: under CI=true a missing tool fails, a tool without the option
// skips, since it then makes no claim to support RFC 8879.
func gnutlsCertCompression(t *testing.T, tool string) string {
	t.Helper()
	p := testtool.Path(t, tool, "gnutls-bin", "the GnuTLS certificate compression tests")
	help, _ := exec.Command(p, "--help").CombinedOutput()
	if !bytes.Contains(help, []byte("--compress-cert")) {
		t.Skipf("%s has no --compress-cert: this GnuTLS predates RFC 8879 support", tool)
	}
	return p
}

var gnutlsAlgorithms = []struct {
	name string
	alg  tls.CertCompressionAlgorithm
}{{"brotli", tls.CertCompressionBrotli}, {"zstd", tls.CertCompressionZstd}, {"zlib", tls.CertCompressionZlib}}

// TestCertCompressionGnuTLSServer connects a Lucid client to gnutls-serv
// compressing with each algorithm, and checks that the chain arrived
// compressed with it and verified.
func TestCertCompressionGnuTLSServer(t *testing.T) {
	serv := gnutlsCertCompression(t, "gnutls-serv")
	f := newLucidFixture(t, testpki.RSA2048)
	certFile, keyFile, err := f.leaf.WriteFiles(t.TempDir(), "server")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range gnutlsAlgorithms {
		t.Run(a.name, func(t *testing.T) {
			port := strconv.Itoa(iopFreePort(t))
			var out testbuffer.Buffer
			cmd := exec.Command(serv, "-q", "-p", port, "--x509certfile", certFile, "--x509keyfile", keyFile, "--compress-cert="+a.name)
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// stop ends gnutls-serv and waits until everything it wrote is
			// in out: it reports an unbuilt codec on stderr while it
			// answers, which can reach out after our handshake is done.
			var once sync.Once
			stop := func() { once.Do(func() { cmd.Process.Kill(); cmd.Wait() }) }
			t.Cleanup(stop)
			addr := net.JoinHostPort("127.0.0.1", port)
			ctx := testwait.Context(t)
			if !testwait.Until(ctx, func() bool {
				c, err := net.Dial("tcp", addr)
				if err == nil {
					c.Close()
				}
				return err == nil
			}) {
				t.Fatalf("gnutls-serv never listened: %s", out.String())
			}
			var clog eventLog
			c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MinVersion: tls.VersionTLS13,
				CertCompression: []tls.CertCompressionAlgorithm{a.alg}, Observer: clog.add})
			if err != nil {
				t.Fatalf("handshake with gnutls-serv --compress-cert=%s: %v\n%s", a.name, err, out.String())
			}
			defer c.Close()
			if len(c.ConnectionState().VerifiedChains) == 0 {
				t.Fatal("the chain was not verified")
			}
			got, ok := certMessage(&clog, tls.EventMessageReceived)
			c.Close()
			stop()
			skipUnbuilt(t, a.name, got, out.String())
			if !ok || !strings.HasPrefix(got.Detail, "CompressedCertificate "+a.name+": ") {
				t.Fatalf("received the certificate as %q, want it compressed with %s", got.Detail, a.name)
			}
			t.Log(got.Detail)
		})
	}
}

// TestCertCompressionGnuTLSClient has gnutls-cli, offering each algorithm
// alone, connect to a Lucid server, which must compress with it.
func TestCertCompressionGnuTLSClient(t *testing.T) {
	cli := gnutlsCertCompression(t, "gnutls-cli")
	f := newLucidFixture(t, testpki.ECDSAP256)
	caFile := t.TempDir() + "/ca.pem"
	if err := os.WriteFile(caFile, f.ca.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, a := range gnutlsAlgorithms {
		t.Run(a.name, func(t *testing.T) {
			var slog eventLog
			l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, Observer: slog.add})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			served := make(chan error, 1)
			go func() {
				c, err := l.Accept()
				if err != nil {
					served <- err
					return
				}
				defer c.Close()
				served <- c.(*tls.Conn).Handshake()
			}()
			port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
			ctx, cancel := context.WithDeadline(context.Background(), testwait.Deadline(t))
			defer cancel()
			cmd := exec.CommandContext(ctx, cli, "--x509cafile", caFile, "-p", port, "--compress-cert="+a.name, "localhost")
			cmd.Stdin = strings.NewReader("")
			out, cliErr := cmd.CombinedOutput()
			if err := testwait.Recv(t, served, "the Lucid server's handshake"); err != nil {
				t.Fatalf("server: %v\ngnutls-cli: %v\n%s", err, cliErr, out)
			}
			sent, ok := certMessage(&slog, tls.EventMessageSent)
			skipUnbuilt(t, a.name, sent, string(out))
			if !ok || !strings.HasPrefix(sent.Detail, "CompressedCertificate "+a.name+": ") {
				t.Fatalf("sent the certificate as %q, want it compressed with %s\n%s", sent.Detail, a.name, out)
			}
			if !bytes.Contains(out, []byte("Handshake was completed")) {
				t.Fatalf("gnutls-cli did not complete the handshake: %v\n%s", cliErr, out)
			}
			t.Log(sent.Detail)
		})
	}
}

// skipUnbuilt skips when GnuTLS, though it has --compress-cert, was built
// without the codec (Debian's 3.7.9 links none of them) and so said it does
// not know the method and sent or offered nothing: it claims no support.
func skipUnbuilt(t *testing.T, alg string, cert tls.Event, toolOutput string) {
	t.Helper()
	if cert.Detail == "" && strings.Contains(toolOutput, "Unknown compression method: "+alg) {
		t.Skipf("this GnuTLS was built without %s (it says \"Unknown compression method: %s\"), so it cannot compress certificates with it", alg, alg)
	}
}
