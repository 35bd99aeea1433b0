package session

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var writeSeeds = flag.Bool("write-seeds", false, "rewrite testdata/fuzz seed corpora")

// unmarshalSeeds are valid states and near misses for FuzzUnmarshal.
func unmarshalSeeds() [][]byte {
	full := fullState().Marshal()
	empty := fullState()
	empty.PeerCerts, empty.Verified = [][]byte{}, false
	badFormat := bytes.Clone(full)
	badFormat[0] = 2
	r := goodRaw()
	r.certCount = 2
	return [][]byte{
		full,
		minimalState().Marshal(),
		empty.Marshal(),
		full[:len(full)-1],
		append(bytes.Clone(full), 0),
		badFormat,
		r.bytes(),
		{},
	}
}

// openSeeds are tickets for the sealer fuzzSealer builds: ones it opens,
// and ones it must not.
func openSeeds(t testing.TB) [][]byte {
	a, b := mustSealer(t, keyA), mustSealer(t, keyB)
	stranger := mustSealer(t, TicketKey{0: 0xcc})
	seal := func(s *Sealer, pt []byte) []byte {
		tk, err := s.Seal(&counter{}, pt)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	good := seal(a, fullState().Marshal())
	tampered := bytes.Clone(good)
	tampered[len(tampered)-1] ^= 1
	return [][]byte{
		good,
		seal(b, minimalState().Marshal()),
		seal(a, nil),
		seal(a, []byte("not a state")),
		seal(stranger, minimalState().Marshal()),
		tampered,
		good[:Overhead-1],
		{},
	}
}

// fuzzSealer is the sealer FuzzOpen opens with: key A seals, B is older.
func fuzzSealer(t testing.TB) *Sealer { return mustSealer(t, keyA, keyB) }

// TestSeedCorpus rewrites testdata/fuzz with -write-seeds; otherwise it
// checks that the committed seeds are the ones these functions make, so a
// format change cannot leave the corpus testing an old format.
func TestSeedCorpus(t *testing.T) {
	for target, seeds := range map[string][][]byte{
		"FuzzUnmarshal": unmarshalSeeds(),
		"FuzzOpen":      openSeeds(t),
	} {
		dir := filepath.Join("testdata", "fuzz", target)
		if *writeSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for i, s := range seeds {
			path := filepath.Join(dir, fmt.Sprintf("seed-%02d", i))
			content := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", s)
			if *writeSeeds {
				if err := os.WriteFile(path, content, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%v (run go test -run TestSeedCorpus -write-seeds)", err)
			} else if !bytes.Equal(got, content) {
				t.Errorf("%s is stale (run go test -run TestSeedCorpus -write-seeds)", path)
			}
		}
	}
}

// FuzzUnmarshal checks that Unmarshal never panics, and that whatever it
// accepts is valid and encodes back to exactly the input: the format has
// one encoding per State.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range unmarshalSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := Unmarshal(b)
		if err != nil {
			if st != nil {
				t.Fatal("state returned with an error")
			}
			return
		}
		if err := st.Validate(); err != nil {
			t.Fatalf("accepted an invalid state: %v", err)
		}
		if again := st.Marshal(); !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", b, again)
		}
	})
}

// FuzzOpen checks that Open never panics, that what it opens is exactly
// the ticket minus the overhead, and feeds the result to Unmarshal as a
// server would.
func FuzzOpen(f *testing.F) {
	for _, s := range openSeeds(f) {
		f.Add(s)
	}
	s := fuzzSealer(f)
	f.Fuzz(func(t *testing.T, tk []byte) {
		pt, err := s.Open(tk)
		if err != nil {
			return
		}
		if len(pt) != len(tk)-Overhead {
			t.Fatalf("opened %d bytes from a %d-byte ticket", len(pt), len(tk))
		}
		if st, err := Unmarshal(pt); err == nil {
			if err := st.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
