package handshake_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/testpki"
)

// seeded returns a fresh reader of the stream named by seed.
func seeded(seed byte) *rand.ChaCha8 {
	var s [32]byte
	for i := range s {
		s[i] = seed + byte(i)
	}
	return rand.NewChaCha8(s)
}

func firstFlight(t *testing.T, cfg *handshake.Config) []byte {
	t.Helper()
	acts, err := handshake.NewClient(cfg).Start()
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	var out []byte
	for _, a := range acts {
		if a.Kind == handshake.SendHandshake {
			out = append(out, a.Data...)
		}
	}
	return out
}

func TestDeterministicClientHello(t *testing.T) {
	for _, g := range allGroups {
		t.Run(kex.Name(g), func(t *testing.T) {
			mk := func(seed byte) *handshake.Config {
				cfg := clientConfig()
				cfg.Groups = []uint16{g, kex.X25519, kex.P256}
				cfg.Rand, cfg.Deterministic = seeded(seed), true
				return cfg
			}
			a, b := firstFlight(t, mk(1)), firstFlight(t, mk(1))
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Fatalf("two ClientHellos from the same seed differ:\n%x\n%x", a, b)
			}
			if c := firstFlight(t, mk(2)); bytes.Equal(a, c) {
				t.Fatalf("ClientHellos from different seeds are identical")
			}
		})
	}
}

// flights renders every action a side took, in order, with its bytes.
func flights(s *side) string {
	var b bytes.Buffer
	for _, a := range s.actions {
		var secret []byte
		if a.Traffic.Suite != nil {
			secret = a.Traffic.Secret
		}
		fmt.Fprintf(&b, "%d %d %x %x\n", a.Kind, a.Level, a.Data, secret)
	}
	return b.String()
}

func TestDeterministicHandshake(t *testing.T) {
	leaf := testLeaf(t, testpki.Ed25519)
	for _, g := range allGroups {
		for _, hrr := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/hrr=%v", kex.Name(g), hrr), func(t *testing.T) {
				once := func() *conv {
					ccfg := clientConfig()
					ccfg.Rand, ccfg.Deterministic = seeded(10), true
					ccfg.Groups = []uint16{g}
					scfg := serverConfigFor(leaf)
					scfg.Rand, scfg.Deterministic = seeded(20), true
					scfg.Groups = []uint16{g}
					if hrr {
						// The client shares X25519 first; the server wants g.
						ccfg.Groups = []uint16{kex.X25519, g}
						if g == kex.X25519 {
							ccfg.Groups = []uint16{kex.P256, g}
						}
					}
					cv := newConv(t, ccfg, scfg)
					cv.mustRun()
					if cv.c.e.Result().DidHRR != hrr {
						t.Fatalf("DidHRR %v, want %v", cv.c.e.Result().DidHRR, hrr)
					}
					return cv
				}
				a, b := once(), once()
				for _, p := range []struct {
					name string
					x, y *side
				}{{"client", a.c, b.c}, {"server", a.s, b.s}} {
					if fx, fy := flights(p.x), flights(p.y); fx != fy {
						t.Errorf("%s flights differ between runs:\n%s\n%s", p.name, fx, fy)
					}
				}
				if len(a.delivered) != len(b.delivered) {
					t.Fatalf("runs delivered %d and %d messages", len(a.delivered), len(b.delivered))
				}
				for i := range a.delivered {
					if !bytes.Equal(a.delivered[i].Bytes, b.delivered[i].Bytes) {
						t.Errorf("message %d differs between runs", i)
					}
				}
			})
		}
	}
}
