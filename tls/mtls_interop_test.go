package tls_test

// Mutual TLS interoperability: Lucid against openssl s_server -Verify and
// s_client -cert, and against crypto/tls in both roles, with certificates
// that lucid/pki issues and writes to a temporary directory. Every
// successful case exchanges a line in each direction; every refusal is
// checked on both ends. Each connection runs under the test's deadline and
// every openssl process is killed at cleanup, so nothing can hang.

import (
	stdtls "crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lucid/internal/testwait"
	"lucid/pki"
	"lucid/tls"
)

// mtiLeaf is a certificate pki issued, with the files it wrote: the chain
// (leaf, then the intermediate if any) and the key.
type mtiLeaf struct {
	iss               *pki.Issued
	certFile, keyFile string
}

// mtiPKI is a root, optionally an intermediate below it, and a server leaf
// (localhost, 127.0.0.1) and a client leaf ("alice") from the lower CA.
type mtiPKI struct {
	dir       string
	kt        pki.KeyType
	now       time.Time
	root      *pki.CA
	issuer    *pki.CA // root, or the intermediate
	caFile    string  // the root alone: the only thing any peer trusts
	interFile string  // the intermediate alone, "" without one
	pool      *x509.CertPool
	server    mtiLeaf
	client    mtiLeaf
}

func mtiNewPKI(t *testing.T, kt pki.KeyType, intermediate bool) *mtiPKI {
	t.Helper()
	p := &mtiPKI{dir: t.TempDir(), kt: kt, now: time.Now()}
	var err error
	p.root, err = pki.NewMemoryCA(pki.InitOptions{Name: "Lucid mTLS Root " + string(kt), KeyType: kt, Now: p.now})
	if err != nil {
		t.Fatalf("root CA: %v", err)
	}
	p.issuer = p.root
	if intermediate {
		p.issuer, err = pki.NewMemoryCA(pki.InitOptions{Name: "Lucid mTLS Intermediate", KeyType: kt, Parent: p.root, Now: p.now})
		if err != nil {
			t.Fatalf("intermediate CA: %v", err)
		}
		p.interFile = filepath.Join(p.dir, "inter.crt")
		if err := os.WriteFile(p.interFile, p.issuer.CertificatePEM(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p.caFile = filepath.Join(p.dir, "ca.crt")
	if err := os.WriteFile(p.caFile, p.root.RootPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	p.pool = p.root.RootPool()
	p.server = p.issue(t, pki.KindServer, kt, "server", "localhost", "127.0.0.1")
	p.client = p.issue(t, pki.KindClient, kt, "alice", "alice")
	return p
}

// issue makes a leaf from the lower CA and writes file+".crt" and ".key".
func (p *mtiPKI) issue(t *testing.T, kind pki.Kind, kt pki.KeyType, file string, names ...string) mtiLeaf {
	t.Helper()
	iss, err := p.issuer.Issue(pki.IssueOptions{Kind: kind, Names: names, KeyType: kt, Now: p.now, Out: filepath.Join(p.dir, file)})
	if err != nil {
		t.Fatalf("issuing %s: %v", file, err)
	}
	if iss.CertFile == "" || iss.KeyFile == "" {
		t.Fatalf("issuing %s wrote no files", file)
	}
	return mtiLeaf{iss: iss, certFile: iss.CertFile, keyFile: iss.KeyFile}
}

// chainLen is how many certificates a verified chain holds: leaf,
// intermediate if any, root.
func (p *mtiPKI) chainLen() int {
	if p.interFile != "" {
		return 3
	}
	return 2
}

// opensslCert gives openssl a leaf. -cert reads only the first certificate
// of the file; the intermediate goes with -cert_chain.
func (p *mtiPKI) opensslCert(l mtiLeaf) []string {
	args := []string{"-cert", l.certFile, "-key", l.keyFile}
	if p.interFile != "" {
		args = append(args, "-cert_chain", p.interFile)
	}
	return args
}

func mtiLucidCert(t *testing.T, l mtiLeaf) tls.Certificate {
	t.Helper()
	c, err := tls.LoadX509KeyPair(l.certFile, l.keyFile)
	if err != nil {
		t.Fatalf("tls.LoadX509KeyPair(%s): %v", l.certFile, err)
	}
	if len(c.Certificate) != len(l.iss.Chain) {
		t.Fatalf("%s holds %d certificates, pki issued a chain of %d", l.certFile, len(c.Certificate), len(l.iss.Chain))
	}
	return c
}

func mtiStdCert(t *testing.T, l mtiLeaf) stdtls.Certificate {
	t.Helper()
	c, err := stdtls.LoadX509KeyPair(l.certFile, l.keyFile)
	if err != nil {
		t.Fatalf("crypto/tls LoadX509KeyPair(%s): %v", l.certFile, err)
	}
	return c
}

// lucidServer requires and verifies a client certificate from the root.
func (p *mtiPKI) lucidServer(t *testing.T, v uint16) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{mtiLucidCert(t, p.server)},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    p.pool,
		MinVersion:   v, MaxVersion: v,
	}
}

func (p *mtiPKI) lucidClient(t *testing.T, v uint16, l mtiLeaf) *tls.Config {
	return &tls.Config{
		RootCAs:      p.pool,
		ServerName:   "localhost",
		Certificates: []tls.Certificate{mtiLucidCert(t, l)},
		MinVersion:   v, MaxVersion: v,
	}
}

func mtiVersionFlag(v uint16) string {
	if v == tls.VersionTLS12 {
		return "-tls1_2"
	}
	return "-tls1_3"
}

// mtiOpensslSigType is how s_server -brief names the signature a client
// with such a key makes.
var mtiOpensslSigType = map[pki.KeyType]string{pki.ECDSAP256: "ECDSA", pki.RSA2048: "RSA-PSS", pki.Ed25519: "ed25519"}

var (
	mtiVersions = []uint16{tls.VersionTLS13, tls.VersionTLS12}
	mtiKeyTypes = []pki.KeyType{pki.ECDSAP256, pki.RSA2048, pki.Ed25519}
)

// mtiCheckClientSeen checks what a Lucid server recorded of the client.
// withRoot allows the client to have sent the root after the leaf, as
// openssl does when it builds the chain of a leaf given alone from its
// -CAfile.
func mtiCheckClientSeen(t *testing.T, p *mtiPKI, st tls.ConnectionState, v uint16, cn string, withRoot bool) {
	t.Helper()
	if st.Version != v {
		t.Errorf("negotiated %s, want %s", tls.VersionName(st.Version), tls.VersionName(v))
	}
	if len(st.PeerCertificates) == 0 || st.PeerCertificates[0].Subject.CommonName != cn {
		t.Errorf("server sees peer certificates %v, want the leaf of %q", st.PeerCertificates, cn)
	}
	if n := len(st.PeerCertificates); n != p.chainLen()-1 && !(withRoot && n == p.chainLen()) {
		t.Errorf("client sent %d certificates, want %d (leaf and intermediates)", len(st.PeerCertificates), p.chainLen()-1)
	}
	if len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) != p.chainLen() {
		t.Errorf("verified chains %v, want one of %d certificates ending at the root", st.VerifiedChains, p.chainLen())
	} else if !st.VerifiedChains[0][p.chainLen()-1].Equal(p.root.Root()) {
		t.Error("the verified chain does not end at the root")
	}
}

// ---------------------------------------------------------------------------
// openssl.

// mtiTalk moves one line each way between Lucid and a running openssl
// s_server or s_client started with -brief (so its standard output carries
// only what it received).
func mtiTalk(t *testing.T, p *iopOpensslProc, c *tls.Conn, tag string) {
	t.Helper()
	up := "from-lucid-" + tag + "\n"
	if _, err := c.Write([]byte(up)); err != nil {
		t.Fatalf("Lucid write: %v; openssl stderr: %s", err, iopLastLines(p.stderr.String(), 8))
	}
	if _, _, err := p.waitOutput(t, up, 0); err != nil {
		t.Fatalf("openssl did not print Lucid's line: %v", err)
	}
	down := "from-openssl-" + tag + "\n"
	if _, err := io.WriteString(p.stdin, down); err != nil {
		t.Fatalf("writing to openssl: %v", err)
	}
	got := make([]byte, len(down))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != down {
		t.Fatalf("Lucid read %q, %v; want %q; openssl stderr: %s", got, err, down, iopLastLines(p.stderr.String(), 8))
	}
}

// mtiOsslOutput waits for openssl to exit, which it does once its one
// connection has ended, and returns all it printed.
func mtiOsslOutput(t *testing.T, p *iopOpensslProc) string {
	t.Helper()
	p.waitExit(t)
	return p.stdout.String() + p.stderr.String()
}

// mtiSServer starts s_server for one connection and returns it with the
// raw connection to it.
func mtiSServer(t *testing.T, args ...string) (*iopOpensslProc, net.Conn) {
	t.Helper()
	p, next := i12StartSServer(t, 1, append(args, "-brief")...)
	raw := next()
	raw.SetDeadline(testwait.Deadline(t))
	return p, raw
}

// mtiSClient starts s_client against a Lucid listener and returns it with
// the accepted raw connection.
func mtiSClient(t *testing.T, args ...string) (*iopOpensslProc, net.Conn) {
	t.Helper()
	p, raw := i12StartSClient(t, append(args, "-brief")...)
	raw.SetDeadline(testwait.Deadline(t))
	return p, raw
}

func (p *mtiPKI) sServerArgs(v uint16, extra ...string) []string {
	args := append([]string{mtiVersionFlag(v)}, p.opensslCert(p.server)...)
	args = append(args, "-CAfile", p.caFile, "-Verify", "1", "-verify_return_error")
	return append(args, extra...)
}

func (p *mtiPKI) sClientArgs(v uint16, extra ...string) []string {
	return append([]string{mtiVersionFlag(v), "-CAfile", p.caFile, "-verify_return_error",
		"-servername", "localhost", "-verify_hostname", "localhost"}, extra...)
}

// mtiOpenSSLPair runs both directions for one PKI and version.
func mtiOpenSSLPair(t *testing.T, p *mtiPKI, v uint16) {
	t.Run("lucid-client/s_server", func(t *testing.T) {
		proc, raw := mtiSServer(t, p.sServerArgs(v)...)
		c := tls.Client(raw, p.lucidClient(t, v, p.client))
		if err := c.Handshake(); err != nil {
			t.Fatalf("Lucid client handshake: %v; s_server: %s", err, iopLastLines(proc.stderr.String(), 8))
		}
		st := c.ConnectionState()
		if st.Version != v || len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) != p.chainLen() {
			t.Errorf("Lucid client: version %s, verified chains %v", tls.VersionName(st.Version), st.VerifiedChains)
		}
		mtiTalk(t, proc, c, "s_server")
		c.Close()
		// With -brief s_server reports the client's certificate, the
		// outcome of its verification and the client's signature.
		iopCheckContains(t, "s_server's report", mtiOsslOutput(t, proc),
			"Peer certificate: CN = alice", "Verification: OK", "Signature type: "+mtiOpensslSigType[p.kt])
	})
	t.Run("s_client/lucid-server", func(t *testing.T) {
		proc, raw := mtiSClient(t, p.sClientArgs(v, p.opensslCert(p.client)...)...)
		s := tls.Server(raw, p.lucidServer(t, v))
		if err := s.Handshake(); err != nil {
			t.Fatalf("Lucid server handshake: %v; s_client: %s", err, iopLastLines(proc.stderr.String(), 8))
		}
		mtiCheckClientSeen(t, p, s.ConnectionState(), v, "alice", true)
		mtiTalk(t, proc, s, "s_client")
		s.Close()
	})
}

func TestMTLSInteropOpenSSL(t *testing.T) {
	iopOpensslPath(t)
	for _, kt := range mtiKeyTypes {
		p := mtiNewPKI(t, kt, false)
		for _, v := range mtiVersions {
			t.Run(string(kt)+"/"+tls.VersionName(v), func(t *testing.T) { mtiOpenSSLPair(t, p, v) })
		}
	}
	// Leaves from an intermediate; every peer trusts only the root.
	p := mtiNewPKI(t, pki.ECDSAP256, true)
	for _, v := range mtiVersions {
		t.Run("intermediate/"+tls.VersionName(v), func(t *testing.T) { mtiOpenSSLPair(t, p, v) })
	}
}

// ---------------------------------------------------------------------------
// crypto/tls.

// mtiGoTalk handshakes client and server over loopback and moves a line
// each way; it returns the two errors.
func mtiGoTalk(t *testing.T, client, server func(net.Conn) mtiStream) (cerr, serr error) {
	t.Helper()
	rc, rs := pair(t)
	c, s := client(rc), server(rs)
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			if err := s.Handshake(); err != nil {
				return err
			}
			b := make([]byte, len("ping\n"))
			if _, err := io.ReadFull(s, b); err != nil {
				return err
			}
			if string(b) != "ping\n" {
				return fmt.Errorf("server read %q", b)
			}
			_, err := io.WriteString(s, "pong\n")
			return err
		}()
	}()
	cerr = func() error {
		if err := c.Handshake(); err != nil {
			return err
		}
		if _, err := io.WriteString(c, "ping\n"); err != nil {
			return err
		}
		b := make([]byte, len("pong\n"))
		if _, err := io.ReadFull(c, b); err != nil {
			return err
		}
		if string(b) != "pong\n" {
			return fmt.Errorf("client read %q", b)
		}
		return nil
	}()
	if cerr != nil {
		// Unblock a server still waiting for data.
		rc.Close()
	}
	serr = <-done
	c.Close()
	s.Close()
	return cerr, serr
}

type mtiStream = interface {
	io.ReadWriteCloser
	Handshake() error
}

func mtiCryptoTLSPair(t *testing.T, p *mtiPKI, v uint16) {
	t.Run("crypto-tls-client/lucid-server", func(t *testing.T) {
		var server *tls.Conn
		cerr, serr := mtiGoTalk(t, func(c net.Conn) mtiStream {
			return stdtls.Client(c, &stdtls.Config{RootCAs: p.pool, ServerName: "localhost",
				Certificates: []stdtls.Certificate{mtiStdCert(t, p.client)}, MinVersion: v, MaxVersion: v})
		}, func(c net.Conn) mtiStream {
			server = tls.Server(c, p.lucidServer(t, v))
			return server
		})
		if cerr != nil || serr != nil {
			t.Fatalf("crypto/tls client %v, Lucid server %v", cerr, serr)
		}
		mtiCheckClientSeen(t, p, server.ConnectionState(), v, "alice", false)
	})
	t.Run("lucid-client/crypto-tls-server", func(t *testing.T) {
		var server *stdtls.Conn
		cerr, serr := mtiGoTalk(t, func(c net.Conn) mtiStream {
			return tls.Client(c, p.lucidClient(t, v, p.client))
		}, func(c net.Conn) mtiStream {
			server = stdtls.Server(c, &stdtls.Config{Certificates: []stdtls.Certificate{mtiStdCert(t, p.server)},
				ClientAuth: stdtls.RequireAndVerifyClientCert, ClientCAs: p.pool, MinVersion: v, MaxVersion: v})
			return server
		})
		if cerr != nil || serr != nil {
			t.Fatalf("Lucid client %v, crypto/tls server %v", cerr, serr)
		}
		st := server.ConnectionState()
		if len(st.PeerCertificates) != p.chainLen()-1 || st.PeerCertificates[0].Subject.CommonName != "alice" ||
			len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) != p.chainLen() {
			t.Errorf("crypto/tls server: peer certificates %d, verified chains %v", len(st.PeerCertificates), st.VerifiedChains)
		}
	})
}

func TestMTLSInteropCryptoTLS(t *testing.T) {
	for _, kt := range mtiKeyTypes {
		p := mtiNewPKI(t, kt, false)
		for _, v := range mtiVersions {
			t.Run(string(kt)+"/"+tls.VersionName(v), func(t *testing.T) { mtiCryptoTLSPair(t, p, v) })
		}
	}
	p := mtiNewPKI(t, pki.ECDSAP256, true)
	for _, v := range mtiVersions {
		t.Run("intermediate/"+tls.VersionName(v), func(t *testing.T) { mtiCryptoTLSPair(t, p, v) })
	}
}

// ---------------------------------------------------------------------------
// Revocation and missing certificates.

// mtiCheckSentAlert checks an error for an alert Lucid sent, and returns the
// *pki.VerifyError inside, if any.
func mtiCheckSentAlert(t *testing.T, who string, err error, want tls.AlertError) *pki.VerifyError {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want alert %v", who, want)
	}
	var te *tls.Error
	if !errors.As(err, &te) || te.Remote || te.Alert != want {
		t.Errorf("%s error %q: want a *tls.Error for alert %v that Lucid sent", who, err, want)
	}
	var a tls.AlertError
	if !errors.As(err, &a) || a != want {
		t.Errorf("%s error %q: alert %v, want %v", who, err, a, want)
	}
	var ve *pki.VerifyError
	errors.As(err, &ve)
	return ve
}

// mtiCheckRevoked checks a Lucid server's refusal of mallory's certificate.
func mtiCheckRevoked(t *testing.T, err error, mallory mtiLeaf) {
	t.Helper()
	ve := mtiCheckSentAlert(t, "Lucid server", err, tls.AlertError(44)) // certificate_revoked
	if ve == nil {
		t.Fatalf("Lucid server error %q holds no *pki.VerifyError", err)
	}
	if ve.Reason != pki.Revoked {
		t.Errorf("reason %v, want %v", ve.Reason, pki.Revoked)
	}
	var ce *tls.CertificateVerificationError
	if !errors.As(err, &ce) || len(ce.UnverifiedCertificates) == 0 || !ce.UnverifiedCertificates[0].Equal(mallory.iss.Certificate) {
		t.Errorf("Lucid server error %q: no CertificateVerificationError holding mallory's certificate", err)
	}
	for _, w := range []string{"mallory", "revoked on", "keyCompromise"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Lucid server error %q does not mention %q", err, w)
		}
	}
}

func TestMTLSInteropRevokedClient(t *testing.T) {
	p := mtiNewPKI(t, pki.ECDSAP256, false)
	mallory := p.issue(t, pki.KindClient, pki.ECDSAP256, "mallory", "mallory")
	if _, err := p.root.Revoke(mallory.iss.Certificate.SerialNumber, pki.ReasonKeyCompromise, p.now); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	crl, crlPEM, err := p.root.CRL(p.now)
	if err != nil {
		t.Fatalf("CRL: %v", err)
	}
	crlFile := filepath.Join(p.dir, "crl.pem")
	if err := os.WriteFile(crlFile, crlPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	serverCfg := func(v uint16) *tls.Config {
		cfg := p.lucidServer(t, v)
		cfg.RevocationLists = []*x509.RevocationList{crl}
		return cfg
	}

	for _, v := range mtiVersions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			t.Run("crypto-tls-client/lucid-server", func(t *testing.T) {
				// alice passes the same server: the list refuses only mallory.
				for _, who := range []mtiLeaf{p.client, mallory} {
					cerr, serr := mtiGoTalk(t, func(c net.Conn) mtiStream {
						return stdtls.Client(c, &stdtls.Config{RootCAs: p.pool, ServerName: "localhost",
							Certificates: []stdtls.Certificate{mtiStdCert(t, who)}, MinVersion: v, MaxVersion: v})
					}, func(c net.Conn) mtiStream { return tls.Server(c, serverCfg(v)) })
					if who.iss == p.client.iss {
						if cerr != nil || serr != nil {
							t.Fatalf("alice refused under the CRL: client %v, server %v", cerr, serr)
						}
						continue
					}
					mtiCheckRevoked(t, serr, mallory)
					if cerr == nil || !strings.Contains(cerr.Error(), "revoked certificate") {
						t.Errorf("crypto/tls client error %v, want the certificate_revoked alert", cerr)
					}
				}
			})
			t.Run("s_client/lucid-server", func(t *testing.T) {
				proc, raw := mtiSClient(t, p.sClientArgs(v, p.opensslCert(mallory)...)...)
				err := tls.Server(raw, serverCfg(v)).Handshake()
				raw.Close()
				mtiCheckRevoked(t, err, mallory)
				out := mtiOsslOutput(t, proc)
				if !strings.Contains(out, "alert certificate revoked") || !strings.Contains(out, "SSL alert number 44") {
					t.Errorf("s_client's output does not report the certificate_revoked alert:\n%s", out)
				}
			})
			t.Run("lucid-client/s_server-crl_check", func(t *testing.T) {
				// alice passes s_server with the list: it checks, and refuses only mallory.
				proc, raw := mtiSServer(t, p.sServerArgs(v, "-CRL", crlFile, "-crl_check")...)
				c := tls.Client(raw, p.lucidClient(t, v, p.client))
				if err := c.Handshake(); err != nil {
					t.Fatalf("alice refused by s_server -crl_check: %v; s_server: %s", err, iopLastLines(proc.stderr.String(), 8))
				}
				mtiTalk(t, proc, c, "crl-check")
				c.Close()
				iopCheckContains(t, "s_server's report", mtiOsslOutput(t, proc), "Peer certificate: CN = alice", "Verification: OK")

				proc, raw = mtiSServer(t, p.sServerArgs(v, "-CRL", crlFile, "-crl_check")...)
				c = tls.Client(raw, p.lucidClient(t, v, mallory))
				err := c.Handshake()
				if err == nil {
					// TLS 1.3: the client finishes first and learns of
					// the refusal when it reads.
					_, err = c.Read(make([]byte, 1))
				}
				var te *tls.Error
				if !errors.As(err, &te) || !te.Remote || te.Alert != tls.AlertError(44) {
					t.Errorf("Lucid client error %v, want certificate_revoked (44) from s_server", err)
				}
				out := mtiOsslOutput(t, proc)
				if !strings.Contains(out, "certificate revoked") {
					t.Errorf("s_server's output does not say the certificate was revoked:\n%s", out)
				}
			})
		})
	}
}

// Without a client certificate a server that requires one refuses:
// certificate_required in TLS 1.3 (RFC 8446 §4.4.2.4), handshake_failure in
// TLS 1.2 (RFC 5246 §7.4.6).
func TestMTLSInteropNoClientCertificate(t *testing.T) {
	p := mtiNewPKI(t, pki.ECDSAP256, false)
	cases := []struct {
		v       uint16
		alert   tls.AlertError
		openssl string // how openssl's s_client reports the alert
		std     string // how crypto/tls reports it
	}{
		{tls.VersionTLS13, tls.AlertError(116), "certificate required", "certificate required"},
		{tls.VersionTLS12, tls.AlertHandshakeFailure, "handshake failure", "handshake failure"},
	}
	for _, tc := range cases {
		t.Run(tls.VersionName(tc.v), func(t *testing.T) {
			t.Run("s_client", func(t *testing.T) {
				proc, raw := mtiSClient(t, p.sClientArgs(tc.v)...)
				err := tls.Server(raw, p.lucidServer(t, tc.v)).Handshake()
				raw.Close()
				mtiCheckSentAlert(t, "Lucid server", err, tc.alert)
				out := mtiOsslOutput(t, proc)
				if !strings.Contains(out, tc.openssl) || !strings.Contains(out, fmt.Sprintf("SSL alert number %d", tc.alert)) {
					t.Errorf("s_client's output does not report %q (alert %d):\n%s", tc.openssl, tc.alert, out)
				}
			})
			t.Run("crypto-tls-client", func(t *testing.T) {
				cerr, serr := mtiGoTalk(t, func(c net.Conn) mtiStream {
					return stdtls.Client(c, &stdtls.Config{RootCAs: p.pool, ServerName: "localhost", MinVersion: tc.v, MaxVersion: tc.v})
				}, func(c net.Conn) mtiStream { return tls.Server(c, p.lucidServer(t, tc.v)) })
				mtiCheckSentAlert(t, "Lucid server", serr, tc.alert)
				if cerr == nil || !strings.Contains(cerr.Error(), tc.std) {
					t.Errorf("crypto/tls client error %v, want %q", cerr, tc.std)
				}
			})
		})
	}
}
