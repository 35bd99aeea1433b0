package tls

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"sync"
	"time"
)

// A chainMemo remembers, per Config, the chains a full verification built
// for a peer's certificate list, so that the next handshake presenting the
// same bytes under the same trust anchors is judged by pki.Recheck — dates,
// roots, name, key usages, leaf key and revocation lists, all against the
// configuration of the moment — rather than by checking every signature
// again. A signature over identical bytes by an identical issuer verifies
// the same way twice; everything else a verification depends on is checked
// each time. It is the rule resumption already follows for the chains a
// session recorded, applied to a client that meets the same server again
// or a server that meets the same client certificate again: the case
// browsers' verifier caches exist for.
//
// Only successes are kept, keyed by a digest of every certificate's bytes,
// the roots pool and the key usage: a pool replaced by another, or a chain
// differing in one byte, misses. Every handshake still verifies the peer's
// CertificateVerify (its proof of the key) and runs VerifyPeerCertificate
// and VerifyConnection.
//
// The memo is bounded in entries, in certificate bytes and in time. It is
// not used where x509 hands verification to the operating system (macOS,
// iOS, Windows: pki.PlatformVerifies), whose checks of a chain — online
// revocation, an intermediate the user distrusts — can change between
// connections, nor with Config.ChainMemoDisabled. A root added with
// x509.CertPool.AddCertWithConstraint has its constraint run by the full
// verification only: a constraint whose answer changes with time needs
// ChainMemoDisabled.
type chainMemo struct {
	mu      sync.Mutex
	entries map[memoKey]*memoEntry
	order   []memoKey // oldest first, for eviction
	bytes   int
}

// Memo bounds.
const (
	// memoEntries is how many distinct chains a Config remembers.
	memoEntries = 64
	// memoBytes bounds the certificate bytes all entries hold together;
	// memoChainBytes one entry's, so that a few huge chains cannot push
	// the common ones out.
	memoBytes      = 1 << 20
	memoChainBytes = 32 << 10
	// memoTTL is how long a verification is reused, on the local clock.
	// Recheck judges dates on the Config's clock each time; the TTL only
	// bounds how long the memo holds on to a chain.
	memoTTL = 10 * time.Minute
)

type memoKey [sha256.Size]byte

type memoEntry struct {
	roots   *x509.CertPool
	chains  [][]*x509.Certificate
	size    int
	expires time.Time
}

// memoKeyFor digests the DER of every certificate, each with its length,
// and the usage the chain was verified for.
func memoKeyFor(der [][]byte, usage x509.ExtKeyUsage) memoKey {
	h := sha256.New()
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(usage))
	h.Write(n[:])
	for _, d := range der {
		binary.BigEndian.PutUint32(n[:], uint32(len(d)))
		h.Write(n[:])
		h.Write(d)
	}
	var k memoKey
	h.Sum(k[:0])
	return k
}

// lookup returns the chains remembered for k under roots, or nil.
func (m *chainMemo) lookup(k memoKey, roots *x509.CertPool, now time.Time) [][]*x509.Certificate {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.entries[k]
	if e == nil {
		return nil
	}
	if !now.Before(e.expires) {
		// Dropped now rather than at the next remember, so that an
		// idle Config does not keep stale chains and their pools.
		delete(m.entries, k)
		m.bytes -= e.size
		m.dropFromOrder(k)
		return nil
	}
	if e.roots != roots {
		return nil
	}
	return e.chains
}

// remember keeps chains, verified in full for the certificates digested
// into k, evicting the oldest entries to stay within bounds.
func (m *chainMemo) remember(k memoKey, roots *x509.CertPool, chains [][]*x509.Certificate, size int, now time.Time) {
	if size > memoChainBytes || len(chains) == 0 {
		return
	}
	// The caller hands chains on to callbacks and ConnectionState; the
	// memo keeps slices of its own.
	chains = cloneChains(chains)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = make(map[memoKey]*memoEntry, memoEntries)
	}
	if old := m.entries[k]; old != nil {
		m.bytes -= old.size
		m.dropFromOrder(k)
	}
	for len(m.order) > 0 && (len(m.order) >= memoEntries || m.bytes+size > memoBytes || !now.Before(m.entries[m.order[0]].expires)) {
		oldest := m.order[0]
		m.order = m.order[1:]
		m.bytes -= m.entries[oldest].size
		delete(m.entries, oldest)
	}
	m.entries[k] = &memoEntry{roots: roots, chains: chains, size: size, expires: now.Add(memoTTL)}
	m.order = append(m.order, k)
	m.bytes += size
}

func (m *chainMemo) dropFromOrder(k memoKey) {
	for i, o := range m.order {
		if o == k {
			m.order = append(m.order[:i], m.order[i+1:]...)
			return
		}
	}
}

// len reports how many chains m remembers.
func (m *chainMemo) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// chainMemo returns c's memo, creating it on first use.
func (c *Config) chainMemo() *chainMemo {
	resumptionInit.Lock()
	defer resumptionInit.Unlock()
	if c.chains == nil {
		c.chains = new(chainMemo)
	}
	return c.chains
}
