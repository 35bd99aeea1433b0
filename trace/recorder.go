package trace

import (
	"sync"

	"lucid/tls"
)

// DefaultRecorderLimit is how many events a Recorder keeps when
// NewRecorder is given no limit: enough for a few dozen handshakes with
// their records.
const DefaultRecorderLimit = 1024

// Recorder keeps events in memory, in the order they arrived, for the
// inspection page and for tests. It is bounded: once it holds its limit it
// keeps the events it has (the handshakes, the interesting part) and counts
// the ones it drops.
//
// A Recorder is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	limit   int
	events  []tls.Event
	dropped uint64
}

// NewRecorder returns a Recorder that keeps at most limit events;
// limit <= 0 means DefaultRecorderLimit.
func NewRecorder(limit int) *Recorder {
	if limit <= 0 {
		limit = DefaultRecorderLimit
	}
	return &Recorder{limit: limit}
}

// Observe keeps e, or counts it as dropped when the Recorder is full. It
// has the signature of tls.Config.Observer.
func (r *Recorder) Observe(e tls.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) >= r.limit {
		r.dropped++
		return
	}
	r.events = append(r.events, e)
}

// Events returns a copy of the kept events, oldest first. The events'
// Fields slices are shared with the Recorder; treat them as read-only.
func (r *Recorder) Events() []tls.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]tls.Event, len(r.events))
	copy(out, r.events)
	return out
}

// Dropped reports how many events arrived after the Recorder was full.
func (r *Recorder) Dropped() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}

// Limit reports how many events the Recorder keeps at most.
func (r *Recorder) Limit() int { return r.limit }

// Reset forgets all kept events and the dropped count.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events, r.dropped = nil, 0
}
