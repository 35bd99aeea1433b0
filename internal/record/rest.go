package record

import (
	"crypto/cipher"
	"errors"
	"weak"
)

// An AEAD's key schedule is most of what an established connection holds
// once its record buffers are back in the pool: about 750 bytes for
// AES-GCM, two per connection. A server keeping thousands of idle
// connections need not keep them all. A connection about to wait for its
// peer lets its protection rest: the cipher is then held only through a
// weak pointer, so a garbage collection while the connection waits frees
// it, and the next record rebuilds it from the traffic secret. When no
// collection came in between, waking costs nothing and allocates nothing,
// which keeps a busy connection at zero allocations per record.
//
// Resting touches only the cipher: the IV, the sequence number and every
// check stay as they are.

// cipherBox is what a weak pointer can refer to: the AEAD itself is an
// interface value.
type cipherBox struct{ aead cipher.AEAD }

// errResting is returned by a Seal or Open the caller forgot to Wake for:
// a bug, refused rather than a panic.
var errResting = errors.New("record: protection used while resting (Wake first)")

// Rest lets the garbage collector take the cipher until Wake. The first
// rest of a key allocates a small box for it; later ones allocate nothing.
func (a *AEAD13) Rest() {
	if a.aead == nil {
		return
	}
	if a.box == nil {
		a.box = &cipherBox{aead: a.aead}
		a.rest = weak.Make(a.box)
	}
	a.aead, a.box = nil, nil
}

// Wake takes the cipher back after Rest and reports whether it was still
// there; false means the collector took it, and the caller rebuilds it
// from the secret and hands it to Adopt.
func (a *AEAD13) Wake() bool {
	if a.aead != nil {
		return true
	}
	b := a.rest.Value()
	if b == nil {
		return false
	}
	a.box, a.aead = b, b.aead
	return true
}

// Resting reports whether the cipher is let go of.
func (a *AEAD13) Resting() bool { return a.aead == nil }

// Adopt takes the cipher of fresh, protection rebuilt from the same secret
// after the collector took a's, and goes on at a's sequence number. fresh
// must carry the same IV: anything else is a different key.
func (a *AEAD13) Adopt(fresh *AEAD13) error {
	if fresh.aead == nil || fresh.iv != a.iv || fresh.tag != a.tag {
		return errors.New("record: rebuilt protection does not match the key it replaces")
	}
	a.aead, a.box, a.rest = fresh.aead, nil, weak.Pointer[cipherBox]{}
	return nil
}
