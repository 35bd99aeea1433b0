package session

import (
	"testing"

	"lucid/internal/testpki"
)

// TestCertificatesParsedOnce: the chain is parsed on first use and the
// same certificates come back while PeerCerts holds the same bytes; a
// chain changed in any way is parsed again, and garbage is an error.
func TestCertificatesParsedOnce(t *testing.T) {
	a, b := twoLeaves(t)
	st := minimalState()
	if certs, err := st.Certificates(); certs != nil || err != nil {
		t.Fatalf("no chain: %v, %v", certs, err)
	}
	st.PeerCerts = [][]byte{a.Chain[0]}
	first, err := st.Certificates()
	if err != nil || len(first) != 1 || first[0].DNSNames[0] != "a.example" {
		t.Fatalf("first parse: %v, %v", first, err)
	}
	again, _ := st.Certificates()
	if again[0] != first[0] {
		t.Error("the second call parsed the chain again")
	}
	// The clone shares the parse: the bytes are the same.
	if c, _ := st.Clone().Certificates(); c[0] != first[0] {
		t.Error("a clone parsed the same chain again")
	}
	// Written over in place: the bytes decide, not the slice.
	st.PeerCerts[0] = b.Chain[0]
	if got, _ := st.Certificates(); got[0].DNSNames[0] != "b.example" {
		t.Errorf("after the chain changed: %v", got[0].DNSNames)
	}
	st.PeerCerts = [][]byte{{0x30, 0x01, 0x02}}
	if _, err := st.Certificates(); err == nil {
		t.Error("a garbage certificate parsed")
	}

	// ShareCertificates hands over a parse only of the very same chain.
	from := minimalState()
	from.PeerCerts = [][]byte{a.Chain[0]}
	parsed, _ := from.Certificates()
	same := minimalState()
	same.PeerCerts = [][]byte{append([]byte(nil), a.Chain[0]...)}
	same.ShareCertificates(from)
	if same.parsed == nil || same.parsed.certs[0] != parsed[0] {
		t.Error("the same chain did not take the parse over")
	}
	other := minimalState()
	other.PeerCerts = [][]byte{b.Chain[0]}
	other.ShareCertificates(from)
	if other.parsed != nil {
		t.Error("another chain took over a parse")
	}
}

// twoLeaves issues two certificates under one throwaway root.
func twoLeaves(t *testing.T) (a, b *testpki.Leaf) {
	t.Helper()
	ca, err := testpki.NewCA("Session Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = ca.Issue(testpki.LeafOptions{Names: []string{"a.example"}}); err != nil {
		t.Fatal(err)
	}
	if b, err = ca.Issue(testpki.LeafOptions{Names: []string{"b.example"}}); err != nil {
		t.Fatal(err)
	}
	return a, b
}
