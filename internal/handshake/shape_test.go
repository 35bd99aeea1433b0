package handshake_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lucid/internal/handshake"
	"lucid/internal/version"
)

var updateShapes = flag.Bool("update-shapes", false, "rewrite testdata/shapes.txt from the shape table")

// The names are what ConnectionState, traces and the inspection page show:
// renaming one breaks their readers, so the list is written out here.
var shapeNames = map[handshake.Shape]string{
	handshake.ShapeTLS13Full:                     "tls13-full",
	handshake.ShapeTLS13ClientAuth:               "tls13-client-auth",
	handshake.ShapeTLS13ClientAuthNoCert:         "tls13-client-auth-no-cert",
	handshake.ShapeTLS13PSK:                      "tls13-psk",
	handshake.ShapeTLS13PSKOnly:                  "tls13-psk-ke",
	handshake.ShapeTLS13HRR:                      "tls13-hrr",
	handshake.ShapeTLS13HRRClientAuth:            "tls13-hrr-client-auth",
	handshake.ShapeTLS13HRRClientAuthNoCert:      "tls13-hrr-client-auth-no-cert",
	handshake.ShapeTLS13HRRPSK:                   "tls13-hrr-psk",
	handshake.ShapeTLS13HRRPSKOnly:               "tls13-hrr-psk-ke",
	handshake.ShapeTLS12ECDHE:                    "tls12-ecdhe",
	handshake.ShapeTLS12ECDHEClientAuth:          "tls12-ecdhe-client-auth",
	handshake.ShapeTLS12ECDHEClientAuthNoCert:    "tls12-ecdhe-client-auth-no-cert",
	handshake.ShapeTLS12RSA:                      "tls12-rsa",
	handshake.ShapeTLS12RSAClientAuth:            "tls12-rsa-client-auth",
	handshake.ShapeTLS12RSAClientAuthNoCert:      "tls12-rsa-client-auth-no-cert",
	handshake.ShapeTLS12ResumedTicket:            "tls12-resumed-ticket",
	handshake.ShapeTLS12ResumedSessionID:         "tls12-resumed-session-id",
	handshake.ShapeTLS13PSKEarlyData:             "tls13-psk-early-data",
	handshake.ShapeTLS13PSKOnlyEarlyData:         "tls13-psk-ke-early-data",
	handshake.ShapeTLS13PSKEarlyDataRejected:     "tls13-psk-early-data-rejected",
	handshake.ShapeTLS13PSKOnlyEarlyDataRejected: "tls13-psk-ke-early-data-rejected",
}

func TestShapeNames(t *testing.T) {
	all := handshake.Shapes()
	if len(all) != len(shapeNames) {
		t.Fatalf("%d shapes, %d names listed here", len(all), len(shapeNames))
	}
	for _, s := range all {
		if got, want := s.String(), shapeNames[s]; got != want {
			t.Errorf("shape %d is named %q, want %q", s, got, want)
		}
		if back, ok := handshake.ShapeNamed(s.String()); !ok || back != s {
			t.Errorf("ShapeNamed(%q) = %v, %v", s, back, ok)
		}
		if s.Summary() == "" {
			t.Errorf("%s has no summary", s)
		}
		if v := s.Version(); v != version.TLS12 && v != version.TLS13 {
			t.Errorf("%s has version %#04x", s, v)
		}
		if prefix := map[uint16]string{version.TLS12: "tls12-", version.TLS13: "tls13-"}[s.Version()]; !strings.HasPrefix(s.String(), prefix) {
			t.Errorf("%s does not start with %s", s, prefix)
		}
		if s.HelloRetry() != strings.Contains(s.String(), "-hrr") {
			t.Errorf("%s: HelloRetry() = %v", s, s.HelloRetry())
		}
	}
	if _, ok := handshake.ShapeNamed("tls13-nonsense"); ok {
		t.Errorf("ShapeNamed accepts a name no shape has")
	}
	if handshake.ShapeNone.String() != "none" || handshake.ShapeNone.Steps() != nil {
		t.Errorf("ShapeNone is %q with %d steps", handshake.ShapeNone, len(handshake.ShapeNone.Steps()))
	}
}

// TestShapeKeysBeforeRecords walks every shape, keeping each side's read and
// write keys, and checks that every message and record travels under the
// key its step names, installed by both ends before it: what a diagram
// drawn from the table shows.
func TestShapeKeysBeforeRecords(t *testing.T) {
	for _, s := range handshake.Shapes() {
		t.Run(s.String(), func(t *testing.T) {
			steps := s.Steps()
			if len(steps) >= 64 {
				t.Fatalf("%d steps; the tracker follows at most 63", len(steps))
			}
			read := map[handshake.Side]handshake.Level{}
			write := map[handshake.Side]handshake.Level{}
			var posts []int
			for i, st := range steps {
				peer := st.Side.Peer()
				switch st.Kind {
				case handshake.StepMessage, handshake.StepChangeCipherSpec:
					// A client that installed its early key sent its
					// compatibility record before it, and not again: the
					// walk, which takes every optional step, meets that
					// second one under the early key.
					again := st.Compat && write[st.Side] == handshake.LevelEarly
					if write[st.Side] != st.Key && !again {
						t.Errorf("step %d (%s): the %s writes under %s keys", i, st, st.Side, write[st.Side])
					}
					// RFC 8446 §5: a compatibility change_cipher_spec is
					// read in the clear whatever keys are in force. A
					// message after the sender's handshake waits in the
					// receiver's record layer until the receiver's own
					// part is over: it is read under the key the
					// receiver ends with, checked below.
					switch {
					case st.Post:
						posts = append(posts, i)
					case !st.Compat && read[peer] != st.Key:
						t.Errorf("step %d (%s): the %s reads under %s keys", i, st, peer, read[peer])
					}
					if st.Kind == handshake.StepMessage && st.Message == 0 && !st.Retry {
						t.Errorf("step %d is a message of type 0", i)
					}
				case handshake.StepReadKey:
					if keyRank(st.Key) <= keyRank(read[st.Side]) {
						t.Errorf("step %d (%s): read keys go from %s to %s", i, st, read[st.Side], st.Key)
					}
					read[st.Side] = st.Key
				case handshake.StepWriteKey:
					// The one step back: a client whose 0-RTT data a
					// HelloRetryRequest rejected sends its second
					// ClientHello in the clear.
					back := write[st.Side] == handshake.LevelEarly && st.Key == handshake.LevelInitial && st.Optional
					if keyRank(st.Key) <= keyRank(write[st.Side]) && !back {
						t.Errorf("step %d (%s): write keys go from %s to %s", i, st, write[st.Side], st.Key)
					}
					write[st.Side] = st.Key
				default:
					t.Errorf("step %d has kind %d", i, st.Kind)
				}
			}
			for _, i := range posts {
				if st := steps[i]; read[st.Side.Peer()] != st.Key {
					t.Errorf("step %d (%s): the %s never reads under %s keys", i, st, st.Side.Peer(), st.Key)
				}
			}
			for _, side := range []handshake.Side{handshake.SideClient, handshake.SideServer} {
				if read[side] != handshake.LevelApplication || write[side] != handshake.LevelApplication {
					t.Errorf("the %s ends reading under %s and writing under %s keys", side, read[side], write[side])
				}
			}
			if first := steps[0]; first.Kind != handshake.StepMessage || first.Side != handshake.SideClient || first.Name() != "ClientHello" {
				t.Errorf("the shape starts with %s", first)
			}
		})
	}
}

// keyRank orders the key levels as a handshake moves through them: the
// early key (RFC 8446 §7.1) comes before the handshake key, though its
// Level is numbered last.
func keyRank(l handshake.Level) int {
	switch l {
	case handshake.LevelEarly:
		return 1
	case handshake.LevelHandshake:
		return 2
	case handshake.LevelApplication:
		return 3
	}
	return 0
}

// sequences lists every way side's engine can go through a shape: the
// steps it takes part in, with each optional one present or absent and a
// repeated one once or twice.
func sequences(s handshake.Shape, side handshake.Side) []string {
	out := []string{""}
	for _, st := range s.Steps() {
		if !st.SeenBy(side) {
			continue
		}
		name := st.Side.String() + ":" + st.Name() + ";"
		var next []string
		for _, prefix := range out {
			next = append(next, prefix+name)
			if st.Repeated {
				next = append(next, prefix+name+name)
			}
			if st.Optional {
				next = append(next, prefix)
			}
		}
		out = next
	}
	return out
}

// TestShapesAreDistinct: from either side, no sequence of steps completes
// two shapes that the engine could not otherwise tell apart (by version,
// HelloRetryRequest and how it resumed), so the tracker always names one.
func TestShapesAreDistinct(t *testing.T) {
	type key struct {
		side    handshake.Side
		version uint16
		retry   bool
		resumed handshake.ResumeMode
		early   [2]bool
		seq     string
	}
	for _, side := range []handshake.Side{handshake.SideClient, handshake.SideServer} {
		seen := map[key]handshake.Shape{}
		for _, s := range handshake.Shapes() {
			for _, seq := range sequences(s, side) {
				offered, accepted := s.EarlyData()
				k := key{side, s.Version(), s.HelloRetry(), s.Resumed(), [2]bool{offered, accepted}, seq}
				if o, ok := seen[k]; ok && o != s {
					t.Errorf("the %s cannot tell %s from %s: both allow %s", side, o, s, seq)
				}
				seen[k] = s
			}
		}
	}
}

// TestShapesDocument keeps testdata/shapes.txt, every shape drawn step by
// step, in step with the table: it is where a reader finds the shapes
// without reading Go. Run with -update-shapes to rewrite it.
func TestShapesDocument(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Handshake shapes, generated from internal/handshake/shape.go by\n# go test ./internal/handshake -run TestShapesDocument -update-shapes\n")
	for _, s := range handshake.Shapes() {
		fmt.Fprintf(&b, "\n%s: %s\n", s, s.Summary())
		for i, st := range s.Steps() {
			fmt.Fprintf(&b, "  %2d  %s\n", i+1, st)
		}
	}
	path := filepath.Join("testdata", "shapes.txt")
	if *updateShapes {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update-shapes to create it)", err)
	}
	if string(want) != b.String() {
		got := strings.Split(b.String(), "\n")
		old := strings.Split(string(want), "\n")
		for i := range min(len(got), len(old)) {
			if got[i] != old[i] {
				t.Fatalf("%s differs from the table at line %d:\n have %q\n want %q\n(run with -update-shapes)", path, i+1, old[i], got[i])
			}
		}
		t.Fatalf("%s has %d lines, the table %d (run with -update-shapes)", path, len(old), len(got))
	}
}

// TestShapeStepsAreCopies: a caller cannot change the table through Steps.
func TestShapeStepsAreCopies(t *testing.T) {
	s := handshake.ShapeTLS13Full
	a := s.Steps()
	a[0].Message = 99
	if b := s.Steps(); b[0].Message == 99 || slices.Equal(a, b) {
		t.Fatalf("Steps hands out the table itself")
	}
}
