// Package trace renders what a lucid/tls connection reports to
// Config.Observer: a timeline for people, JSON lines for programs, and an
// in-memory recorder for the inspection page.
//
// Every renderer has an Observe method with the signature of
// tls.Config.Observer and is safe for concurrent use, so one renderer can
// watch many connections at once:
//
//	tl := trace.NewTimeline(os.Stderr, trace.TimelineOptions{})
//	cfg := &tls.Config{Observer: tl.Observe}
//
// Tee hands each event to several renderers. The For methods of Timeline
// and JSONLines tag output with a label such as "client" or "server", for
// when one renderer watches both ends of a connection.
//
// SeedSteps is the single source of the titles of the seed document's eight
// steps; tls.Event.SeedStep indexes it. Which message and key belongs to
// which step is the shape table's to say (internal/handshake/shape.go),
// and the events carry its numbers.
//
// When a handshake completes, each end reports the decision
// "handshake_shape" with the shape's name as its detail, such as
// "tls13-full" or "tls12-resumed-ticket" (tls.ConnectionState.Shape names
// the same); the timeline prints the shape's summary beside it.
//
// The renderers print only what events carry: names, lengths and public
// values. Key material never reaches them; it leaves a process only through
// tls.Config.KeyLogWriter.
package trace

import "lucid/tls"

// Tee returns an observer that hands each event to every non-nil observer,
// in order. Use it to feed one connection's events to several renderers:
//
//	cfg.Observer = trace.Tee(timeline.Observe, jsonl.Observe, rec.Observe)
func Tee(observers ...func(tls.Event)) func(tls.Event) {
	var live []func(tls.Event)
	for _, o := range observers {
		if o != nil {
			live = append(live, o)
		}
	}
	return func(e tls.Event) {
		for _, o := range live {
			o(e)
		}
	}
}
