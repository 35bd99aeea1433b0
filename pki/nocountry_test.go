package pki

import (
	"testing"
	"time"
)

// A memory CA made with NoCountry names no country; without it, the
// default country is there.
func TestNoCountry(t *testing.T) {
	for _, no := range []bool{true, false} {
		ca, err := NewMemoryCA(InitOptions{Name: "No Country Root", NoCountry: no, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		c := ca.Certificate()
		if got := len(c.Subject.Country) == 0; got != no {
			t.Errorf("NoCountry %v: subject %s", no, c.Subject)
		}
	}
}
