package session

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"sync"
)

// Every resumption checks the peer chain a session recorded against the
// configuration of the moment, which needs the chain parsed. A client
// resumes the same State from its cache again and again, and a server's
// session-ID cache hands out copies of one, so the parse is kept with the
// State and reused while PeerCerts still holds the same bytes.

// parsedChain is PeerCerts parsed, leaf first, and the chains to a trusted
// root that the handshake which made the session verified for them (nil
// when it verified none). It is never changed once made, so States and
// their clones can share it. The chains live only in memory: a State
// decoded from a ticket or a file has none, and its chain is verified in
// full.
type parsedChain struct {
	certs  []*x509.Certificate
	chains [][]*x509.Certificate
}

// parsedMu guards State.parsed in every State. The lock is held only to
// read or swap one pointer, so one lock for all of them costs nothing
// worth a field of its own.
var parsedMu sync.Mutex

// Certificates returns PeerCerts parsed, leaf first, parsing them on the
// first call and reusing that parse while each DER certificate of
// PeerCerts is still byte for byte the one parsed. It returns nil for a
// State without a chain. The certificates are shared: callers must not
// change them.
func (s *State) Certificates() ([]*x509.Certificate, error) {
	if len(s.PeerCerts) == 0 {
		return nil, nil
	}
	parsedMu.Lock()
	p := s.parsed
	parsedMu.Unlock()
	if p != nil && p.matches(s.PeerCerts) {
		return p.certs, nil
	}
	certs := make([]*x509.Certificate, 0, len(s.PeerCerts))
	for i, der := range s.PeerCerts {
		c, err := ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("session: recorded peer certificate %d does not parse: %w", i, err)
		}
		certs = append(certs, c)
	}
	parsedMu.Lock()
	s.parsed = &parsedChain{certs: certs}
	parsedMu.Unlock()
	return certs, nil
}

// RecordVerification keeps certs, PeerCerts as the handshake that made s
// parsed them, and the chains it verified for them, so that resumptions
// recheck those chains (pki.Recheck) rather than verify every signature
// again. Nothing is kept unless certs are PeerCerts, byte for byte.
func (s *State) RecordVerification(certs []*x509.Certificate, chains [][]*x509.Certificate) {
	p := &parsedChain{certs: certs, chains: chains}
	if len(certs) == 0 || !p.matches(s.PeerCerts) {
		return
	}
	parsedMu.Lock()
	s.parsed = p
	parsedMu.Unlock()
}

// VerifiedChains returns the chains recorded with RecordVerification (or
// shared from the session s was resumed from) while PeerCerts is still the
// chain they were verified for, and nil otherwise.
func (s *State) VerifiedChains() [][]*x509.Certificate {
	parsedMu.Lock()
	p := s.parsed
	parsedMu.Unlock()
	if p == nil || !p.matches(s.PeerCerts) {
		return nil
	}
	return p.chains
}

// matches reports whether p is the parse of chain: the same number of
// certificates, each with the same DER. Comparing the bytes, not the
// slices' addresses, keeps a State whose PeerCerts was replaced or
// written over from being judged by another chain's certificates.
func (p *parsedChain) matches(chain [][]byte) bool {
	if len(p.certs) != len(chain) {
		return false
	}
	for i, c := range p.certs {
		if !bytes.Equal(c.Raw, chain[i]) {
			return false
		}
	}
	return true
}

// ShareCertificates lets s reuse the parse of from's chain: a session a
// resumption makes records the same chain as the one it resumed. Nothing
// is shared unless from's parse is of exactly s.PeerCerts, byte for byte.
func (s *State) ShareCertificates(from *State) {
	if from == nil || s == from || len(s.PeerCerts) == 0 {
		return
	}
	parsedMu.Lock()
	defer parsedMu.Unlock()
	if p := from.parsed; p != nil && s.parsed == nil && p.matches(s.PeerCerts) {
		s.parsed = p
	}
}
