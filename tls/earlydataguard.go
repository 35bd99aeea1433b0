package tls

import (
	"crypto/sha256"
	"errors"
	"sync"
	"time"
)

// Early data (0-RTT) is not protected against replay by the handshake: an
// attacker who captured a client's first flight can send it again on a new
// connection, and the server would decrypt the same early data twice
// (RFC 8446 §8). The record layer's sequence numbers do not help, since
// each replay starts a connection of its own. What stops it is a record,
// on the server, of the ClientHellos whose early data was accepted: one
// seen before is refused. The freshness check on the ticket age (§8.3)
// bounds how long a ClientHello must be remembered, which is what keeps
// the record finite.

// EarlyDataGuard is a server's single-use record of the ClientHellos whose
// early data it accepted (RFC 8446 §8.2). Early data is accepted only after
// Admit returned nil for its ClientHello; on any error it is rejected and
// the handshake continues as 1-RTT, so a guard that cannot answer (full,
// or a shared store out of reach) refuses rather than risks a replay.
//
// Implementations must be safe for concurrent use, and Admit must be
// atomic: of two calls with the same id racing each other, at most one
// returns nil. A fleet of servers sharing tickets must share one guard
// (a store they all reach), or a replay sent to another server succeeds.
type EarlyDataGuard interface {
	// Admit records id, a value unique to one ClientHello that an attacker
	// cannot alter without the PSK (Lucid passes a digest of the ClientHello's
	// random and the binder of the PSK it accepted), and returns nil when
	// id was not recorded already. It must remember id at least until
	// until, the moment after which the ticket-age check refuses that
	// ClientHello anyway; now is the server's clock (Config.Time), which
	// the guard uses to forget what has expired. A replay returns an error
	// wrapping ErrEarlyDataReplay.
	Admit(id []byte, now, until time.Time) error
}

var (
	// ErrEarlyDataReplay is the error an EarlyDataGuard returns for a
	// ClientHello it has admitted before.
	ErrEarlyDataReplay = errors.New("tls: early data replayed: this ClientHello was accepted before")
	// ErrEarlyDataGuardFull is the error the in-memory guard returns when
	// it holds as many unexpired entries as it may: it cannot remember one
	// more, so it refuses that early data rather than forget an entry a
	// replay could then pass.
	ErrEarlyDataGuardFull = errors.New("tls: early data refused: the anti-replay guard is full")
	// ErrEarlyDataWindow is the error the in-memory guard returns for an
	// until further ahead than its window: it would not promise to keep
	// the entry that long.
	ErrEarlyDataWindow = errors.New("tls: early data refused: replay window longer than the guard keeps entries")
)

// Defaults of NewMemoryEarlyDataGuard.
const (
	defaultEarlyDataGuardEntries = 1 << 16
	defaultEarlyDataGuardWindow  = 20 * time.Second
)

// MemoryEarlyDataGuard is an EarlyDataGuard for one server process: a set
// of digests of admitted ids, each kept until its until and then dropped.
// It is bounded in entries (so in bytes: about 100 per entry, whatever the
// length of the ids) and in time (no entry is kept longer than its window).
type MemoryEarlyDataGuard struct {
	max    int
	window time.Duration

	mu sync.Mutex
	// seen holds each admitted id's digest; byExpiry orders the same
	// entries by their until, so the expired ones are found without a
	// scan.
	seen     map[[sha256.Size]byte]struct{}
	byExpiry expiryHeap
}

// NewMemoryEarlyDataGuard returns a guard that holds at most maxEntries
// ClientHellos at a time, each for at most window. maxEntries < 1 means
// 65536 (some 6.5 MB when full); window <= 0 means 20 seconds, which must
// cover twice the ticket-age tolerance the server allows, since a replay
// can arrive that long after the original and still pass the age check.
func NewMemoryEarlyDataGuard(maxEntries int, window time.Duration) *MemoryEarlyDataGuard {
	if maxEntries < 1 {
		maxEntries = defaultEarlyDataGuardEntries
	}
	if window <= 0 {
		window = defaultEarlyDataGuardWindow
	}
	return &MemoryEarlyDataGuard{max: maxEntries, window: window, seen: make(map[[sha256.Size]byte]struct{})}
}

// Admit implements EarlyDataGuard. Ids are kept as SHA-256 digests, so a
// long id costs no more memory than a short one, and two ids collide only
// if SHA-256 does.
func (g *MemoryEarlyDataGuard) Admit(id []byte, now, until time.Time) error {
	if until.Sub(now) > g.window {
		return ErrEarlyDataWindow
	}
	d := sha256.Sum256(id)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.expire(now)
	if _, ok := g.seen[d]; ok {
		return ErrEarlyDataReplay
	}
	if !until.After(now) {
		// Already outside the window: nothing to remember, and the age
		// check refuses this ClientHello on its own; admitting it here
		// would only hide a caller's mistake.
		return ErrEarlyDataWindow
	}
	if len(g.seen) >= g.max {
		return ErrEarlyDataGuardFull
	}
	g.seen[d] = struct{}{}
	g.byExpiry.push(expiryEntry{until: until, digest: d})
	return nil
}

// Len returns how many ClientHellos the guard remembers, expired ones not
// yet dropped included.
func (g *MemoryEarlyDataGuard) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.seen)
}

// expire drops the entries whose until is not after now. Entries are
// dropped on Admit rather than by a timer, so an idle guard costs nothing.
func (g *MemoryEarlyDataGuard) expire(now time.Time) {
	for len(g.byExpiry) > 0 && !g.byExpiry[0].until.After(now) {
		delete(g.seen, g.byExpiry.pop().digest)
	}
}

type expiryEntry struct {
	until  time.Time
	digest [sha256.Size]byte
}

// expiryHeap is a binary min-heap of entries by until, written out
// rather than through container/heap, whose interface would box every
// entry pushed.
type expiryHeap []expiryEntry

func (h *expiryHeap) push(e expiryEntry) {
	*h = append(*h, e)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if !s[i].until.Before(s[parent].until) {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

// pop removes and returns the entry with the earliest until; the heap
// must not be empty.
func (h *expiryHeap) pop() expiryEntry {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		least, l, r := i, 2*i+1, 2*i+2
		if l < len(s) && s[l].until.Before(s[least].until) {
			least = l
		}
		if r < len(s) && s[r].until.Before(s[least].until) {
			least = r
		}
		if least == i {
			break
		}
		s[i], s[least] = s[least], s[i]
		i = least
	}
	*h = s
	return top
}
