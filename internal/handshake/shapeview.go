package handshake

import "lucid/internal/wire"

// What the readers of the shape table (the seed steps of tls.Event, the
// timeline, ConnectionState, the inspection page's diagram) ask of it.
// They work from events, which name messages as wire.MessageName does, so
// the questions here take names; everything is answered from shapeTable,
// never from a list of its own.

// DecisionShape is the decision an engine reports when its handshake is
// over: Detail is the Shape's name (Shape.String), the row of the table
// the handshake followed.
const DecisionShape EventName = "handshake_shape"

// seedSteps maps a message name to the seed step the table gives it, and
// keySeedStep is the seed step of installing a key. newSeedSteps builds
// them once; TestSeedStepsAgree checks that the table gives every message
// one step in all shapes, so the lookup cannot depend on the shape.
var seedSteps, keySeedStep = newSeedSteps()

func newSeedSteps() (map[string]int, int) {
	m := make(map[string]int)
	key := 0
	for i := range shapeTable {
		for _, s := range shapeTable[i].steps {
			switch s.Kind {
			case StepMessage:
				m[wire.MessageName(s.Message)] = s.SeedStep
			case StepReadKey, StepWriteKey:
				key = s.SeedStep
			}
		}
	}
	return m, key
}

// MessageSeedStep is the step of the seed's story (1-8) a handshake
// message belongs to, by its name, or 0 when the table gives it none.
func MessageSeedStep(name string) int {
	if name == InnerClientHello {
		// The inner hello is the seed's first step too, only hidden.
		name = wire.MessageName(wire.TypeClientHello)
	}
	return seedSteps[name]
}

// KeySeedStep is the step of the seed's story installing a key belongs to.
func KeySeedStep() int { return keySeedStep }

// Protection says under which key level the message name, sent by from,
// travels in shape s; ok is false when s has no such message. A shape
// never sends one message under two levels (TestProtectionUnique).
func (s Shape) Protection(from Side, name string) (key Level, ok bool) {
	d := s.def()
	if d == nil {
		return LevelInitial, false
	}
	for _, st := range d.steps {
		if st.Kind == StepMessage && st.Side == from && wire.MessageName(st.Message) == name {
			return st.Key, true
		}
	}
	return LevelInitial, false
}

// KeyLevelNamed reads a key level back from its name (Level.String).
func KeyLevelNamed(name string) (Level, bool) {
	for _, l := range []Level{LevelInitial, LevelHandshake, LevelApplication, LevelEarly} {
		if l.String() == name {
			return l, true
		}
	}
	return LevelInitial, false
}
