package tls_test

// Every pki.Reason a peer's chain can be refused for, through real Lucid
// handshakes over loopback: a Lucid client refusing a server's chain and a
// Lucid server refusing a client's, in TLS 1.3 and TLS 1.2. Each refusal is
// checked on both ends: the verifier's error (a *tls.Error for the alert it
// sent, holding a *tls.CertificateVerificationError and a *pki.VerifyError
// with the reason, the certificate at fault and the chain), and the
// peer's (a *tls.Error for the alert it received).

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"lucid/pki"
	"lucid/tls"
)

// rsnTimeFormat is how pki writes times in its explanations.
const rsnTimeFormat = "2006-01-02 15:04:05 UTC"

func rsnTime(t time.Time) string { return t.UTC().Format(rsnTimeFormat) }

// rsnSide says whose chain is refused.
type rsnSide int

const (
	rsnServerChain rsnSide = iota // the Lucid client refuses the server's chain
	rsnClientChain                // the Lucid server refuses the client's chain
)

func (s rsnSide) String() string {
	if s == rsnServerChain {
		return "client-verifies-server"
	}
	return "server-verifies-client"
}

// rsnLeaf is a chain to present and its key.
type rsnLeaf struct {
	chain [][]byte
	key   crypto.Signer
}

func rsnIssued(i *pki.Issued) rsnLeaf { return rsnLeaf{chain: i.Chain, key: i.Key} }

type rsnCase struct {
	name   string
	side   rsnSide
	leaf   rsnLeaf
	reason pki.Reason
	alert  tls.AlertError
	index  int      // VerifyError.Index: the certificate at fault
	words  []string // what the verifier's error must say

	// What the verifier is told.
	at         time.Time // Config.Time; zero for the real clock
	serverName string    // the client's ServerName; "" for localhost
	crls       []*x509.RevocationList
}

// rsnFixture is the PKI every case is drawn from.
type rsnFixture struct {
	base   time.Time
	root   *pki.CA
	pool   *x509.CertPool
	server *pki.Issued // a good server certificate, for the server when the client's chain is under test
	client *pki.Issued // a good client certificate
	cases  []rsnCase
}

var (
	rsnOnce sync.Once
	rsnFix  *rsnFixture
	rsnErr  error
)

func rsnFixtures(t *testing.T) *rsnFixture {
	t.Helper()
	rsnOnce.Do(func() { rsnFix, rsnErr = rsnBuild() })
	if rsnErr != nil {
		t.Fatalf("building the test PKI: %v", rsnErr)
	}
	return rsnFix
}

// rsnMake signs a hand-made certificate: what pki refuses to issue.
func rsnMake(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) ([]byte, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial.Add(serial, big.NewInt(1))
	if parent == nil {
		parent = tmpl
	}
	return x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
}

func rsnKey() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }

// rsnFlipSignature returns der with the last byte of its signature changed:
// it still parses, but no key verifies it.
func rsnFlipSignature(der []byte) []byte {
	out := append([]byte(nil), der...)
	out[len(out)-1] ^= 0x5a
	return out
}

func rsnBuild() (*rsnFixture, error) {
	f := &rsnFixture{base: time.Now().UTC().Truncate(time.Second)}
	base := f.base
	var err error
	ca := func(name string, parent *pki.CA) *pki.CA {
		if err != nil {
			return nil
		}
		var c *pki.CA
		c, err = pki.NewMemoryCA(pki.InitOptions{Name: name, Parent: parent, Now: base.AddDate(0, 0, -30)})
		return c
	}
	issue := func(c *pki.CA, kind pki.Kind, days int, names ...string) *pki.Issued {
		if err != nil {
			return nil
		}
		var i *pki.Issued
		i, err = c.Issue(pki.IssueOptions{Kind: kind, Names: names, Days: days, Now: base})
		return i
	}
	f.root = ca("Reasons Root", nil)
	stranger := ca("Stranger Root", nil)
	// Same name as the trusted root, different key.
	forger := ca("Reasons Root", nil)
	// pki's intermediates have pathLenConstraint 0: leaves only.
	inter := ca("Reasons Intermediate", f.root)
	if err != nil {
		return nil, err
	}
	f.pool = f.root.RootPool()
	f.server = issue(f.root, pki.KindServer, 0, "localhost", "127.0.0.1")
	f.client = issue(f.root, pki.KindClient, 0, "alice")
	// One day of validity: expired at base+10d, not yet valid at base-2d
	// (before its notBefore of base-1h, while the root is valid).
	shortServer := issue(f.root, pki.KindServer, 1, "localhost")
	shortClient := issue(f.root, pki.KindClient, 1, "carol")
	strangerServer := issue(stranger, pki.KindServer, 0, "localhost")
	strangerClient := issue(stranger, pki.KindClient, 0, "dave")
	forgedServer := issue(forger, pki.KindServer, 0, "localhost")
	forgedClient := issue(forger, pki.KindClient, 0, "eve")
	revokedServer := issue(f.root, pki.KindServer, 0, "localhost")
	revokedClient := issue(f.root, pki.KindClient, 0, "mallory")
	if err != nil {
		return nil, err
	}

	// A client certificate that names localhost, so that the client's
	// host name check passes and only the usage is wrong.
	laptopKey, err := rsnKey()
	if err != nil {
		return nil, err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "alice-laptop"}, DNSNames: []string{"localhost"}}, laptopKey)
	if err != nil {
		return nil, err
	}
	laptop, err := f.root.SignCSR(csr, pki.CSROptions{Client: true, Now: base})
	if err != nil {
		return nil, err
	}

	// Revocation: the root's list names two of its leaves.
	revokedAt := base.Add(-time.Minute)
	for _, i := range []*pki.Issued{revokedServer, revokedClient} {
		if _, err := f.root.Revoke(i.Certificate.SerialNumber, pki.ReasonKeyCompromise, revokedAt); err != nil {
			return nil, err
		}
	}
	crl, _, err := f.root.CRL(base)
	if err != nil {
		return nil, err
	}

	// A self-signed leaf good for both purposes.
	selfKey, err := rsnKey()
	if err != nil {
		return nil, err
	}
	selfDER, err := rsnMake(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "Self Made"},
		DNSNames:    []string{"localhost"},
		NotBefore:   base.Add(-time.Hour),
		NotAfter:    base.AddDate(0, 0, 30),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, nil, selfKey.Public(), selfKey)
	if err != nil {
		return nil, err
	}

	// A sub-CA below the pathlen-0 intermediate, and a leaf below it:
	// the chain leaf, sub-CA, intermediate breaks the intermediate's
	// pathLenConstraint.
	subKey, err := rsnKey()
	if err != nil {
		return nil, err
	}
	subDER, err := rsnMake(&x509.Certificate{
		Subject:               pkix.Name{CommonName: "Rogue Sub-CA"},
		NotBefore:             base.Add(-time.Hour),
		NotAfter:              base.AddDate(0, 0, 30),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
	}, inter.Certificate(), subKey.Public(), inter.Signer())
	if err != nil {
		return nil, err
	}
	sub, err := x509.ParseCertificate(subDER)
	if err != nil {
		return nil, err
	}
	deepKey, err := rsnKey()
	if err != nil {
		return nil, err
	}
	deepDER, err := rsnMake(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "deep"},
		DNSNames:    []string{"localhost"},
		NotBefore:   base.Add(-time.Hour),
		NotAfter:    base.AddDate(0, 0, 30),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, sub, deepKey.Public(), subKey)
	if err != nil {
		return nil, err
	}
	deep := rsnLeaf{chain: [][]byte{deepDER, subDER, inter.Certificate().Raw}, key: deepKey}

	// Eleven certificates: a good leaf and ten copies of the intermediate.
	long := func(i *pki.Issued) rsnLeaf {
		l := rsnLeaf{chain: [][]byte{i.Chain[0]}, key: i.Key}
		for len(l.chain) < 11 {
			l.chain = append(l.chain, inter.Certificate().Raw)
		}
		return l
	}

	rootName := `"CN=Reasons Root,O=Lucid"`
	interName := `"CN=Reasons Intermediate,O=Lucid"`
	expiredAt, earlyAt := base.AddDate(0, 0, 10), base.AddDate(0, 0, -2)
	revokedLine := func(i *pki.Issued) string {
		return fmt.Sprintf("with serial %s was revoked on %s (reason: keyCompromise), according to the revocation list of %s",
			pki.FormatSerial(i.Certificate.SerialNumber), rsnTime(revokedAt.Truncate(time.Second)), rootName)
	}
	const (
		expired     = tls.AlertCertificateExpired
		unknownCA   = tls.AlertUnknownCA
		badCert     = tls.AlertBadCertificate
		unsupported = tls.AlertError(43) // unsupported_certificate
		revoked     = tls.AlertError(44) // certificate_revoked
	)
	S, C := rsnServerChain, rsnClientChain
	f.cases = []rsnCase{
		{name: "expired", side: S, leaf: rsnIssued(shortServer), reason: pki.Expired, alert: expired, at: expiredAt,
			words: []string{"the certificate for localhost expired on " + rsnTime(shortServer.Certificate.NotAfter) + " (now " + rsnTime(expiredAt) + ")"}},
		{name: "expired", side: C, leaf: rsnIssued(shortClient), reason: pki.Expired, alert: expired, at: expiredAt,
			words: []string{`certificate "CN=carol" expired on ` + rsnTime(shortClient.Certificate.NotAfter) + " (now " + rsnTime(expiredAt) + ")"}},
		{name: "not-yet-valid", side: S, leaf: rsnIssued(shortServer), reason: pki.NotYetValid, alert: expired, at: earlyAt,
			words: []string{"the certificate for localhost is not valid until " + rsnTime(shortServer.Certificate.NotBefore) + " (now " + rsnTime(earlyAt) + ")"}},
		{name: "not-yet-valid", side: C, leaf: rsnIssued(shortClient), reason: pki.NotYetValid, alert: expired, at: earlyAt,
			words: []string{`certificate "CN=carol" is not valid until ` + rsnTime(shortClient.Certificate.NotBefore) + " (now " + rsnTime(earlyAt) + ")"}},
		{name: "unknown-authority", side: S, leaf: rsnIssued(strangerServer), reason: pki.UnknownAuthority, alert: unknownCA,
			words: []string{`certificate "CN=localhost" is signed by an unknown authority "CN=Stranger Root,O=Lucid" (not in the trusted roots)`}},
		{name: "unknown-authority", side: C, leaf: rsnIssued(strangerClient), reason: pki.UnknownAuthority, alert: unknownCA,
			words: []string{`certificate "CN=dave" is signed by an unknown authority "CN=Stranger Root,O=Lucid" (not in the trusted roots)`}},
		{name: "hostname-mismatch", side: S, leaf: rsnIssued(f.server), reason: pki.HostnameMismatch, alert: badCert, serverName: "wrong.example",
			words: []string{"certificate is valid for localhost, 127.0.0.1, not wrong.example"}},
		{name: "wrong-usage/client-cert-as-server", side: S, leaf: rsnLeaf{chain: laptop.Chain, key: laptopKey}, reason: pki.WrongUsage, alert: unsupported,
			words: []string{`certificate "CN=alice-laptop" is not valid for server authentication (extended key usage: clientAuth)`}},
		{name: "wrong-usage/server-cert-as-client", side: C, leaf: rsnIssued(f.server), reason: pki.WrongUsage, alert: unsupported,
			words: []string{`certificate "CN=localhost" is not valid for client authentication (extended key usage: serverAuth)`}},
		{name: "revoked", side: S, leaf: rsnIssued(revokedServer), reason: pki.Revoked, alert: revoked, crls: []*x509.RevocationList{crl},
			words: []string{"the certificate for localhost " + revokedLine(revokedServer)}},
		{name: "revoked", side: C, leaf: rsnIssued(revokedClient), reason: pki.Revoked, alert: revoked, crls: []*x509.RevocationList{crl},
			words: []string{`certificate "CN=mallory" ` + revokedLine(revokedClient)}},
		{name: "self-signed", side: S, leaf: rsnLeaf{chain: [][]byte{selfDER}, key: selfKey}, reason: pki.SelfSigned, alert: unknownCA,
			words: []string{`certificate "CN=Self Made" is self-signed and not trusted`}},
		{name: "self-signed", side: C, leaf: rsnLeaf{chain: [][]byte{selfDER}, key: selfKey}, reason: pki.SelfSigned, alert: unknownCA,
			words: []string{`certificate "CN=Self Made" is self-signed and not trusted`}},
		{name: "bad-signature/flipped", side: S, leaf: rsnLeaf{chain: [][]byte{rsnFlipSignature(f.server.Chain[0])}, key: f.server.Key},
			reason: pki.BadSignature, alert: badCert,
			words: []string{`certificate "CN=localhost" names the trusted root ` + rootName + ` as its issuer, but its signature does not verify with that root's key`}},
		{name: "bad-signature/flipped", side: C, leaf: rsnLeaf{chain: [][]byte{rsnFlipSignature(f.client.Chain[0])}, key: f.client.Key},
			reason: pki.BadSignature, alert: badCert,
			words: []string{`certificate "CN=alice" names the trusted root ` + rootName + ` as its issuer, but its signature does not verify with that root's key`}},
		{name: "bad-signature/forged-issuer", side: S, leaf: rsnIssued(forgedServer), reason: pki.BadSignature, alert: badCert,
			words: []string{`certificate "CN=localhost" names the trusted root ` + rootName + ` as its issuer, but its signature does not verify`}},
		{name: "bad-signature/forged-issuer", side: C, leaf: rsnIssued(forgedClient), reason: pki.BadSignature, alert: badCert,
			words: []string{`certificate "CN=eve" names the trusted root ` + rootName + ` as its issuer, but its signature does not verify`}},
		{name: "chain-too-long/pathlen", side: S, leaf: deep, reason: pki.ChainTooLong, alert: badCert, index: 2,
			words: []string{"intermediate certificate " + interName + " (certificate 2 in the chain) allows at most 0 intermediate certificates below it (pathLenConstraint 0), but the chain puts 1 below it"}},
		{name: "chain-too-long/pathlen", side: C, leaf: deep, reason: pki.ChainTooLong, alert: badCert, index: 2,
			words: []string{"intermediate certificate " + interName + " (certificate 2 in the chain) allows at most 0 intermediate certificates below it (pathLenConstraint 0), but the chain puts 1 below it"}},
		{name: "chain-too-long/eleven", side: S, leaf: long(f.server), reason: pki.ChainTooLong, alert: badCert, index: -1,
			words: []string{"the peer sent 11 certificates, more than the 10 Lucid accepts in a chain"}},
		{name: "chain-too-long/eleven", side: C, leaf: long(f.client), reason: pki.ChainTooLong, alert: badCert, index: -1,
			words: []string{"the peer sent 11 certificates, more than the 10 Lucid accepts in a chain"}},
	}
	return f, nil
}

// rsnHandshake runs one connection in which the verifier should refuse the
// other side's chain, and returns the verifier's error and the peer's. The
// side whose handshake completes reads once, to learn of an alert sent
// after its Finished (TLS 1.3 client authentication); a verifier that
// accepted closes at once, so nothing waits for the deadline.
func rsnHandshake(t *testing.T, f *rsnFixture, tc rsnCase, v uint16) (verifierErr, peerErr error) {
	t.Helper()
	rc, rs := pair(t)
	presented := &tls.Certificate{Certificate: tc.leaf.chain, PrivateKey: tc.leaf.key}
	serverCfg := &tls.Config{MinVersion: v, MaxVersion: v}
	clientCfg := &tls.Config{RootCAs: f.pool, ServerName: "localhost", MinVersion: v, MaxVersion: v}
	verifier := clientCfg
	if tc.side == rsnServerChain {
		serverCfg.Certificates = []tls.Certificate{*presented}
	} else {
		serverCfg.Certificates = []tls.Certificate{{Certificate: f.server.Chain, PrivateKey: f.server.Key}}
		serverCfg.ClientAuth = tls.RequireAndVerifyClientCert
		serverCfg.ClientCAs = f.pool
		clientCfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return presented, nil }
		verifier = serverCfg
	}
	if !tc.at.IsZero() {
		at := tc.at
		verifier.Time = func() time.Time { return at }
	}
	verifier.RevocationLists = tc.crls
	if tc.serverName != "" {
		clientCfg.ServerName = tc.serverName
	}
	client, server := tls.Client(rc, clientCfg), tls.Server(rs, serverCfg)
	run := func(c *tls.Conn, isVerifier bool) error {
		err := c.Handshake()
		if err == nil && isVerifier {
			c.Close()
			return nil
		}
		if err == nil {
			_, err = c.Read(make([]byte, 1))
		}
		return err
	}
	done := make(chan error, 1)
	go func() { done <- run(server, tc.side == rsnClientChain) }()
	cerr := run(client, tc.side == rsnServerChain)
	serr := <-done
	if tc.side == rsnServerChain {
		return cerr, serr
	}
	return serr, cerr
}

func rsnSameChain(got []*x509.Certificate, want [][]byte) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] == nil || string(got[i].Raw) != string(want[i]) {
			return false
		}
	}
	return true
}

func TestVerifyReasonsInHandshake(t *testing.T) {
	f := rsnFixtures(t)
	seen := map[pki.Reason]bool{}
	for _, tc := range f.cases {
		seen[tc.reason] = true
		for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
			t.Run(tc.name+"/"+tc.side.String()+"/"+tls.VersionName(v), func(t *testing.T) {
				verr, perr := rsnHandshake(t, f, tc, v)
				rsnCheckVerifier(t, tc, verr)
				rsnCheckPeer(t, tc, perr)
			})
		}
	}
	for _, r := range []pki.Reason{pki.Expired, pki.NotYetValid, pki.UnknownAuthority, pki.HostnameMismatch, pki.WrongUsage,
		pki.Revoked, pki.SelfSigned, pki.BadSignature, pki.ChainTooLong} {
		if !seen[r] {
			t.Errorf("no case for reason %v", r)
		}
	}
}

// rsnAlertName is the RFC name of an alert, as errors print it.
func rsnAlertName(a tls.AlertError) string { return strings.TrimPrefix(a.Error(), "tls: ") }

func rsnCheckVerifier(t *testing.T, tc rsnCase, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("the verifier accepted the chain")
	}
	t.Logf("verifier: %v", err)
	var te *tls.Error
	if !errors.As(err, &te) || te.Remote || te.Alert != tc.alert {
		t.Errorf("verifier error %q: want a *tls.Error for alert %v that it sent", err, tc.alert)
	}
	var a tls.AlertError
	if !errors.As(err, &a) || a != tc.alert {
		t.Errorf("verifier error %q: alert %v, want %v", err, a, tc.alert)
	}
	if !strings.Contains(err.Error(), "sent alert "+rsnAlertName(tc.alert)) {
		t.Errorf("verifier error %q does not name the alert it sent, %s", err, rsnAlertName(tc.alert))
	}
	var cve *tls.CertificateVerificationError
	if !errors.As(err, &cve) {
		t.Fatalf("verifier error %q holds no *tls.CertificateVerificationError", err)
	}
	if !rsnSameChain(cve.UnverifiedCertificates, tc.leaf.chain) {
		t.Errorf("UnverifiedCertificates holds %d certificates, not the %d of the refused chain", len(cve.UnverifiedCertificates), len(tc.leaf.chain))
	}
	var ve *pki.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("verifier error %q holds no *pki.VerifyError", err)
	}
	if ve.Reason != tc.reason {
		t.Errorf("reason %v, want %v (%s)", ve.Reason, tc.reason, ve.Detail)
	}
	if tls.AlertError(ve.Alert()) != tc.alert {
		t.Errorf("VerifyError.Alert() %v, want %v", tls.AlertError(ve.Alert()), tc.alert)
	}
	if !rsnSameChain(ve.Chain, tc.leaf.chain) {
		t.Errorf("VerifyError.Chain holds %d certificates, not the %d of the refused chain", len(ve.Chain), len(tc.leaf.chain))
	}
	if ve.Index != tc.index {
		t.Errorf("VerifyError.Index %d, want %d", ve.Index, tc.index)
	}
	switch {
	case tc.index >= 0 && (ve.Cert == nil || string(ve.Cert.Raw) != string(tc.leaf.chain[tc.index])):
		t.Errorf("VerifyError.Cert is not certificate %d of the chain", tc.index)
	case tc.index < 0 && ve.Cert != nil:
		t.Errorf("VerifyError.Cert is %v, want none", ve.Cert.Subject)
	}
	for _, w := range tc.words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("verifier error\n\t%s\ndoes not say\n\t%s", err, w)
		}
	}
}

func rsnCheckPeer(t *testing.T, tc rsnCase, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("the peer saw no error")
	}
	var te *tls.Error
	if !errors.As(err, &te) || !te.Remote || te.Alert != tc.alert {
		t.Errorf("peer error %q: want a *tls.Error for alert %v received from the verifier", err, tc.alert)
	}
	if !strings.Contains(err.Error(), "the peer sent alert "+rsnAlertName(tc.alert)) {
		t.Errorf("peer error %q does not name the alert it received, %s", err, rsnAlertName(tc.alert))
	}
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		t.Errorf("peer error %q claims a verification failure of its own", err)
	}
}
