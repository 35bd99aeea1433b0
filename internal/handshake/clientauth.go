package handshake

import (
	"crypto/x509"
	"fmt"
	"slices"

	"lucid/internal/alert"
	"lucid/internal/signature"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// Client certificates, the seed's mutual authentication: the server asks
// (CertificateRequest), the client answers with a chain and a signature
// over the handshake, and the server checks both.

// clientCertificate asks the configuration for a certificate to answer a
// request with; nil means the client has none, which is not an error.
func (cfg *Config) clientCertificate(req *CertRequest) (*Certificate, signature.Scheme, error) {
	if cfg.GetClientCertificate == nil {
		return nil, 0, nil
	}
	cert, err := cfg.GetClientCertificate(req)
	if err != nil {
		// The caller may have chosen the alert (an *alert.Error);
		// anything else is our failure, not the peer's.
		return nil, 0, &alert.Error{Desc: alert.Of(err), Err: fmt.Errorf("choosing a client certificate: %w", err)}
	}
	if cert == nil || len(cert.Chain) == 0 || cert.Key == nil {
		return nil, 0, nil
	}
	scheme, ok := signature.Choose(cert.Key.Public(), req.Version, cert.allowed(cfg.signing()), u16ToSchemes(req.SignatureSchemes))
	if !ok {
		// A certificate the server could not check is as good as none.
		return nil, 0, nil
	}
	return cert, scheme, nil
}

// checkClientChain applies the server's policy to the client's non-empty
// chain and returns the proof that it passed. An empty one is for
// clientWithoutCertificate to judge.
func (cfg *Config) checkClientChain(chain [][]byte) (checkedChain, error) {
	p, err := cfg.verifyClientChain(PeerChain{DER: chain})
	if err != nil {
		cfg.check(CheckClientCertificateChain, "", err)
		return checkedChain{}, err
	}
	// A client certificate only ever signs: CertificateVerify.
	if err := checkKeyUsage(p.leaf(), x509.KeyUsageDigitalSignature, "client"); err != nil {
		return checkedChain{}, err
	}
	if cfg.VerifyClient != nil {
		cfg.check(CheckClientCertificateChain, "client chain verified", nil)
	}
	return p, nil
}

// certificateRequest13 is what a TLS 1.3 server asks (RFC 8446 §4.3.2),
// made in m, with room for its list of schemes.
func (cfg *Config) certificateRequest13(m *wire.CertificateRequest, room []uint16) *wire.CertificateRequest {
	schemes := room[:0]
	for _, s := range cfg.Schemes {
		if s.AllowedIn13() {
			schemes = append(schemes, uint16(s))
		}
	}
	if len(schemes) == 0 {
		schemes = nil
	}
	*m = wire.CertificateRequest{SignatureSchemes: schemes, CertificateAuthorities: cfg.ClientCAs, CertCompressionAlgorithms: cfg.certCompressionOffer()}
	return m
}

// certificateRequest12 is what a TLS 1.2 server asks (RFC 5246 §7.4.4):
// RSA and ECDSA certificates, signed with the schemes Lucid verifies.
func (cfg *Config) certificateRequest12() *wire.CertificateRequest12 {
	const rsaSign, ecdsaSign = 1, 64
	return &wire.CertificateRequest12{
		CertificateTypes:       []uint8{rsaSign, ecdsaSign},
		SignatureSchemes:       appendSchemes(make([]uint16, 0, len(cfg.Schemes)), cfg.Schemes),
		CertificateAuthorities: cfg.ClientCAs,
	}
}

// expectClientCertificate13 waits for the client's answer to a TLS 1.3
// CertificateRequest.
type expectClientCertificate13 struct{ k clientFinishKeys }

func (st *expectClientCertificate13) handle(typ uint8, msg []byte) (state, error) {
	s := st.k.s
	// The request offered this side's algorithms, so a compressed answer
	// may use one of them.
	cert, err := s.receiveCertificate13(typ, msg, s.cfg.certCompressionOffer())
	if err != nil {
		return nil, err
	}
	// The request's context was empty, so the answer's must be.
	if len(cert.RequestContext) != 0 {
		return nil, alert.New(alert.IllegalParameter, "client Certificate has a context the request did not have")
	}
	chain := make([][]byte, len(cert.Entries))
	for i, e := range cert.Entries {
		chain[i] = e.Data
		// RFC 8446 §4.4.2: entry extensions must answer ones in the
		// CertificateRequest, which asks for none.
		if e.OCSPStaple != nil || e.SCTs != nil || len(e.Unknown) > 0 {
			return nil, alert.New(alert.UnsupportedExtension, "client certificate entry carries an extension that was not requested")
		}
	}
	if len(chain) == 0 {
		client, err := clientWithoutCertificate(s.cfg, version.TLS13)
		if err != nil {
			return nil, err
		}
		s.tr.add(msg)
		return newClientFinished13(st.k, client), nil
	}
	checked, err := s.cfg.checkClientChain(chain)
	if err != nil {
		return nil, err
	}
	s.tr.add(msg)
	cv := &s.mem.clientCV
	*cv = expectClientCertificateVerify13{k: st.k, chain: checked}
	return cv, nil
}

type expectClientCertificateVerify13 struct {
	k     clientFinishKeys
	chain checkedChain
}

func (st *expectClientCertificateVerify13) handle(typ uint8, msg []byte) (state, error) {
	s := st.k.s
	cv, err := receive(s.cfg, typ, msg, wire.TypeCertificateVerify, wire.ParseCertificateVerifyOwned)
	if err != nil {
		return nil, err
	}
	scheme := signature.Scheme(cv.Scheme)
	if !scheme.AllowedIn13() || !slices.Contains(s.cfg.Schemes, scheme) {
		return nil, alert.New(alert.IllegalParameter, "client signed with %s, which was not requested", scheme)
	}
	content := signature.AppendContent13(s.mem.content[:0], signature.ClientContext13, s.tr.sum())
	sig, err := verifySignature(st.chain, version.TLS13, scheme, content, cv.Signature)
	if err != nil {
		s.cfg.check(CheckClientCertificateVerify, "", err)
		return nil, err
	}
	if s.cfg.Observe != nil { // the detail is built only for an observer
		s.cfg.check(CheckClientCertificateVerify, "client signature verified with "+scheme.String(), nil)
	}
	s.tr.add(msg)
	return newClientFinished13(st.k, clientBySignature(sig)), nil
}

// answerRequest13 sends the client's Certificate and, with a certificate,
// its CertificateVerify (RFC 8446 §4.4.2, §4.4.3).
func (c *client) answerRequest13(cr *wire.CertificateRequest) error {
	m := &c.mem
	m.request = CertRequest{Version: version.TLS13, SignatureSchemes: cr.SignatureSchemes, AcceptableCAs: cr.CertificateAuthorities}
	cert, scheme, err := c.cfg.clientCertificate(&m.request)
	if err != nil {
		return err
	}
	msg := &m.cert
	*msg = wire.Certificate{RequestContext: cr.Context}
	if cert != nil {
		msg.Entries = m.entries[:0:len(m.entries)]
		for _, der := range cert.Chain {
			msg.Entries = append(msg.Entries, wire.CertificateEntry{Data: der})
		}
	}
	if err := c.sendCertificate13(msg, cr.CertCompressionAlgorithms); err != nil {
		return err
	}
	if cert == nil {
		return nil
	}
	content := signature.AppendContent13(c.mem.content[:0], signature.ClientContext13, c.tr.sum())
	sig, err := signature.Sign(c.cfg.Rand, cert.Key, scheme, content)
	if err != nil {
		return alert.New(alert.InternalError, "signing the client CertificateVerify: %v", err)
	}
	m.ownCV = wire.CertificateVerify{Scheme: uint16(scheme), Signature: sig}
	c.send(&m.ownCV)
	return nil
}

// checkKeyUsage holds a peer's leaf to the key usage extension when it has
// one (RFC 5280 §4.2.1.3; RFC 8446 §4.4.2.2, RFC 5246 §7.4.2): a key that
// signs the handshake needs digitalSignature, one that receives the RSA
// premaster secret needs keyEncipherment. A leaf without the extension is
// unrestricted; one with it has at least one bit set, so a zero KeyUsage
// means the extension is absent.
func checkKeyUsage(leaf *x509.Certificate, want x509.KeyUsage, who string) error {
	if leaf.KeyUsage == 0 || leaf.KeyUsage&want != 0 {
		return nil
	}
	name := "digitalSignature"
	if want == x509.KeyUsageKeyEncipherment {
		name = "keyEncipherment"
	}
	return alert.New(alert.UnsupportedCertificate, "%s certificate's key usage does not include %s, which this handshake needs", who, name)
}
