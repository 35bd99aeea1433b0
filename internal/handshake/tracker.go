package handshake

import (
	"math/bits"

	"lucid/internal/alert"
	"lucid/internal/wire"
)

// tracker follows one engine through the shape table. The Engine feeds it
// every message a state accepted and every action a state produced, so no
// state can add a step the table lacks, and when the handshake ends the
// tracker names the one shape that happened.
//
// A shape's steps may be optional or repeated, and the steps of the other
// side's engine are invisible to this one, so the tracker holds, for each
// shape, the set of positions the engine may have reached: bit p set means
// the steps before p are accounted for. Once every set is empty the engine
// has left the table.
type tracker struct {
	side Side
	on   bool
	at   [shapeCount]uint64
}

// observed is one thing an engine did, in the table's terms.
type observed struct {
	kind  StepKind
	side  Side
	msg   uint8
	retry bool
	key   Level
}

func (o observed) String() string {
	s := Step{Kind: o.kind, Side: o.side, Message: o.msg, Retry: o.retry, Key: o.key}
	switch o.kind {
	case StepMessage, StepChangeCipherSpec:
		return o.side.String() + " sent " + s.Name()
	}
	return o.side.String() + " installed its " + s.Name()
}

func (s Step) matches(o observed) bool {
	if s.Kind != o.kind || s.Side != o.side {
		return false
	}
	switch s.Kind {
	case StepMessage:
		return standsFor(s.Message, o.msg, s.Key) && s.Retry == o.retry
	case StepReadKey, StepWriteKey:
		return s.Key == o.key
	}
	return true
}

// start puts the tracker at the beginning of every shape.
func (t *tracker) start(side Side) {
	t.side, t.on = side, true
	for i := range t.at {
		t.at[i] = 1
	}
}

// stop ends tracking, once the handshake is over or has failed.
func (t *tracker) stop() { t.on = false }

// stepMasks are a shape's steps for one side as bit sets over positions:
// skip holds those the side passes without doing anything (the other
// side's keys, records it never sees, optional steps), seen those it
// takes part in.
type stepMasks struct{ skip, seen uint64 }

// shapeMasks holds every shape's stepMasks for each side, indexed by
// Side, worked out once from the table: following a step then costs a
// few bit operations per shape rather than a walk over its steps.
var shapeMasks = func() (m [shapeCount][3]stepMasks) {
	for i := range shapeTable {
		for _, side := range []Side{SideClient, SideServer} {
			for p, s := range shapeTable[i].steps {
				seen := s.SeenBy(side)
				if seen {
					m[i][side].seen |= 1 << p
				}
				if s.Optional || !seen {
					m[i][side].skip |= 1 << p
				}
			}
		}
	}
	return m
}()

// reach extends a set of positions over the steps the masks' side may
// pass without doing anything, which reaches what an ascending scan
// of the steps would: a position on a run of skippable steps reaches
// every later position in the run and the one just past it. Adding the
// positions on skippable steps to the skip mask carries each of them
// through the rest of its run to the position after it; the bits the
// carry flips are the positions it passed, and the original positions
// fill in where two carries in one run meet.
func (m *stepMasks) reach(at uint64) uint64 {
	return at | ((m.skip + at&m.skip) ^ m.skip)
}

// advance moves every shape past o and reports whether any shape allows it.
func (t *tracker) advance(o observed) bool {
	ok := false
	for i := range t.at {
		if t.at[i] == 0 {
			// A shape the engine has left stays left: nothing reaches
			// from an empty set.
			continue
		}
		steps, m := shapeTable[i].steps, &shapeMasks[i][t.side]
		var next uint64
		// Only steps this side sees can be what it observed; seen has
		// no position past the last step.
		for todo := m.reach(t.at[i]) & m.seen; todo != 0; {
			p := bits.TrailingZeros64(todo)
			todo &^= 1 << p
			s := &steps[p]
			if !s.matches(o) {
				continue
			}
			next |= 1 << (p + 1)
			if s.Repeated {
				next |= 1 << p
			}
		}
		t.at[i] = next
		ok = ok || next != 0
	}
	return ok
}

// received follows a message the current state accepted. A message no
// shape allows is the peer's fault, unexpected_message (RFC 8446 §6.2),
// even though it took a state that should have refused it to get here.
func (t *tracker) received(msg []byte) error {
	if !t.on {
		return nil
	}
	o := messageStep(t.side.Peer(), msg)
	if !t.advance(o) {
		return alert.New(alert.UnexpectedMessage, "received %s, which no handshake shape allows here", Step{Kind: StepMessage, Message: o.msg, Retry: o.retry}.Name())
	}
	return nil
}

// receivedCCS follows a TLS 1.2 change_cipher_spec the state accepted.
func (t *tracker) receivedCCS() error {
	if !t.on {
		return nil
	}
	if !t.advance(observed{kind: StepChangeCipherSpec, side: t.side.Peer()}) {
		return alert.New(alert.UnexpectedMessage, "received change_cipher_spec, which no handshake shape allows here")
	}
	return nil
}

// did follows the actions a state produced. An action no shape allows is
// this engine's own fault: internal_error.
func (t *tracker) did(acts []Action) error {
	if !t.on {
		return nil
	}
	for _, a := range acts {
		switch a.Kind {
		case SendHandshake:
			for rest := a.Data; len(rest) > 0; {
				_, n, ok := wire.Header(rest)
				if !ok || len(rest) < wire.HeaderLen+n {
					return alert.New(alert.InternalError, "the %s engine sent a malformed handshake message", t.side)
				}
				if err := t.ours(messageStep(t.side, rest[:wire.HeaderLen+n])); err != nil {
					return err
				}
				rest = rest[wire.HeaderLen+n:]
			}
		case SendChangeCipherSpec:
			if err := t.ours(observed{kind: StepChangeCipherSpec, side: t.side}); err != nil {
				return err
			}
		case SetReadKey, SetWriteKey:
			kind := StepReadKey
			if a.Kind == SetWriteKey {
				kind = StepWriteKey
			}
			if err := t.ours(observed{kind: kind, side: t.side, key: a.Level}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *tracker) ours(o observed) error {
	if !t.advance(o) {
		return alert.New(alert.InternalError, "the %s engine %s, which no handshake shape allows here", t.side, o)
	}
	return nil
}

// finish names the shape that happened: the one whose steps are all
// accounted for and whose version, HelloRetryRequest and resumption agree
// with what the engine established.
func (t *tracker) finish(r *Result) (Shape, error) {
	t.stop()
	found := ShapeNone
	for i := range t.at {
		d := &shapeTable[i]
		if shapeMasks[i][t.side].reach(t.at[i])&(1<<len(d.steps)) == 0 {
			continue
		}
		if d.version != r.Version || d.retry != r.DidHRR || d.resume != r.resumedBy || d.early != earlyOutcomeOf(r) {
			continue
		}
		if found != ShapeNone {
			return ShapeNone, alert.New(alert.InternalError, "the %s's handshake fits both shape %s and %s", t.side, found, Shape(i+1))
		}
		found = Shape(i + 1)
	}
	if found == ShapeNone {
		return ShapeNone, alert.New(alert.InternalError, "the %s's handshake ended before any handshake shape was complete", t.side)
	}
	return found, nil
}

// messageStep is a whole handshake message, from side, as the table names
// it: a ServerHello with the HelloRetryRequest random is its own step.
func messageStep(from Side, msg []byte) observed {
	o := observed{kind: StepMessage, side: from, msg: msg[0]}
	const at = wire.HeaderLen + 2 // after legacy_version
	if o.msg == wire.TypeServerHello && len(msg) >= at+32 {
		o.retry = [32]byte(msg[at:at+32]) == wire.HelloRetryRequestRandom
	}
	return o
}
