package handshake

import (
	"crypto/x509"

	"lucid/internal/alert"
	"lucid/internal/signature"
	"lucid/internal/version"
)

// Proof values. The state that accepts the peer's Finished holds who the
// peer is as a value of authenticatedServer (client role) or
// authenticatedClient (server role), and the only ways to such a value run
// through the checks in this file: a chain that passed this side's chain
// checks, a signature that verified under that chain's key, or a session
// that admission (admit.go) re-verified under today's configuration. The
// fields are unexported, and proof_test.go fails if any of these types is
// built outside this file, so a path that skipped a check has nothing to
// build its Finished state with. A zero value, which Go always allows,
// proves nothing: the Finished states refuse it.

// checkedChain proves that the peer's chain, never empty, passed the chain
// checks this side is configured for: VerifyPeer or VerifyClient, or
// parsing alone when there is no verifier.
type checkedChain struct {
	raw [][]byte
	v   *Verification
}

// checkChain runs verify (nil: only parse) on a peer's chain and returns
// the proof, with the whole chain parsed whether or not the verifier
// parsed it. The leaf is parsed here once for the handshake: the states
// read it from the proof.
func checkChain(pc PeerChain, verify func(PeerChain) (*Verification, error)) (checkedChain, error) {
	chain := pc.DER
	if len(chain) == 0 {
		return checkedChain{}, alert.New(alert.InternalError, "no peer chain to check")
	}
	if len(pc.Parsed) != len(chain) {
		// The same bytes parse to the same certificate
		// (session.ParseCertificate shares parses): that saves only the
		// work, and verify below still checks what it is given.
		certs, err := parseChain(chain)
		if err != nil {
			return checkedChain{}, err
		}
		pc.Parsed = certs
	}
	var v *Verification
	if verify != nil {
		var err error
		if v, err = verify(pc); err != nil {
			return checkedChain{}, err
		}
	}
	if v == nil || len(v.Certs) != len(chain) {
		p := &Verification{Certs: pc.Parsed}
		if v != nil {
			p.Chains = v.Chains
		}
		v = p
	}
	return checkedChain{raw: chain, v: v}, nil
}

func (p checkedChain) valid() bool { return p.v != nil && len(p.v.Certs) > 0 }

// leaf is the peer's end-entity certificate.
func (p checkedChain) leaf() *x509.Certificate { return p.v.Certs[0] }

// verifiedSignature proves that the key of a checked chain's leaf signed
// what the handshake asked it to: a TLS 1.3 CertificateVerify, a TLS 1.2
// ServerKeyExchange or CertificateVerify.
type verifiedSignature struct {
	chain  checkedChain
	scheme signature.Scheme
}

// verifySignature checks sig, made with scheme over content, against the
// leaf key of chain.
func verifySignature(chain checkedChain, version uint16, scheme signature.Scheme, content, sig []byte) (verifiedSignature, error) {
	if !chain.valid() {
		return verifiedSignature{}, alert.New(alert.InternalError, "a signature was to be checked without a checked chain")
	}
	if err := signature.VerifyFor(chain.leaf().PublicKey, version, scheme, content, sig); err != nil {
		return verifiedSignature{}, err
	}
	return verifiedSignature{chain: chain, scheme: scheme}, nil
}

// How a proof of the peer came about.
const (
	byNothing      uint8 = iota // the zero value: no proof
	bySignature                 // a checked chain and its key's signature
	byKeyTransport              // a checked chain whose key receives the TLS 1.2 pre-master secret
	bySession                   // a session admission re-verified
	byPolicy                    // no certificate, which the server's policy allows
)

// authenticatedServer is the client's proof of who the server is.
type authenticatedServer struct {
	how    uint8
	chain  checkedChain
	scheme signature.Scheme
}

// serverBySignature: the server signed the handshake (TLS 1.3
// CertificateVerify) or its key exchange (TLS 1.2 ServerKeyExchange) with
// the key of its checked chain.
func serverBySignature(s verifiedSignature) authenticatedServer {
	return authenticatedServer{how: bySignature, chain: s.chain, scheme: s.scheme}
}

// serverByKeyTransport: TLS 1.2 RSA key transport signs nothing; the client
// encrypts the pre-master secret to the checked chain's key, and only its
// holder can then produce the Finished the client is about to check. So
// the proof hands out that key, and nothing else should encrypt to one.
func serverByKeyTransport(chain checkedChain) (authenticatedServer, error) {
	if !chain.valid() {
		return authenticatedServer{}, alert.New(alert.InternalError, "RSA key transport without a checked chain")
	}
	return authenticatedServer{how: byKeyTransport, chain: chain}, nil
}

// serverBySession: the session being resumed recorded the server's chain,
// and admitOffer checked it again against today's configuration.
func serverBySession(a admission) (authenticatedServer, error) {
	if a.st == nil || !a.peer.valid() {
		return authenticatedServer{}, alert.New(alert.InternalError, "resuming a session with no admitted server chain")
	}
	return authenticatedServer{how: bySession, chain: a.peer, scheme: signature.Scheme(a.st.PeerScheme)}, nil
}

func (p authenticatedServer) valid() bool { return p.how != byNothing && p.chain.valid() }

// record reports the server in r, once its Finished is accepted.
func (p authenticatedServer) record(r *Result) {
	r.setPeer(p.chain.raw, p.chain.v)
	r.PeerScheme = p.scheme
}

// authenticatedClient is the server's proof of who the client is, as far
// as its policy asks: nobody, when it asks for nothing or takes no
// certificate for an answer, or the holder of a checked chain.
type authenticatedClient struct {
	how    uint8
	chain  checkedChain
	scheme signature.Scheme
}

// clientUnasked: the server did not ask for a certificate, which is right
// only when its policy asks for none.
func clientUnasked(cfg *Config) (authenticatedClient, error) {
	if cfg.ClientAuth != NoClientAuth {
		return authenticatedClient{}, alert.New(alert.InternalError, "client authentication is configured, but the client was not asked for a certificate")
	}
	return authenticatedClient{how: byPolicy}, nil
}

// clientWithoutCertificate: the client answered a request with no
// certificate. RFC 8446 §4.4.2.4: where one is required that is
// certificate_required in TLS 1.3; RFC 5246 §7.4.6 makes it
// handshake_failure in TLS 1.2.
func clientWithoutCertificate(cfg *Config, v uint16) (authenticatedClient, error) {
	if cfg.ClientAuth == RequireClientAuth {
		if v == version.TLS13 {
			return authenticatedClient{}, alert.New(alert.CertificateRequired, "the client sent no certificate, and one is required")
		}
		return authenticatedClient{}, alert.New(alert.HandshakeFailure, "the client sent no certificate, and one is required")
	}
	return authenticatedClient{how: byPolicy}, nil
}

// clientBySignature: the client signed the handshake with the key of its
// checked chain (CertificateVerify).
func clientBySignature(s verifiedSignature) authenticatedClient {
	return authenticatedClient{how: bySignature, chain: s.chain, scheme: s.scheme}
}

// clientBySession: the session being resumed names the client as
// admitSession judged it under today's policy: its re-verified chain, or
// nobody when the policy would not have asked or takes no certificate.
func clientBySession(a admission) (authenticatedClient, error) {
	if a.st == nil {
		return authenticatedClient{}, alert.New(alert.InternalError, "resuming a session that was not admitted")
	}
	if !a.peer.valid() {
		return authenticatedClient{how: bySession}, nil
	}
	return authenticatedClient{how: bySession, chain: a.peer, scheme: signature.Scheme(a.st.PeerScheme)}, nil
}

func (p authenticatedClient) valid() bool { return p.how != byNothing }

// record reports the client in r, once its Finished is accepted.
func (p authenticatedClient) record(r *Result) {
	if !p.chain.valid() {
		return
	}
	r.setPeer(p.chain.raw, p.chain.v)
	r.PeerScheme = p.scheme
}

// unproven is the error of a Finished state holding the zero proof, which
// no code path should ever build.
func unproven(who string) error {
	return alert.New(alert.InternalError, "the %s's Finished arrived, but nothing proved who the %s is", who, who)
}
