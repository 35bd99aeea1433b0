package handshake_test

import (
	"testing"

	"lucid/internal/handshake"
	"lucid/internal/wire"
)

// TestSeedStepsAgree checks what MessageSeedStep relies on: every shape
// gives a message the same seed step, and every key the same step, so a
// reader that knows only a message's name can number it.
func TestSeedStepsAgree(t *testing.T) {
	msg := map[string]int{}
	key := -1
	for _, s := range handshake.Shapes() {
		for _, st := range s.Steps() {
			switch st.Kind {
			case handshake.StepMessage:
				name := wire.MessageName(st.Message)
				if n, seen := msg[name]; seen && n != st.SeedStep {
					t.Errorf("%s: %s is seed step %d here and %d elsewhere", s, name, st.SeedStep, n)
				}
				msg[name] = st.SeedStep
				if got := handshake.MessageSeedStep(name); got != st.SeedStep {
					t.Errorf("MessageSeedStep(%s) = %d, the table says %d", name, got, st.SeedStep)
				}
			case handshake.StepReadKey, handshake.StepWriteKey:
				if key >= 0 && key != st.SeedStep {
					t.Errorf("%s: %s is seed step %d, other keys %d", s, st.Name(), st.SeedStep, key)
				}
				key = st.SeedStep
			}
		}
	}
	if key != handshake.KeySeedStep() || key == 0 {
		t.Errorf("KeySeedStep() = %d, the table says %d", handshake.KeySeedStep(), key)
	}
	// The story's fixed points, so a table that lost its numbers fails.
	for name, want := range map[string]int{"ClientHello": 1, "ServerHello": 1, "Certificate": 3, "CertificateVerify": 3, "ClientKeyExchange": 5, "ServerKeyExchange": 5, "Finished": 6, "EncryptedExtensions": 0, "KeyUpdate": 0} {
		if got := handshake.MessageSeedStep(name); got != want {
			t.Errorf("MessageSeedStep(%s) = %d, want %d", name, got, want)
		}
	}
}

// TestProtectionUnique checks that no shape sends one message under two
// key levels, which Protection's answer would hide, and that the answer is
// the table's.
func TestProtectionUnique(t *testing.T) {
	for _, s := range handshake.Shapes() {
		for _, st := range s.Steps() {
			if st.Kind != handshake.StepMessage {
				continue
			}
			name := wire.MessageName(st.Message)
			if got, ok := s.Protection(st.Side, name); !ok || got != st.Key {
				t.Errorf("%s: %s from the %s travels under %s keys, Protection says %s (%v)", s, name, st.Side, st.Key, got, ok)
			}
		}
	}
	for _, c := range []struct {
		shape handshake.Shape
		from  handshake.Side
		name  string
		key   handshake.Level
		ok    bool
	}{
		{handshake.ShapeTLS13Full, handshake.SideServer, "ServerHello", handshake.LevelInitial, true},
		{handshake.ShapeTLS13Full, handshake.SideServer, "EncryptedExtensions", handshake.LevelHandshake, true},
		{handshake.ShapeTLS13Full, handshake.SideServer, "NewSessionTicket", handshake.LevelApplication, true},
		{handshake.ShapeTLS13Full, handshake.SideClient, "Certificate", handshake.LevelInitial, false},
		{handshake.ShapeTLS13ClientAuth, handshake.SideClient, "Certificate", handshake.LevelHandshake, true},
		{handshake.ShapeTLS12ECDHE, handshake.SideServer, "Finished", handshake.LevelApplication, true},
		{handshake.ShapeTLS12ECDHE, handshake.SideServer, "NewSessionTicket", handshake.LevelInitial, true},
		{handshake.ShapeTLS12ResumedTicket, handshake.SideServer, "Certificate", handshake.LevelInitial, false},
		{handshake.ShapeNone, handshake.SideServer, "ServerHello", handshake.LevelInitial, false},
	} {
		if key, ok := c.shape.Protection(c.from, c.name); key != c.key || ok != c.ok {
			t.Errorf("%s: Protection(%s, %s) = %s, %v; want %s, %v", c.shape, c.from, c.name, key, ok, c.key, c.ok)
		}
	}
}

func TestKeyLevelNamed(t *testing.T) {
	for _, l := range []handshake.Level{handshake.LevelInitial, handshake.LevelHandshake, handshake.LevelApplication, handshake.LevelEarly} {
		if got, ok := handshake.KeyLevelNamed(l.String()); !ok || got != l {
			t.Errorf("KeyLevelNamed(%q) = %s, %v", l, got, ok)
		}
	}
	if _, ok := handshake.KeyLevelNamed("zero"); ok {
		t.Error("KeyLevelNamed accepts a level the engines do not have")
	}
}
