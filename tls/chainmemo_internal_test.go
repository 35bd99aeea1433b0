package tls

import (
	"crypto/x509"
	"testing"
	"time"
)

// The memo stays within its bounds in entries, bytes and time, and answers
// only for the roots a chain was verified under.
func TestChainMemoBounds(t *testing.T) {
	now := time.Now()
	chains := [][]*x509.Certificate{{new(x509.Certificate)}}
	roots := x509.NewCertPool()
	key := func(i int) memoKey { return memoKeyFor([][]byte{{byte(i), byte(i >> 8)}}, x509.ExtKeyUsageServerAuth) }

	var m chainMemo
	for i := range 3 * memoEntries {
		m.remember(key(i), roots, chains, 100, now)
	}
	if m.len() != memoEntries {
		t.Fatalf("%d entries after %d chains, want the bound %d", m.len(), 3*memoEntries, memoEntries)
	}
	if m.lookup(key(0), roots, now) != nil {
		t.Fatal("the oldest chain was not evicted")
	}
	if m.lookup(key(3*memoEntries-1), roots, now) == nil {
		t.Fatal("the newest chain is missing")
	}
	if m.lookup(key(3*memoEntries-1), x509.NewCertPool(), now) != nil {
		t.Fatal("a chain answered for other roots")
	}
	if m.lookup(key(3*memoEntries-1), roots, now.Add(memoTTL)) != nil {
		t.Fatal("a chain outlived the memo's TTL")
	}
	if n := m.len(); n != memoEntries-1 || m.bytes != 100*(memoEntries-1) || len(m.order) != memoEntries-1 {
		t.Fatalf("an expired chain was looked up and kept: %d entries, %d bytes, %d in order", n, m.bytes, len(m.order))
	}

	var big chainMemo
	big.remember(key(1), roots, chains, memoChainBytes+1, now)
	if big.len() != 0 {
		t.Fatal("a chain over the per-entry limit was kept")
	}
	for i := range memoEntries {
		big.remember(key(i), roots, chains, memoChainBytes, now)
		if big.bytes > memoBytes {
			t.Fatalf("%d bytes held, over the bound %d", big.bytes, memoBytes)
		}
	}
	// Remembering the same chain again replaces it rather than counting
	// it twice.
	var again chainMemo
	again.remember(key(1), roots, chains, 100, now)
	again.remember(key(1), roots, chains, 100, now)
	if again.len() != 1 || again.bytes != 100 || len(again.order) != 1 {
		t.Fatalf("a chain remembered twice: %d entries, %d bytes, %d in order", again.len(), again.bytes, len(again.order))
	}
	// Key: the usage and every certificate's bytes and boundaries count.
	a := memoKeyFor([][]byte{{1, 2}, {3}}, x509.ExtKeyUsageServerAuth)
	for _, other := range []memoKey{
		memoKeyFor([][]byte{{1}, {2, 3}}, x509.ExtKeyUsageServerAuth),
		memoKeyFor([][]byte{{1, 2}, {3}}, x509.ExtKeyUsageClientAuth),
		memoKeyFor([][]byte{{1, 2}, {4}}, x509.ExtKeyUsageServerAuth),
	} {
		if other == a {
			t.Fatal("two different chains share a memo key")
		}
	}
}
