package pki

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzJournal feeds bytes to the journal parser, as a damaged or foreign
// DIR/journal.json would. The journal says which files to write, so what
// it accepts must be well formed: the known version, absolute paths only;
// everything else is refused with an error naming the file, never a
// panic. Only parsing is fuzzed: applying writes where the journal says.
func FuzzJournal(f *testing.F) {
	real, _ := json.Marshal(journal{Version: journalVersion, What: "issuing server certificate 4A for a.example", Steps: []journalStep{
		{Path: "/ca/out/a.key", Mode: keyMode, Data: []byte("-----BEGIN PRIVATE KEY-----\n")},
		{Path: "/ca/index.json", Mode: publicMode, Data: []byte(`{"version":1}`), Before: dataHash([]byte("old"))},
		{Path: "/ca/ca.crl", Remove: true},
	}})
	f.Add(real)
	f.Add(real[:len(real)/2])
	f.Add([]byte(`{"version":1,"what":"x","steps":[{"path":"rel/a"}]}`))
	f.Add([]byte(`{"version":2,"steps":[]}`))
	f.Add([]byte(`{"version":1,"steps":null,"x":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join("/ca", journalFile)
		j, err := parseJournal(p, data)
		if err != nil {
			if !strings.Contains(err.Error(), p) {
				t.Fatalf("error does not name the journal: %v", err)
			}
			return
		}
		if j.Version != journalVersion {
			t.Fatalf("accepted version %d", j.Version)
		}
		for _, st := range j.Steps {
			if !filepath.IsAbs(st.Path) {
				t.Fatalf("accepted the relative path %q", st.Path)
			}
		}
	})
}
