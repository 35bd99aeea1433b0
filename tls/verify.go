package tls

import (
	"crypto/x509"
	"errors"
	"slices"
	"time"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/session"
	"lucid/pki"
)

// The verifiers below judge a chain against the Config as it is now and
// report what they established; they change nothing on the Conn. The
// engine calls them for the chain a peer sends in a full handshake and for
// the chain a session recorded, before resuming it, and records the result
// only where it commits to one or the other.

// The key usages a peer's leaf must allow, shared by every verification
// (the verifier only reads them).
var (
	serverAuth = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	clientAuth = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
)

// verifyServer checks the server's chain against the client's Config.
func (c *Conn) verifyServer(pc handshake.PeerChain) (*handshake.Verification, error) {
	cfg := c.config
	if pc.PublicName != "" {
		return c.verifyPublicName(pc)
	}
	return c.verifyPeer(pc, !cfg.InsecureSkipVerify, pki.VerifyOptions{
		Roots:     cfg.RootCAs,
		DNSName:   cfg.ServerName,
		KeyUsages: serverAuth,
	})
}

// verifyClient applies ClientAuth to a client's chain: verified against
// ClientCAs for clientAuth use in the verifying modes, only parsed in the
// others.
func (c *Conn) verifyClient(pc handshake.PeerChain) (*handshake.Verification, error) {
	cfg := c.config
	verify := cfg.ClientAuth >= VerifyClientCertIfGiven
	if verify && cfg.ClientCAs == nil {
		return nil, alert.New(alert.InternalError, "ClientAuth verifies client certificates, but Config.ClientCAs is nil")
	}
	return c.verifyPeer(pc, verify, pki.VerifyOptions{
		Roots:     cfg.ClientCAs,
		KeyUsages: clientAuth,
	})
}

// verifyPeer parses the peer's chain (unless the engine passes it parsed),
// verifies it when verify is set (at Config.Time, with
// Config.RevocationLists), then hands it to VerifyPeerCertificate. The
// error carries the alert to send.
//
// A session's chain comes with the chains its handshake verified: those
// are rechecked against today's roots, clock, name, usages and lists
// (pki.Recheck) rather than verified again signature by signature, and the
// chain is verified in full when none of them still holds. The callback
// runs either way.
func (c *Conn) verifyPeer(pc handshake.PeerChain, verify bool, opts pki.VerifyOptions) (*handshake.Verification, error) {
	cfg := c.config
	v := &handshake.Verification{Certs: pc.Parsed}
	if len(pc.Parsed) != len(pc.DER) {
		v.Certs = make([]*x509.Certificate, 0, len(pc.DER))
		for i, der := range pc.DER {
			cert, err := session.ParseCertificate(der)
			if err != nil {
				return nil, alert.New(alert.DecodeError, "certificate %d from the peer could not be parsed: %v", i, err)
			}
			v.Certs = append(v.Certs, cert)
		}
	}
	if verify {
		opts.CurrentTime = cfg.now()
		opts.RevocationLists = cfg.RevocationLists
		v.Chains = pki.Recheck(v.Certs, pc.Verified, opts)
		if v.Chains == nil {
			chains, err := c.verifyRemembered(pc.DER, v.Certs, opts)
			if err != nil {
				return nil, verificationFailure(v.Certs, err)
			}
			v.Chains = chains
		}
	}
	if cfg.VerifyPeerCertificate != nil {
		if err := cfg.VerifyPeerCertificate(pc.DER, v.Chains); err != nil {
			return nil, callbackError(err, alert.BadCertificate)
		}
	}
	return v, nil
}

// verifyRemembered verifies certs, whose bytes are der, in full, unless
// the Config verified the same bytes under the same roots before and the
// chains it built then pass pki.Recheck now (see chainMemo). Either way the
// result is the verdict a full verification would give now.
func (c *Conn) verifyRemembered(der [][]byte, certs []*x509.Certificate, opts pki.VerifyOptions) ([][]*x509.Certificate, error) {
	if c.config.ChainMemoDisabled || pki.PlatformVerifies {
		// With the platform verifying, Recheck keeps nothing: the memo
		// would only hold chains it never uses.
		return pki.VerifyParsed(certs, opts)
	}
	memo := c.config.chainMemo()
	key := memoKeyFor(der, opts.KeyUsages[0])
	now := time.Now()
	if earlier := memo.lookup(key, opts.Roots, now); earlier != nil {
		if chains := pki.Recheck(certs, earlier, opts); chains != nil {
			c.observe(Event{Kind: EventDecision, Name: "chain_verification", Detail: "the same certificates verified on an earlier connection under the same roots: signatures not checked again; dates, roots, name, key usages and revocation checked now"})
			// The callbacks and ConnectionState get chains of their
			// own: one that wrote into them must not change what the
			// next connection is rechecked against.
			return cloneChains(chains), nil
		}
	}
	chains, err := pki.VerifyParsed(certs, opts)
	if err != nil {
		return nil, err
	}
	size := 0
	for _, d := range der {
		size += len(d)
	}
	memo.remember(key, opts.Roots, chains, size, now)
	return chains, nil
}

// cloneChains copies the slices of chains; the certificates, which
// nothing modifies, are shared.
func cloneChains(chains [][]*x509.Certificate) [][]*x509.Certificate {
	out := make([][]*x509.Certificate, len(chains))
	for i, ch := range chains {
		out[i] = slices.Clone(ch)
	}
	return out
}

// verificationFailure wraps a pki error as the caller-facing error, with
// the alert its reason calls for.
func verificationFailure(certs []*x509.Certificate, err error) error {
	desc := alert.BadCertificate
	var ve *pki.VerifyError
	if errors.As(err, &ve) {
		desc = ve.Alert()
	}
	return &alert.Error{Desc: desc, Err: &CertificateVerificationError{UnverifiedCertificates: certs, Err: err}}
}
