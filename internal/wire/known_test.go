package wire

import "testing"

// TestKnownIndexFindsEachCode checks the index over every code point: each
// recognised extension is found under its own code, in the array or past
// it, and no other code finds anything.
func TestKnownIndexFindsEachCode(t *testing.T) {
	want := map[uint16]bool{}
	for _, e := range known.low {
		if e != nil {
			want[e.typ] = true
		}
	}
	for _, e := range known.high {
		want[e.typ] = true
	}
	for _, code := range []uint16{ExtServerName, ExtKeyShare, ExtRenegotiationInfo, ExtEncryptedClientHello} {
		if !want[code] {
			t.Errorf("%s is not indexed", ExtensionName(code))
		}
	}
	for c := 0; c <= 0xffff; c++ {
		e := known.of(uint16(c))
		switch {
		case e != nil && e.typ != uint16(c):
			t.Fatalf("code %#04x finds %s", c, ExtensionName(e.typ))
		case (e != nil) != want[uint16(c)]:
			t.Fatalf("code %#04x: found %v, indexed %v", c, e != nil, want[uint16(c)])
		}
	}
}
